/// APP: application-defined packet (RFC 3550 §6.7), kept opaque.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P| subtype |   PT=APP=204  |             length            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                           SSRC/CSRC                           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                          name (ASCII)                         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                   application-dependent data                ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// The data should be a multiple of 32 bits; if it is not, writing adds RTCP padding.
public struct ApplicationDefined: Hashable, Sendable {
    /// 5-bit subtype.
    public var subtype: UInt8
    public var ssrc: SSRC
    /// The four ASCII name octets, big-endian (`"ABCD"` is 0x41424344).
    public var name: UInt32
    public var data: [UInt8]

    public static let packetType = RTCPPacketType.applicationDefined
    static let fixedSize = 12

    public init(subtype: UInt8, ssrc: SSRC, name: UInt32, data: [UInt8] = []) {
        self.subtype = subtype
        self.ssrc = ssrc
        self.name = name
        self.data = data
    }

    /// The name as text (four octets, invalid UTF-8 replaced).
    public var nameText: String {
        let bytes = [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: name >> UInt32($0)) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses a buffer holding exactly one APP packet.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> ApplicationDefined {
        try ApplicationDefined(try RTCPPacketSlice(single: bytes))
    }

    /// Decodes an APP packet from a slice. Error offsets are relative to the packet.
    public init(_ slice: RTCPPacketSlice) throws(ParseError) {
        try slice.expect(Self.packetType, "not an APP packet")
        var r = slice.bodyReader
        subtype = slice.header.count
        ssrc = SSRC(try r.readU32())
        name = try r.readU32()
        data = Array(try r.readBytes(r.remaining))
    }

    public var marshalSize: Int { RTCPHeader.paddedSize(Self.fixedSize &+ data.count) }

    public func write(to w: inout ByteWriter) throws(WriteError) {
        let content = Self.fixedSize &+ data.count
        let (header, pad) = try RTCPHeader.forContent(
            count: Int(subtype), packetType: Self.packetType, contentSize: content)
        try w.require(content &+ pad)
        try header.write(to: &w)
        try w.writeU32(ssrc.rawValue)
        try w.writeU32(name)
        try w.writeBytes(data)
        try RTCPHeader.writePadding(pad, to: &w)
    }
}
