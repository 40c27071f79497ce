/// Additive-increase / multiplicative-decrease rate control driven by the overuse detector
/// (draft-ietf-rmcat-gcc-02 §5.5, with libwebrtc's production refinements).
///
/// A three-state machine: overuse → `decrease`; normal → `increase` (from hold); underuse →
/// `hold` (let the queue drain). After a decrease it holds until the detector says normal.
/// - Increase far from the link capacity estimate: multiplicative, 8 % per second.
/// - Increase near it (``LinkCapacityEstimator`` known): additive, about one packet per
///   response time (RTT + 100 ms), at least 4 kbps per second.
/// - An increase never goes beyond 1.5 × the acknowledged bitrate + 10 kbps: the estimate
///   must not run away from what the path has shown it carries.
/// - Decrease: to `beta` (0.85) × the acknowledged bitrate (or × the link capacity estimate
///   if that is lower than the current rate while the acknowledged bitrate is not), never
///   upwards; the acknowledged bitrate also updates the link capacity estimate.
/// - Decreases are spaced by at least the RTT (10–200 ms), unless the acknowledged bitrate
///   fell below half the estimate.
public struct AIMDRateControl: Sendable {
    public enum State: Sendable, Hashable { case hold, increase, decrease }

    public var minBitrate: Double
    public var maxBitrate: Double
    public var beta = 0.85
    /// Multiplicative increase per second.
    public var increaseFactorPerSecond = 1.08
    public private(set) var bitrate: Double
    public private(set) var state: State = .hold
    public private(set) var linkCapacity = LinkCapacityEstimator()
    public var rtt: Duration = .milliseconds(200)
    private var lastChange: Instant?
    public private(set) var lastDecrease: Instant?
    /// True when the last change was a decrease and the detector has not said normal since.
    public private(set) var inDecreasePhase = false

    public init(startBitrate: Double, minBitrate: Double = 30_000, maxBitrate: Double = 100_000_000) {
        self.minBitrate = minBitrate
        self.maxBitrate = max(minBitrate, maxBitrate)
        self.bitrate = min(max(startBitrate, minBitrate), self.maxBitrate)
    }

    /// Whether an overuse should reduce the rate now (spacing of decreases).
    public func timeToReduceFurther(now: Instant, ackedBitrate: Double?) -> Bool {
        guard let last = lastDecrease else { return true }
        let interval = min(max(rtt, .milliseconds(10)), .milliseconds(200))
        if now - last >= interval { return true }
        if let acked = ackedBitrate, bitrate / 2 > acked { return true }
        return false
    }

    /// Sets the rate directly (a probe result, or the caller's reset).
    public mutating func setEstimate(_ bps: Double, now: Instant) {
        guard bps.isFinite else { return }
        bitrate = min(max(bps, minBitrate), maxBitrate)
        lastChange = now
    }

    /// One control step with the detector's latest output. Returns the new rate.
    @discardableResult
    public mutating func update(_ usage: BandwidthUsage, ackedBitrate: Double?, now: Instant) -> Double {
        switch usage {
        case .normal:
            if state == .hold { state = .increase }
            inDecreasePhase = false
        case .overusing:
            if state != .decrease { state = .decrease }
        case .underusing:
            state = .hold
        }
        let acked = ackedBitrate.flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
        switch state {
        case .hold:
            lastChange = now
        case .increase:
            if let a = acked, let upper = linkCapacity.upperBound, a > upper { linkCapacity.reset() }
            let dt = lastChange.map { min(max(Double((now - $0).rtcNanoseconds) / 1e9, 0), 1) } ?? 0
            var next: Double
            if linkCapacity.estimate != nil {
                next = bitrate + additiveIncreasePerSecond() * dt
            } else {
                next = bitrate + max(1000 * dt, bitrate * (CongestionMath.power(increaseFactorPerSecond, dt) - 1))
            }
            if let a = acked {
                let limit = 1.5 * a + 10_000
                next = bitrate < limit ? min(next, limit) : bitrate
            }
            bitrate = min(max(next, minBitrate), maxBitrate)
            lastChange = now
        case .decrease:
            var next = beta * (acked ?? bitrate)
            if next > bitrate, let cap = linkCapacity.estimate { next = beta * cap }
            if next < bitrate { bitrate = max(next, minBitrate) }
            if let a = acked { linkCapacity.onOveruse(ackedBitrate: a) }
            state = .hold
            lastChange = now
            lastDecrease = now
            inDecreasePhase = true
        }
        return bitrate
    }

    /// About one average packet per response time, in bps per second (≥ 4 kbps/s).
    func additiveIncreasePerSecond() -> Double {
        let bitsPerFrame = bitrate / 30
        let packetsPerFrame = max(1, (bitsPerFrame / (1200 * 8)).rounded(.up))
        let packetBits = bitsPerFrame / packetsPerFrame
        let response = Double(rtt.rtcNanoseconds) / 1e9 + 0.1
        return max(4000, packetBits / response)
    }
}

