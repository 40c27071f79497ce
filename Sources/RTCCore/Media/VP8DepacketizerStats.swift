/// Counters of a ``VP8Depacketizer``.
public struct VP8DepacketizerStats: Hashable, Sendable {
    /// Packets accepted into the buffer (including empty padding packets).
    public var packetsReceived = 0
    /// Packets that arrived after their frame was delivered or given up.
    public var latePackets = 0
    /// Packets whose sequence number was already buffered.
    public var duplicatePackets = 0
    /// Sequence numbers that were skipped for good (never arrived before a later frame completed).
    public var missingPackets = 0
    public var framesDelivered = 0
    public var keyframesDelivered = 0
    public var droppedIncomplete = 0
    public var droppedWaitingForKeyframe = 0
    public var droppedReferenceMissing = 0
    public var droppedBufferOverflow = 0
    /// Times ``VP8DepacketizerOutput/keyframeNeeded`` was reported.
    public var keyframeRequests = 0

    public init() {}

    /// All frames not delivered.
    public var framesDropped: Int {
        droppedIncomplete + droppedWaitingForKeyframe + droppedReferenceMissing + droppedBufferOverflow
    }
}
