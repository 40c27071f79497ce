/// SDES: source description (RFC 3550 §6.5).
///
/// ```
///         0                   1                   2                   3
///         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// header |V=2|P|    SC   |  PT=SDES=202  |             length            |
///        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// chunk  |                          SSRC/CSRC_1                          |
///   1    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///        |                           SDES items                          |
///        |                              ...                              |
///        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// chunk  |                          SSRC/CSRC_2                          |
///   2    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///        |                           SDES items                          |
///        |                              ...                              |
///        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// ```
/// SC (0–31) counts the chunks (``SourceDescriptionChunk``). Unknown item types are kept.
/// Bytes left after SC chunks are an error (the length and count disagree).
public struct SourceDescription: Hashable, Sendable {
    /// At most 31 chunks.
    public var chunks: [SourceDescriptionChunk]

    public static let packetType = RTCPPacketType.sourceDescription

    public init(chunks: [SourceDescriptionChunk]) {
        self.chunks = chunks
    }

    /// A one-chunk SDES carrying a CNAME: what every compound packet needs (RFC 3550 §6.1).
    public init(source: SSRC, cname: String) {
        chunks = [SourceDescriptionChunk(source: source, items: [SourceDescriptionItem(type: .cname, text: cname)])]
    }

    /// Parses a buffer holding exactly one SDES packet.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> SourceDescription {
        try SourceDescription(try RTCPPacketSlice(single: bytes))
    }

    /// Decodes an SDES packet from a slice. Error offsets are relative to the packet.
    public init(_ slice: RTCPPacketSlice) throws(ParseError) {
        try slice.expect(Self.packetType, "not an SDES packet")
        var r = slice.bodyReader
        let sc = Int(slice.header.count)
        // Each chunk takes at least 8 bytes; checking first bounds the reservation.
        try r.require(sc &* 8, "source count exceeds packet")
        var chunks: [SourceDescriptionChunk] = []
        chunks.reserveCapacity(sc)
        for _ in 0..<sc { chunks.append(try SourceDescriptionChunk(from: &r)) }
        guard r.isAtEnd else {
            throw ParseError(.rtcp, .invalidLength, at: r.position, "bytes after the last SDES chunk")
        }
        self.chunks = chunks
    }

    public var marshalSize: Int {
        var n = RTCPHeader.size
        for chunk in chunks { n &+= chunk.marshalSize }
        return n
    }

    public func write(to w: inout ByteWriter) throws(WriteError) {
        let size = marshalSize
        let (header, _) = try RTCPHeader.forContent(
            count: chunks.count, packetType: Self.packetType, contentSize: size)
        try w.require(size)
        try header.write(to: &w)
        for chunk in chunks { try chunk.write(to: &w) }
    }
}
