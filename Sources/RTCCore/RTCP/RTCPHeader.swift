/// The common header that starts every RTCP packet (RFC 3550 §6.4.1, §6.1).
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|  Count  |      PT       |             length            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
///
/// - `Count` is the report count (SR/RR), source count (SDES/BYE), subtype (APP) or feedback
///   message type FMT (RTPFB/PSFB, RFC 4585 §6.1).
/// - `length` is the packet length in 32-bit words minus one, including the header and any
///   padding; a packet is therefore always a multiple of four bytes.
/// - `P` says the last octet of the packet holds the number of padding octets (RFC 3550
///   §6.4.1); in a compound packet only the last packet may be padded (§6.1).
///
/// A plain value of four scalars: parsing it never allocates.
public struct RTCPHeader: Hashable, Sendable {
    /// The P bit.
    public var padding: Bool
    /// The 5-bit count / FMT / subtype field.
    public var count: UInt8
    public var packetType: RTCPPacketType
    /// Length in 32-bit words minus one.
    public var length: UInt16

    /// Size of the header on the wire.
    public static let size = 4
    /// RTP/RTCP version 2 (RFC 3550 §6.4.1).
    public static let version: UInt8 = 2
    /// The largest value the 5-bit count field can hold.
    public static let maxCount = 31

    @inlinable
    public init(padding: Bool = false, count: UInt8, packetType: RTCPPacketType, length: UInt16) {
        self.padding = padding
        self.count = count & 0x1F
        self.packetType = packetType
        self.length = length
    }

    /// The whole packet size in bytes, `(length + 1) * 4`.
    @inlinable
    public var packetSize: Int { (Int(length) &+ 1) &* 4 }

    /// Reads a header at `offset`. Checks the version; does not check that the packet the
    /// header announces fits (the compound iterator does).
    @inlinable
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, at offset: Int = 0
    ) throws(ParseError) -> RTCPHeader {
        guard offset >= 0, bytes.count - offset >= size else {
            throw ParseError(.rtcp, .truncated, at: offset, "RTCP header needs 4 bytes")
        }
        let b0 = bytes[offset]
        guard b0 >> 6 == version else {
            throw ParseError(.rtcp, .unsupportedVersion, at: offset, "RTCP version is not 2")
        }
        return RTCPHeader(
            padding: b0 & 0x20 != 0,
            count: b0 & 0x1F,
            packetType: RTCPPacketType(bytes[offset &+ 1]),
            length: bytes.rtcU16(at: offset &+ 2))
    }

    public func write(to w: inout ByteWriter) throws(WriteError) {
        guard count <= 0x1F else { throw WriteError(.rtcp, .valueOutOfRange) }
        try w.writeU8(RTCPHeader.version << 6 | (padding ? 0x20 : 0) | count)
        try w.writeU8(packetType.rawValue)
        try w.writeU16(length)
    }
}

extension RTCPHeader {
    /// The header for a packet whose header plus content is `contentSize` bytes, with RTCP
    /// padding (RFC 3550 §6.4.1) added when the content does not end on a 32-bit boundary.
    /// Returns the header and the number of padding bytes to append after the content.
    @usableFromInline
    static func forContent(
        count: Int, packetType: RTCPPacketType, contentSize: Int
    ) throws(WriteError) -> (RTCPHeader, padding: Int) {
        guard count >= 0, count <= maxCount else { throw WriteError(.rtcp, .valueOutOfRange) }
        let pad = (4 &- contentSize & 3) & 3
        let total = contentSize &+ pad
        guard contentSize >= size, total / 4 &- 1 <= Int(UInt16.max) else {
            throw WriteError(.rtcp, .valueOutOfRange)
        }
        let header = RTCPHeader(
            padding: pad > 0, count: UInt8(count), packetType: packetType,
            length: UInt16(total / 4 &- 1))
        return (header, pad)
    }

    /// Writes RTCP padding: `n - 1` zero octets then the count `n` (RFC 3550 §6.4.1).
    @usableFromInline
    static func writePadding(_ n: Int, to w: inout ByteWriter) throws(WriteError) {
        guard n > 0 else { return }
        try w.writeZeros(n &- 1)
        try w.writeU8(UInt8(truncatingIfNeeded: n))
    }

    /// The packet size for `contentSize` bytes of header and content, padded to 32 bits.
    @usableFromInline
    static func paddedSize(_ contentSize: Int) -> Int { (contentSize &+ 3) & ~3 }
}
