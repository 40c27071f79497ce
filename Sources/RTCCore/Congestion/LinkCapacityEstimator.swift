/// An exponentially averaged estimate of the bottleneck capacity, learnt from the
/// acknowledged bitrate at each overuse (draft-ietf-rmcat-gcc-02 §5.5: "the average max
/// bitrate"). While it is known and the rate is near it, AIMD increases additively.
///
/// Mean and variance are in kbps (normalised variance as in libwebrtc, so the deviation
/// scales with the mean); `alpha` 0.05.
public struct LinkCapacityEstimator: Sendable, Equatable {
    public private(set) var estimateKbps: Double?
    /// Variance normalised by the mean (kbps).
    public private(set) var normalizedVariance = 0.4
    public var alpha = 0.05

    public init() {}

    /// The deviation in kbps.
    public var deviationKbps: Double {
        guard let e = estimateKbps else { return 0 }
        return (normalizedVariance * e).squareRoot()
    }

    /// Mean + 3 deviations, in bps (nil when unknown).
    public var upperBound: Double? { estimateKbps.map { ($0 + 3 * deviationKbps) * 1000 } }
    /// Mean − 3 deviations, in bps (nil when unknown).
    public var lowerBound: Double? { estimateKbps.map { max(0, $0 - 3 * deviationKbps) * 1000 } }
    public var estimate: Double? { estimateKbps.map { $0 * 1000 } }

    /// An overuse happened while `ackedBitrate` (bps) got through.
    public mutating func onOveruse(ackedBitrate: Double) { update(ackedBitrate / 1000, alpha: alpha) }

    /// A probe measured `bitrate` (bps): a weighted sample.
    public mutating func onProbe(bitrate: Double) { update(bitrate / 1000, alpha: 0.5) }

    private mutating func update(_ sample: Double, alpha: Double) {
        guard sample.isFinite, sample >= 0 else { return }
        guard let e = estimateKbps else {
            estimateKbps = sample
            return
        }
        let mean = (1 - alpha) * e + alpha * sample
        let norm = max(mean, 1)
        let error = mean - sample
        normalizedVariance = (1 - alpha) * normalizedVariance + alpha * error * error / norm
        // Keep the deviation between 0.4 and 2.5 kbps-normalised (libwebrtc's bounds).
        normalizedVariance = min(max(normalizedVariance, 0.4), 2.5)
        estimateKbps = mean
    }

    /// Forgets the estimate (the path changed: the rate went well above it).
    public mutating func reset() {
        estimateKbps = nil
        normalizedVariance = 0.4
    }
}
