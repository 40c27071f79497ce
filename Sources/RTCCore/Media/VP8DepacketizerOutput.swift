/// What ``VP8Depacketizer/pollOutput()`` reports, in order.
public enum VP8DepacketizerOutput: Hashable, Sendable {
    /// A complete frame that is decodable given everything delivered before it.
    case frame(VP8DepacketizedFrame)
    /// A frame that was not delivered, identified by its RTP timestamp and picture ID (when
    /// any of its packets carried one).
    case dropped(VP8FrameDropReason, timestamp: UInt32, pictureID: UInt16?)
    /// The depacketizer started waiting for a keyframe: send a PLI (RFC 4585 §6.3.1).
    case keyframeNeeded
}
