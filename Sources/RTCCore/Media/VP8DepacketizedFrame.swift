/// A whole VP8 frame reassembled from RTP packets by ``VP8Depacketizer``, with the payload
/// descriptor fields of its packets (RFC 7741 §4.2).
public struct VP8DepacketizedFrame: Hashable, Sendable {
    /// The VP8 frame (the payloads after their descriptors, concatenated).
    public var bytes: [UInt8]
    public var ssrc: SSRC
    /// RTP timestamp shared by the frame's packets.
    public var timestamp: UInt32
    /// From the first packet's payload header (P = 0).
    public var isKeyframe: Bool
    /// Keyframe size from the VP8 keyframe header.
    public var width: UInt16?
    public var height: UInt16?
    public var pictureID: UInt16?
    /// M: the picture ID field is 15 bits wide (else 7).
    public var pictureIDIs15Bit: Bool
    public var tl0PicIdx: UInt8?
    /// TID, when the stream signals temporal layers.
    public var temporalLayer: UInt8?
    /// Y.
    public var layerSync: Bool
    /// N.
    public var isNonReference: Bool
    /// Sequence numbers of the first and last (marker) packet.
    public var firstSequenceNumber: SequenceNumber
    public var lastSequenceNumber: SequenceNumber
    public var packetCount: Int

    public init(
        bytes: [UInt8], ssrc: SSRC, timestamp: UInt32, isKeyframe: Bool, width: UInt16? = nil,
        height: UInt16? = nil, pictureID: UInt16? = nil, pictureIDIs15Bit: Bool = true, tl0PicIdx: UInt8? = nil, temporalLayer: UInt8? = nil,
        layerSync: Bool = false, isNonReference: Bool = false, firstSequenceNumber: SequenceNumber,
        lastSequenceNumber: SequenceNumber, packetCount: Int
    ) {
        self.bytes = bytes
        self.ssrc = ssrc
        self.timestamp = timestamp
        self.isKeyframe = isKeyframe
        self.width = width
        self.height = height
        self.pictureID = pictureID
        self.pictureIDIs15Bit = pictureIDIs15Bit
        self.tl0PicIdx = tl0PicIdx
        self.temporalLayer = temporalLayer
        self.layerSync = layerSync
        self.isNonReference = isNonReference
        self.firstSequenceNumber = firstSequenceNumber
        self.lastSequenceNumber = lastSequenceNumber
        self.packetCount = packetCount
    }
}
