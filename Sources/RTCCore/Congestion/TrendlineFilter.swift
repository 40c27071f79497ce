/// Estimates the trend of the one-way queueing delay from inter-group delay variations by a
/// least-squares line over a sliding window of smoothed accumulated delay (libwebrtc's
/// "trendline" alternative to the Kalman filter of draft-ietf-rmcat-gcc-02 §5.3).
///
/// Each sample adds `arrivalDelta − sendDelta` to an accumulated delay, which is smoothed
/// exponentially (`smoothing`, 0.9) and stored with its arrival time. Once `windowSize` (20)
/// samples are held, the slope of the regression line (ms of delay per ms) is the trend. The
/// value compared with the detection threshold is `min(samples, 60) × slope × gain` (gain 4):
/// the scaling makes early estimates, from few samples, count less.
///
/// The window is a preallocated ring: updates never allocate.
public struct TrendlineFilter: Sendable {
    public let windowSize: Int
    public var smoothing: Double
    public var gain: Double
    /// Samples counted for the scaling (capped at 60).
    public static let maxScaledSamples = 60

    private var times: [Double]
    private var delays: [Double]
    private var head = 0
    private var filled = 0
    private var firstArrivalMs: Double?
    private var accumulated = 0.0
    private var smoothed = 0.0
    /// The number of samples so far (capped at 1,000).
    public private(set) var sampleCount = 0
    /// The latest slope (0 until the window is full).
    public private(set) var slope = 0.0

    public init(windowSize: Int = 20, smoothing: Double = 0.9, gain: Double = 4) {
        self.windowSize = max(2, windowSize)
        self.smoothing = smoothing
        self.gain = gain
        times = Array(repeating: 0, count: self.windowSize)
        delays = Array(repeating: 0, count: self.windowSize)
    }

    /// The trend scaled for the detector: `min(samples, 60) × slope × gain`.
    public var modifiedTrend: Double {
        Double(min(sampleCount, Self.maxScaledSamples)) * slope * gain
    }

    /// Adds one inter-group sample; returns ``modifiedTrend``.
    @discardableResult
    public mutating func update(sendDeltaMs: Double, arrivalDeltaMs: Double, arrivalTimeMs: Double) -> Double {
        let variation = arrivalDeltaMs - sendDeltaMs
        guard variation.isFinite, arrivalTimeMs.isFinite else { return modifiedTrend }
        sampleCount = min(sampleCount &+ 1, 1000)
        if firstArrivalMs == nil { firstArrivalMs = arrivalTimeMs }
        accumulated += variation
        smoothed = smoothing * smoothed + (1 - smoothing) * accumulated
        times[head] = arrivalTimeMs - (firstArrivalMs ?? 0)
        delays[head] = smoothed
        head = head &+ 1 == windowSize ? 0 : head &+ 1
        if filled < windowSize { filled &+= 1 }
        if filled == windowSize, let s = regressionSlope() { slope = s }
        return modifiedTrend
    }

    private func regressionSlope() -> Double? {
        var sx = 0.0, sy = 0.0
        for i in 0..<filled { sx += times[i]; sy += delays[i] }
        let mx = sx / Double(filled), my = sy / Double(filled)
        var num = 0.0, den = 0.0
        for i in 0..<filled {
            let dx = times[i] - mx
            num += dx * (delays[i] - my)
            den += dx * dx
        }
        guard den != 0, num.isFinite else { return nil }
        return num / den
    }
}
