/// The codec of a published track, as far as forwarding needs it: its clock rate and how to
/// find a keyframe in a payload (a layer switch or a new subscriber starts on one).
public enum TrackCodec: Sendable, Hashable {
    case opus
    case vp8
    case vp9
    case h264
    case av1
    /// Audio or video whose payload the router does not inspect (forwarded without gating).
    case other(clockRate: UInt32)

    public var clockRate: UInt32 {
        switch self {
        case .opus: return 48_000
        case .vp8, .vp9, .h264, .av1: return 90_000
        case .other(let r): return r
        }
    }

    /// Whether packets must wait for a keyframe (video) before a subscription starts.
    public var needsKeyframeToStart: Bool {
        switch self {
        case .vp8, .vp9, .h264, .av1: return true
        case .opus, .other: return false
        }
    }

    /// True when `payload` starts a keyframe (the first packet of one).
    @inlinable
    public func isKeyframeStart(_ payload: UnsafeRawBufferPointer) -> Bool {
        switch self {
        case .vp8:
            guard let d = try? VP8PayloadDescriptor.parse(payload) else { return false }
            return d.isKeyframe && d.isStartOfFrame
        case .vp9:
            guard let d = try? VP9PayloadDescriptor.parse(payload) else { return false }
            return d.isKeyframe
        case .h264:
            guard let d = try? H264PayloadDescriptor.parse(payload) else { return false }
            return d.isKeyframe
        case .av1:
            guard let d = try? AV1AggregationHeader.parse(payload) else { return false }
            return d.isKeyframe
        case .opus, .other:
            return true
        }
    }
}
