/// Why ``VP8Depacketizer`` did not deliver a frame.
public enum VP8FrameDropReason: Hashable, Sendable, CustomStringConvertible {
    /// Some of its packets never arrived (a later frame completed first).
    case incomplete
    /// The decoder's reference chain is broken (a base-layer frame, or any frame of a stream
    /// without temporal layers, was lost): nothing but a keyframe can be decoded.
    case waitingForKeyframe
    /// An upper-temporal-layer frame that may reference a lost or dropped frame of its own or a
    /// lower upper layer; the next TL0 frame or a layer-sync frame restores the layer.
    case referenceMissing
    /// More packets waited than the buffer holds; the oldest were discarded.
    case bufferOverflow

    public var description: String {
        switch self {
        case .incomplete: return "incomplete"
        case .waitingForKeyframe: return "waiting-for-keyframe"
        case .referenceMissing: return "reference-missing"
        case .bufferOverflow: return "buffer-overflow"
        }
    }
}
