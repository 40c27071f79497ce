/// Why a congestion-control component asked to be woken (the `Reason` of its `nextTimeout()`).
public enum CongestionTimeoutReason: Sendable, Hashable {
    /// The probe controller has a periodic or recovery probe to consider, or a probe's result
    /// to stop waiting for.
    case probe
    /// No transport-wide feedback arrived for a while although packets were sent.
    case feedbackTimeout
    /// The pacer may send its next packet.
    case pacer
    /// A transport-wide feedback packet is due (``TWCCFeedbackGenerator``).
    case transportFeedback
    /// A REMB is due (``ReceiveSideBandwidthEstimator``).
    case remb
}
