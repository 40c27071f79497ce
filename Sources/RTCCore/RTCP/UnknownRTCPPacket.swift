/// An RTCP packet this library does not decode, kept opaque: extended reports (XR, RFC 3611),
/// feedback messages with other FMT values (TMMBR, SLI, RPSI, non-REMB application layer
/// feedback, …) and any unassigned packet type. Never an error.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|  Count  |      PT       |             length            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                       body (opaque) ...                       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// The body excludes RTCP padding; writing pads again (P bit) if it is not a multiple of 4.
public struct UnknownRTCPPacket: Hashable, Sendable {
    public var packetType: RTCPPacketType
    /// The 5-bit count / FMT / subtype field.
    public var count: UInt8
    public var body: [UInt8]

    public init(packetType: RTCPPacketType, count: UInt8, body: [UInt8]) {
        self.packetType = packetType
        self.count = count & 0x1F
        self.body = body
    }

    /// Copies the packet's body (without padding).
    public init(_ slice: RTCPPacketSlice) {
        packetType = slice.header.packetType
        count = slice.header.count
        body = Array(slice.body)
    }

    public var marshalSize: Int { RTCPHeader.paddedSize(RTCPHeader.size &+ body.count) }

    public func write(to w: inout ByteWriter) throws(WriteError) {
        let content = RTCPHeader.size &+ body.count
        let (header, pad) = try RTCPHeader.forContent(
            count: Int(count), packetType: packetType, contentSize: content)
        try w.require(content &+ pad)
        try header.write(to: &w)
        try w.writeBytes(body)
        try RTCPHeader.writePadding(pad, to: &w)
    }
}
