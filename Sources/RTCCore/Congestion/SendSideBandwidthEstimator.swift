/// The send-side bandwidth estimate of one transport (a subscriber's downlink): Google
/// congestion control driven by transport-wide feedback (draft-ietf-rmcat-gcc-02 with
/// libwebrtc's send-side refinements), sans-IO.
///
/// ```
/// onPacketSent ──► TransportFeedbackAdapter ◄── onFeedback (TWCC)
///      │                    │ PacketFeedback (send order)
///      ▼                    ├──► AcknowledgedBitrateEstimator ─┐
///  ALRDetector              ├──► DelayBasedEstimator (groups → trendline → detector → AIMD)
///                           ├──► ProbeBitrateEstimator ──(result)┘      │
///                           └──► LossBasedController ───────────────────┤
///                                   target = min(delay-based, loss limit), clamped
///                                   ProbeController ──► pollProbeCluster()
/// ```
///
/// The caller: records every packet it sends with a transport-wide sequence number
/// (``onPacketSent(sequenceNumber:size:probeClusterID:now:)``), hands over every TWCC
/// feedback packet (``onFeedback(_:now:)``) and RTT measurement, tells what the allocation
/// would want (``setMaxWantedBitrate(_:now:)``), wakes it at ``nextTimeout()``, reads
/// ``targetBitrate`` and ``state`` after each call, and sends the probe clusters from
/// ``pollProbeCluster()`` (a ``PacketPacer`` does that).
///
/// Nothing allocates per packet or per feedback after the first feedback packets (the
/// per-feedback scratch buffer keeps its capacity).
public struct SendSideBandwidthEstimator: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var startBitrate: Int64
        public var minBitrate: Int64
        public var maxBitrate: Int64
        /// Packets remembered for feedback (see ``TransportFeedbackAdapter``).
        public var historyCapacity: Int
        /// Without feedback for this long while sending, the target is halved (each period).
        public var feedbackTimeout: Duration

        public init(startBitrate: Int64 = 300_000, minBitrate: Int64 = 30_000,
                    maxBitrate: Int64 = 20_000_000, historyCapacity: Int = TransportFeedbackAdapter.defaultCapacity,
                    feedbackTimeout: Duration = .seconds(1)) {
            self.startBitrate = startBitrate
            self.minBitrate = max(1000, minBitrate)
            self.maxBitrate = max(self.minBitrate, maxBitrate)
            self.historyCapacity = historyCapacity
            self.feedbackTimeout = feedbackTimeout
        }
    }

    /// Which way the target last moved.
    public enum Trend: String, Sendable, Hashable { case increasing, holding, decreasing }

    /// What limits the target.
    public enum Limit: String, Sendable, Hashable {
        /// Nothing in particular: the estimate is still growing or holding freely.
        case none
        /// Queueing delay: the delay-based estimator decreased within the last seconds.
        case delay
        /// Packet loss above 10 % put a loss-based limit below the delay-based estimate.
        case loss
        /// Feedback stopped arriving.
        case feedbackTimeout
    }

    /// A description of the estimate for `quality` events.
    public struct State: Sendable, Hashable, CustomStringConvertible {
        public var trend: Trend
        public var limitedBy: Limit
        public var usage: BandwidthUsage
        public var applicationLimited: Bool
        public var description: String {
            "\(trend.rawValue), limited by \(limitedBy.rawValue)\(applicationLimited ? ", application-limited" : "")"
        }
    }

    public let configuration: Configuration
    public private(set) var history: TransportFeedbackAdapter
    public private(set) var delayBased: DelayBasedEstimator
    public private(set) var acknowledged = AcknowledgedBitrateEstimator()
    public private(set) var lossBased = LossBasedController()
    public private(set) var alr: ALRDetector
    public private(set) var probeController: ProbeController
    public private(set) var probeEstimator = ProbeBitrateEstimator()
    private var scratch: [PacketFeedback] = []
    private var target: Double
    public private(set) var state: State
    public private(set) var rtt: Duration?
    private var lastOneWay: Int64?
    private var owdMinCurrent: Int64?
    private var owdMinPrevious: Int64?
    private var owdEpochStart: Instant?
    private var started = false
    private var lastFeedback: Instant?
    private var lastSend: Instant?
    private var lastTimeoutCut: Instant?
    private var lastDelayDecrease: Instant?
    /// Feedback packets processed.
    public private(set) var feedbackCount = 0

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        let start = Double(min(max(configuration.startBitrate, configuration.minBitrate), configuration.maxBitrate))
        history = TransportFeedbackAdapter(capacity: configuration.historyCapacity)
        delayBased = DelayBasedEstimator(startBitrate: start, minBitrate: Double(configuration.minBitrate),
                                         maxBitrate: Double(configuration.maxBitrate))
        alr = ALRDetector(estimate: start)
        probeController = ProbeController(maxBitrate: Double(configuration.maxBitrate))
        target = start
        state = State(trend: .holding, limitedBy: .none, usage: .normal, applicationLimited: false)
        scratch.reserveCapacity(256)
    }

    /// The target send bitrate in bps.
    public var targetBitrate: Int64 { Int64(target) }
    /// The acknowledged bitrate in bps, once known.
    public var acknowledgedBitrate: Int64? { acknowledged.bitrate.map { Int64($0) } }
    /// The delay-based estimate in bps.
    public var delayBasedBitrate: Int64 { Int64(delayBased.bitrate) }
    /// The loss-based limit in bps, nil when loss does not limit.
    public var lossLimit: Int64? { lossBased.limit.map { Int64($0) } }
    /// The bitrate an allocator should distribute: the target, but at most 1.1 × the
    /// acknowledged bitrate once that is known. Layers go up only once the path has carried
    /// nearly their rate (padding up to the target raises the acknowledged bitrate first),
    /// so a probe result alone does not switch a layer up whose keyframe would then trigger
    /// an overuse and a decrease below it.
    ///
    /// While a standing queue is measured (``queueDelay`` above 20 ms), it is lowered further
    /// by the rate that drains the excess within 0.5 s (excess delay × acknowledged bitrate /
    /// 0.5 s, at most half the acknowledged bitrate, so the lowest layers are not paused for
    /// it): after a capacity drop the bottleneck queue fills before the delay detector
    /// reacts (its trendline lags by design), and sending at 85 % of capacity alone would
    /// take many seconds to empty it.
    public var allocatableBitrate: Int64 {
        guard let a = acknowledged.bitrate else { return targetBitrate }
        var v = min(target, a * 1.1)
        let excess = Double((queueDelay - .milliseconds(20)).rtcNanoseconds) / 1e9
        if excess > 0 { v -= min(excess / 0.5, 0.5) * a }
        return Int64(max(v, 0))
    }

    /// The standing queueing delay on the path: the one-way delay of the latest acknowledged
    /// packet above the smallest one-way delay of the current and previous 10 s epochs (send
    /// and arrival clocks differ by a constant, which cancels out).
    public var queueDelay: Duration {
        guard let last = lastOneWay, let m = minOneWay else { return .zero }
        return .nanoseconds(max(0, last &- m))
    }

    private var minOneWay: Int64? {
        switch (owdMinCurrent, owdMinPrevious) {
        case (let a?, let b?): return min(a, b)
        case (let a?, nil): return a
        case (nil, let b?): return b
        default: return nil
        }
    }

    /// Whether padding up to the target is useful now: the delay detector does not report
    /// overuse and ``queueDelay`` is at most 30 ms — padding into a standing queue only slows
    /// its drain. (After a decrease the target is below the capacity, so padding up to it
    /// still lets a short queue drain.)
    public var isPaddingAllowed: Bool {
        delayBased.usage != .overusing && queueDelay <= .milliseconds(30)
    }

    /// The last evaluated loss fraction (0…1).
    public var lossFraction: Double { lossBased.lossFraction }

    /// Starts the estimator (initial probes). Called implicitly by the first packet sent.
    public mutating func start(now: Instant) {
        guard !started else { return }
        started = true
        probeController.start(startBitrate: target, now: now)
    }

    /// Records a packet sent with transport-wide sequence number `sequenceNumber`.
    public mutating func onPacketSent(sequenceNumber: UInt16, size: Int, probeClusterID: Int? = nil, now: Instant) {
        if !started { start(now: now) }
        history.onPacketSent(sequenceNumber: sequenceNumber, sendTime: now, size: size, probeClusterID: probeClusterID)
        alr.onPacketSent(size: size, now: now)
        lastSend = now
    }

    /// A round-trip time measurement (RTCP reports, or the caller's own).
    public mutating func onRTT(_ rtt: Duration, now: Instant) {
        guard rtt >= .zero else { return }
        self.rtt = rtt
        delayBased.setRTT(rtt)
        lossBased.rtt = rtt
    }

    /// What the allocation would use if the estimate allowed: probing is worth it below this.
    public mutating func setMaxWantedBitrate(_ bps: Int64, now: Instant) {
        probeController.setMaxWantedBitrate(Double(bps), now: now)
    }

    /// Processes one transport-wide congestion control feedback packet.
    public mutating func onFeedback(_ feedback: TransportWideCongestionControl, now: Instant) {
        history.onFeedback(feedback, into: &scratch)
        feedbackCount &+= 1
        lastFeedback = now
        lastTimeoutCut = nil
        var received = 0
        var lost = 0
        for p in scratch {
            guard let a = p.arrivalTime else {
                lost &+= 1
                continue
            }
            received &+= 1
            let owd = a.nanoseconds &- p.sendTime.nanoseconds
            lastOneWay = owd
            if let e = owdEpochStart, now - e < .seconds(10) {
                owdMinCurrent = min(owdMinCurrent ?? owd, owd)
            } else {
                owdMinPrevious = owdMinCurrent
                owdMinCurrent = owd
                owdEpochStart = now
            }
            acknowledged.add(arrivalTime: a, size: p.size)
            delayBased.addPacket(p)
            probeEstimator.add(p)
        }
        let probe = probeEstimator.takeResult()
        let update = delayBased.finishFeedback(ackedBitrate: acknowledged.bitrate, probeBitrate: probe, now: now)
        if update.decreased { lastDelayDecrease = now }
        if update.fromProbe, let l = lossBased.limit, update.bitrate > l { lossBased.reset() }
        lossBased.add(received: received, lost: lost, now: now)
        lossBased.evaluate(currentTarget: target, delayBasedBitrate: delayBased.bitrate, now: now)
        setTarget(now: now, usage: update.usage, fromProbe: update.fromProbe)
    }

    private mutating func setTarget(now: Instant, usage: BandwidthUsage, fromProbe: Bool) {
        var t = delayBased.bitrate
        var limit: Limit = .none
        if let l = lossBased.limit, l < t {
            t = l
            limit = .loss
        } else if let d = lastDelayDecrease, now - d < .seconds(3) {
            limit = .delay
        }
        t = min(max(t, Double(configuration.minBitrate)), Double(configuration.maxBitrate))
        let trend: Trend = t > target * 1.0001 ? .increasing : (t < target * 0.9999 ? .decreasing : .holding)
        target = t
        alr.setEstimate(t)
        state = State(trend: trend, limitedBy: limit, usage: usage, applicationLimited: alr.isApplicationLimited)
        let calm = usage == .normal && !delayBased.rateControl.inDecreasePhase
        probeController.onEstimate(t, calm: calm, fromProbe: fromProbe, now: now)
    }

    /// Runs timers: probing decisions and the feedback timeout.
    public mutating func handleTimeout(now: Instant) {
        alr.advance(to: now)
        probeController.handleTimeout(now: now)
        if let deadline = feedbackDeadline(), now >= deadline {
            lastTimeoutCut = now
            let t = max(target / 2, Double(configuration.minBitrate))
            delayBased.setEstimate(t, now: now)
            target = t
            alr.setEstimate(t)
            state = State(trend: .decreasing, limitedBy: .feedbackTimeout, usage: delayBased.usage,
                          applicationLimited: alr.isApplicationLimited)
            probeController.onEstimate(t, calm: false, fromProbe: false, now: now)
        }
    }

    private func feedbackDeadline() -> Instant? {
        guard let sent = lastSend else { return nil }
        let base = max(lastTimeoutCut ?? .zero, lastFeedback ?? .zero)
        // Only while packets were sent since the last feedback (or cut).
        guard lastFeedback != nil, sent > base else { return nil }
        return base + configuration.feedbackTimeout
    }

    /// The next time ``handleTimeout(now:)`` should run, and why.
    public func nextTimeout() -> (Instant, CongestionTimeoutReason)? {
        var best: (Instant, CongestionTimeoutReason)?
        if let p = probeController.nextTimeout() { best = (p, .probe) }
        if let f = feedbackDeadline(), best.map({ f < $0.0 }) ?? true { best = (f, .feedbackTimeout) }
        return best
    }

    /// The next probe cluster the caller should send (registers it for measurement).
    public mutating func pollProbeCluster() -> ProbeClusterRequest? {
        guard let r = probeController.pollRequest() else { return nil }
        probeEstimator.register(r)
        return r
    }
}
