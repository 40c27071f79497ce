/// One RTCP packet inside a datagram: its header and the byte range it occupies, borrowed
/// from the caller's buffer (zero-copy, no allocation).
///
/// ```
/// offset ─┐
///         ├── header (4) ──┬──────── body ────────┬─ padding (paddingCount) ─┐
///         |V=2|P|Cnt| PT |len|  type-specific ... |  0 ... 0  | count       |
///         └──────────────────── header.packetSize bytes ─────────────────────┘
/// ```
///
/// Produced by ``RTCPCompoundIterator`` (or ``init(single:)`` for a buffer holding exactly one
/// packet); the message types (``SenderReport``, ``TransportLayerNack``, …) decode it. Valid
/// only while the caller keeps the underlying buffer alive.
public struct RTCPPacketSlice {
    public let header: RTCPHeader
    /// The whole packet as on the wire: header, body and padding.
    public let bytes: UnsafeRawBufferPointer
    /// Offset of the packet from the start of the compound datagram.
    public let offset: Int
    /// Number of padding octets at the end (0 when the P bit is clear).
    public let paddingCount: Int

    @usableFromInline
    init(header: RTCPHeader, bytes: UnsafeRawBufferPointer, offset: Int, paddingCount: Int) {
        self.header = header
        self.bytes = bytes
        self.offset = offset
        self.paddingCount = paddingCount
    }

    /// Header and body without the padding.
    @inlinable
    public var content: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[0..<(bytes.count &- paddingCount)])
    }

    /// The type-specific part after the 4-byte header, without padding.
    @inlinable
    public var body: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[RTCPHeader.size..<(bytes.count &- paddingCount)])
    }

    /// Where the packet lies in the compound datagram.
    @inlinable
    public var range: Range<Int> { offset..<(offset &+ bytes.count) }

    /// A reader over ``content`` positioned just after the header; offsets in its errors are
    /// relative to the start of this packet.
    @inlinable
    var bodyReader: ByteReader {
        ByteReader(content, format: .rtcp, position: RTCPHeader.size)
    }

    /// Views a buffer that holds exactly one RTCP packet (its length field must match the
    /// buffer size; padding is allowed since the packet is last).
    @inlinable
    public init(single bytes: UnsafeRawBufferPointer) throws(ParseError) {
        var it = RTCPCompoundIterator(bytes)
        guard let first = try it.next() else {
            throw ParseError(.rtcp, .truncated, at: 0, "no RTCP packet")
        }
        guard first.bytes.count == bytes.count else {
            throw ParseError(.rtcp, .invalidLength, at: 0, "bytes after the RTCP packet")
        }
        self = first
    }

    /// Throws unless the packet has the expected type (and, for feedback, FMT).
    @inlinable
    func expect(
        _ type: RTCPPacketType, format: UInt8? = nil, _ reason: StaticString
    ) throws(ParseError) {
        guard header.packetType == type, format.map({ $0 == header.count }) ?? true else {
            throw ParseError(.rtcp, .invalidValue, at: 1, reason)
        }
    }
}
