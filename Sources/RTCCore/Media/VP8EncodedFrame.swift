/// One compressed VP8 frame from ``VP8Encoder`` with what the RTP payload descriptor
/// (RFC 7741 §4.2) needs to describe it.
public struct VP8EncodedFrame: Hashable, Sendable {
    /// The VP8 bitstream of the frame (RFC 6386 §9: frame tag, partitions).
    public var bytes: [UInt8]
    /// An intra frame that resets every reference buffer.
    public var isKeyframe: Bool
    /// TID (0 when the stream has one layer).
    public var temporalLayer: UInt8
    /// Y: the frame references only the base layer.
    public var layerSync: Bool
    /// N: no later frame references this one.
    public var isNonReference: Bool
    /// Layers in the stream; with more than one the descriptor carries TL0PICIDX and TID.
    public var temporalLayerCount: Int
    /// Presentation time on the 90 kHz RTP clock (the encoder's frame count × 90000 / fps).
    public var pts: Int64
    public var width: Int
    public var height: Int

    public init(
        bytes: [UInt8], isKeyframe: Bool, temporalLayer: UInt8 = 0, layerSync: Bool = false,
        isNonReference: Bool = false, temporalLayerCount: Int = 1, pts: Int64, width: Int, height: Int
    ) {
        self.bytes = bytes
        self.isKeyframe = isKeyframe
        self.temporalLayer = temporalLayer
        self.layerSync = layerSync
        self.isNonReference = isNonReference
        self.temporalLayerCount = temporalLayerCount
        self.pts = pts
        self.width = width
        self.height = height
    }
}
