/// PLI: picture loss indication (RFC 4585 §6.3.1), a payload-specific feedback message
/// (PT=206, FMT=1) with no feedback control information.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|  FMT=1  |    PT=206     |          length=2             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  SSRC of packet sender                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  SSRC of media source                         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// Bytes after the media SSRC are ignored when parsing (the FCI is empty by definition).
public struct PictureLossIndication: Hashable, Sendable {
    public var senderSSRC: SSRC
    public var mediaSSRC: SSRC

    public static let packetType = RTCPPacketType.payloadSpecificFeedback
    public static let format: UInt8 = 1
    public static let size = 12

    public init(senderSSRC: SSRC, mediaSSRC: SSRC) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
    }

    /// Parses a buffer holding exactly one PLI.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> PictureLossIndication {
        try PictureLossIndication(try RTCPPacketSlice(single: bytes))
    }

    /// Decodes a PLI from a slice. Error offsets are relative to the packet.
    public init(_ slice: RTCPPacketSlice) throws(ParseError) {
        try slice.expect(Self.packetType, format: Self.format, "not a PLI")
        var r = slice.bodyReader
        senderSSRC = SSRC(try r.readU32())
        mediaSSRC = SSRC(try r.readU32())
    }

    public var marshalSize: Int { Self.size }

    public func write(to w: inout ByteWriter) throws(WriteError) {
        try w.require(Self.size)
        try RTCPHeader(count: Self.format, packetType: Self.packetType, length: 2).write(to: &w)
        try w.writeU32(senderSSRC.rawValue)
        try w.writeU32(mediaSSRC.rawValue)
    }
}
