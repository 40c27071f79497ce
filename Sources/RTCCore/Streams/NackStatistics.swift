/// Counters of a ``NackGenerator``.
public struct NackStatistics: Sendable, Hashable {
    /// TransportLayerNack messages emitted.
    public var messagesSent: Int = 0
    /// Sequence numbers requested, counting each retry.
    public var sequenceNumbersRequested: Int = 0
    /// Missing packets that arrived after all (reordered or retransmitted).
    public var recovered: Int = 0
    /// Of those, packets that arrived flagged as retransmissions.
    public var recoveredByRetransmission: Int = 0
    /// Losses given up: retries spent, too old, or cut on overflow.
    public var abandoned: Int = 0
    /// Keyframe requests suggested because the loss list overflowed.
    public var keyframeRequests: Int = 0

    public init() {}
}
