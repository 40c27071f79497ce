/// Decides when to probe for more bandwidth and at what rate, so the estimate climbs in a
/// few round trips instead of AIMD's 8 % per second.
///
/// - Start: two clusters at 3× and 6× the start rate.
/// - Probe further: when a result reaches 70 % of what was probed, probe again at 2× it.
/// - Capped allocation: while the caller wants more than the estimate
///   (``setMaxWantedBitrate(_:now:)``), probe at 2× the estimate every `cappedInterval` (3 s),
///   when the delay detector is calm.
/// - Recovery: after a large drop (below 66 % of the estimate before it), once the delay has
///   been normal for `recoveryWait` (1 s) and within 5 s of the drop, one probe at 0.85× the
///   estimate before the drop.
///
/// Probes never go above `maxBitrate` nor above the wanted bitrate × `headroom` (1.3: enough
/// for the allocator's upgrade hysteresis, also after a failed upgrade). Requests are queued (at most 4) for
/// ``pollRequest()``; each has ``minProbeDuration`` (15 ms) worth of bytes and ≥ 5 packets.
public struct ProbeController: Sendable {
    public var maxBitrate: Double
    public var headroom = 1.3
    public var cappedInterval: Duration = .seconds(3)
    public var recoveryWait: Duration = .seconds(1)
    public var dropWindow: Duration = .seconds(5)
    public var minProbeDuration: Duration = .milliseconds(15)
    public var minPackets = 5
    /// How long a probe's result is awaited before probing further is given up.
    public var resultTimeout: Duration = .seconds(1)

    public private(set) var maxWanted: Double?
    private var estimate = 0.0
    private var started = false
    private var nextID = 1
    private var pending: [ProbeClusterRequest] = []
    private var waitingFor: (bitrate: Double, until: Instant)?
    private var lastProbe: Instant?
    private var drop: (before: Double, at: Instant)?
    private var normalSince: Instant?
    private var recentMax = 0.0
    /// Requests made so far.
    public private(set) var requested = 0

    public init(maxBitrate: Double = 100_000_000) {
        self.maxBitrate = maxBitrate
        pending.reserveCapacity(4)
    }

    private var cap: Double {
        var c = maxBitrate
        if let w = maxWanted { c = min(c, w * headroom) }
        return c
    }

    /// Starts probing from `startBitrate` (the network became usable).
    public mutating func start(startBitrate: Double, now: Instant) {
        guard !started else { return }
        started = true
        estimate = startBitrate
        recentMax = startBitrate
        request(3 * startBitrate, now: now, minimum: startBitrate)
        request(6 * startBitrate, now: now, minimum: startBitrate)
    }

    /// What the allocation would use if the estimate allowed (the sum of the wanted layers).
    public mutating func setMaxWantedBitrate(_ bps: Double, now: Instant) {
        let old = maxWanted
        maxWanted = bps.isFinite && bps > 0 ? bps : nil
        // A new demand above the estimate: probe for it now rather than at the next period.
        if started, let w = maxWanted, w > estimate, (old ?? 0) < w * 0.9, waitingFor == nil,
           delayIsCalm(now: now) {
            request(min(2 * estimate, cap), now: now, minimum: estimate)
        }
    }

    /// The estimator's new target and detector state.
    /// - Parameters:
    ///   - calm: the delay detector is normal and not in a decrease phase.
    ///   - fromProbe: the estimate was set by a probe result.
    public mutating func onEstimate(_ bps: Double, calm: Bool, fromProbe: Bool, now: Instant) {
        guard bps.isFinite else { return }
        if calm { if normalSince == nil { normalSince = now } } else { normalSince = nil }
        if bps < 0.66 * recentMax, drop == nil { drop = (recentMax, now) }
        if let w = waitingFor, fromProbe {
            waitingFor = nil
            if bps >= 0.7 * w.bitrate, bps < cap {
                request(min(2 * bps, cap), now: now, minimum: bps)
            }
        }
        estimate = bps
        // The recent maximum decays so a drop is measured against the last few seconds.
        recentMax = max(bps, recentMax * 0.999)
    }

    private func delayIsCalm(now: Instant) -> Bool { normalSince != nil }

    /// Runs the periodic checks. Every deadline ``nextTimeout()`` reported is consumed, even
    /// when no probe results (e.g. the rate would not be above the estimate), so a caller
    /// driving it by its deadlines always makes progress.
    public mutating func handleTimeout(now: Instant) {
        guard started else { return }
        if let w = waitingFor, now >= w.until { waitingFor = nil }
        if let d = drop {
            if now - d.at >= dropWindow {
                drop = nil
                recentMax = estimate
            } else if let n = normalSince, now - n >= recoveryWait, waitingFor == nil {
                drop = nil
                recentMax = estimate
                request(min(0.85 * d.before, cap), now: now, minimum: estimate)
            }
        }
        if cappedProbeDue(now: now) {
            lastProbe = now
            request(min(2 * estimate, cap), now: now, minimum: estimate)
        }
    }

    private func cappedProbeWanted() -> Bool {
        guard let w = maxWanted else { return false }
        return w > estimate && waitingFor == nil && normalSince != nil
    }

    private func cappedProbeDue(now: Instant) -> Bool {
        cappedProbeWanted() && (lastProbe.map { now - $0 >= cappedInterval } ?? true)
    }

    /// The next time ``handleTimeout(now:)`` has something to check.
    public func nextTimeout() -> Instant? {
        guard started else { return nil }
        var t: Instant?
        func consider(_ x: Instant) { t = t.map { min($0, x) } ?? x }
        if let w = waitingFor {
            // Other probes wait for this one's result (or its timeout).
            consider(w.until)
            if let d = drop { consider(d.at + dropWindow) }
            return t
        }
        if let d = drop {
            consider(d.at + dropWindow)
            if let n = normalSince { consider(n + recoveryWait) }
        }
        if cappedProbeWanted() { consider(lastProbe.map { $0 + cappedInterval } ?? .zero) }
        return t
    }

    /// The next probe cluster to send, if any.
    public mutating func pollRequest() -> ProbeClusterRequest? {
        pending.isEmpty ? nil : pending.removeFirst()
    }

    /// A probe is only worth sending above the current rate.
    private mutating func request(_ bitrate: Double, now: Instant, minimum: Double) {
        let b = min(bitrate, maxBitrate)
        guard b.isFinite, b > minimum * 1.05, pending.count < 4 else { return }
        let bytes = Int(b / 8 * Double(minProbeDuration.rtcNanoseconds) / 1e9)
        pending.append(ProbeClusterRequest(id: nextID, bitrate: Int64(b), minPackets: minPackets,
                                           minBytes: max(bytes, 1), createdAt: now))
        nextID = nextID == Int(Int32.max) ? 1 : nextID &+ 1
        requested &+= 1
        lastProbe = now
        waitingFor = (b, now + resultTimeout)
    }
}
