/// Compares the delay trend with an adaptive threshold and decides over-, under- or normal
/// use (draft-ietf-rmcat-gcc-02 §5.4 and §5.5 with libwebrtc's production constants).
///
/// - Overuse: the modified trend stays above the threshold for more than 10 ms of send time
///   and at least two consecutive samples, with the raw trend not falling.
/// - Underuse: the modified trend is below −threshold.
/// - The threshold γ follows |trend|: γ += k·(|m| − γ)·Δt with k = `kUp` (0.0087) when
///   |m| > γ and `kDown` (0.039) otherwise, Δt in ms capped at 100, γ clamped to 6…600 ms.
///   Samples more than 15 ms beyond γ do not move it (a sudden spike should trigger, not
///   teach the threshold to ignore it).
public struct OveruseDetector: Sendable {
    public var kUp: Double
    public var kDown: Double
    public var thresholdRange: ClosedRange<Double>
    /// Sustained overuse required, in ms of send time.
    public var overuseTimeMs: Double
    public private(set) var threshold: Double
    public private(set) var state: BandwidthUsage = .normal

    private var timeOverUsing = -1.0
    private var overuseCount = 0
    private var previousTrend = 0.0
    private var lastUpdate: Instant?

    public init(kUp: Double = 0.0087, kDown: Double = 0.039, initialThreshold: Double = 12.5,
                thresholdRange: ClosedRange<Double> = 6...600, overuseTimeMs: Double = 10) {
        self.kUp = kUp
        self.kDown = kDown
        self.thresholdRange = thresholdRange
        self.overuseTimeMs = overuseTimeMs
        self.threshold = initialThreshold
    }

    /// One detection step.
    /// - Parameters:
    ///   - modifiedTrend: ``TrendlineFilter/modifiedTrend``.
    ///   - trend: the raw slope (``TrendlineFilter/slope``).
    ///   - sendDeltaMs: the send-time delta of the sample.
    ///   - samples: samples seen so far; fewer than 2 always gives `.normal`.
    ///   - now: the arrival time of the sample (drives the threshold adaptation).
    @discardableResult
    public mutating func detect(modifiedTrend m: Double, trend: Double, sendDeltaMs: Double,
                                samples: Int, now: Instant) -> BandwidthUsage {
        guard samples >= 2, m.isFinite else {
            updateThreshold(m, now: now)
            return state
        }
        if m > threshold {
            if timeOverUsing < 0 { timeOverUsing = sendDeltaMs / 2 } else { timeOverUsing += sendDeltaMs }
            overuseCount &+= 1
            if timeOverUsing > overuseTimeMs, overuseCount > 1, trend >= previousTrend {
                timeOverUsing = 0
                overuseCount = 0
                state = .overusing
            }
        } else if m < -threshold {
            timeOverUsing = -1
            overuseCount = 0
            state = .underusing
        } else {
            timeOverUsing = -1
            overuseCount = 0
            state = .normal
        }
        previousTrend = trend
        updateThreshold(m, now: now)
        return state
    }

    private mutating func updateThreshold(_ m: Double, now: Instant) {
        defer { lastUpdate = now }
        guard let last = lastUpdate, m.isFinite else { return }
        let a = abs(m)
        if a > threshold + 15 { return }
        let k = a < threshold ? kDown : kUp
        let dt = min(max(Double((now - last).rtcNanoseconds) / 1e6, 0), 100)
        threshold += k * (a - threshold) * dt
        threshold = min(max(threshold, thresholdRange.lowerBound), thresholdRange.upperBound)
    }
}
