/// The delay-based half of Google congestion control (draft-ietf-rmcat-gcc-02 §5): packet
/// groups → inter-group delay variation → trendline → adaptive-threshold overuse detector →
/// AIMD rate control.
///
/// Feed the received packets of one feedback packet with ``addPacket(_:)`` (in send order,
/// as ``TransportFeedbackAdapter`` yields them; lost ones are skipped), then call
/// ``finishFeedback(ackedBitrate:probeBitrate:now:)`` once to run the rate controller. An
/// overuse seen anywhere in the batch counts. A valid probe result above the current rate
/// sets it at once (unless the batch showed overuse).
///
/// Nothing allocates after initialisation.
public struct DelayBasedEstimator: Sendable {
    /// The outcome of one feedback packet.
    public struct Update: Sendable, Equatable {
        public var bitrate: Double
        public var usage: BandwidthUsage
        /// The rate was lowered by this update.
        public var decreased: Bool
        /// The rate was set from a probe result.
        public var fromProbe: Bool
    }

    public private(set) var grouping = PacketGroupDelta()
    public private(set) var trendline = TrendlineFilter()
    public private(set) var detector = OveruseDetector()
    public private(set) var rateControl: AIMDRateControl
    private var batchOverused = false
    private var batchSamples = 0
    /// Inter-group samples seen.
    public private(set) var samples = 0

    public init(startBitrate: Double, minBitrate: Double = 30_000, maxBitrate: Double = 100_000_000) {
        rateControl = AIMDRateControl(startBitrate: startBitrate, minBitrate: minBitrate, maxBitrate: maxBitrate)
    }

    /// The current delay-based estimate in bps.
    public var bitrate: Double { rateControl.bitrate }
    /// The detector's current state.
    public var usage: BandwidthUsage { detector.state }

    /// The round-trip time used for decrease spacing and additive increase.
    public mutating func setRTT(_ rtt: Duration) { rateControl.rtt = rtt }

    /// Sets the estimate directly (e.g. a caller's reset).
    public mutating func setEstimate(_ bps: Double, now: Instant) { rateControl.setEstimate(bps, now: now) }

    /// Adds one packet of the current feedback batch; lost packets are ignored.
    public mutating func addPacket(_ p: PacketFeedback) {
        guard let arrival = p.arrivalTime else { return }
        guard let d = grouping.add(sendTime: p.sendTime, arrivalTime: arrival, size: p.size) else { return }
        let sendMs = Double(d.sendDelta.rtcNanoseconds) / 1e6
        let arrivalMs = Double(d.arrivalDelta.rtcNanoseconds) / 1e6
        let m = trendline.update(sendDeltaMs: sendMs, arrivalDeltaMs: arrivalMs,
                                 arrivalTimeMs: Double(d.arrivalTime.nanoseconds) / 1e6)
        samples &+= 1
        batchSamples &+= 1
        let usage = detector.detect(modifiedTrend: m, trend: trendline.slope, sendDeltaMs: sendMs,
                                    samples: trendline.sampleCount, now: d.arrivalTime)
        if usage == .overusing { batchOverused = true }
    }

    /// Runs the rate controller once for the batch added since the last call.
    /// - Parameters:
    ///   - ackedBitrate: the acknowledged bitrate (bps), if known.
    ///   - probeBitrate: a valid probe result (bps) completed in this batch, if any.
    public mutating func finishFeedback(ackedBitrate: Double?, probeBitrate: Double?, now: Instant) -> Update {
        defer {
            batchOverused = false
            batchSamples = 0
        }
        let before = rateControl.bitrate
        let usage: BandwidthUsage = batchOverused ? .overusing : detector.state
        if usage == .overusing {
            if rateControl.timeToReduceFurther(now: now, ackedBitrate: ackedBitrate) {
                rateControl.update(.overusing, ackedBitrate: ackedBitrate, now: now)
            }
        } else if let probe = probeBitrate, probe > rateControl.bitrate {
            rateControl.setEstimate(probe, now: now)
            return Update(bitrate: rateControl.bitrate, usage: usage, decreased: false, fromProbe: true)
        } else {
            rateControl.update(usage, ackedBitrate: ackedBitrate, now: now)
        }
        return Update(bitrate: rateControl.bitrate, usage: usage,
                      decreased: rateControl.bitrate < before, fromProbe: false)
    }
}
