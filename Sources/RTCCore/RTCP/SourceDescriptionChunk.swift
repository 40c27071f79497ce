/// One chunk of an SDES packet: a source and its items (RFC 3550 §6.5).
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |                          SSRC/CSRC                            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                           SDES items                          |
/// |                              ...                              |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  END (0) ... null octets up to the next 32-bit boundary       |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// ```
/// The item list ends with at least one null octet, padded with null octets to a 32-bit
/// boundary; a chunk with no items is the SSRC followed by four null octets.
public struct SourceDescriptionChunk: Hashable, Sendable {
    public var source: SSRC
    public var items: [SourceDescriptionItem]

    public init(source: SSRC, items: [SourceDescriptionItem] = []) {
        self.source = source
        self.items = items
    }

    /// The first CNAME item's text, if any.
    public var cname: String? { items.first { $0.type == .cname }?.text }

    /// Bytes on the wire: SSRC, items, at least one END octet, padded to 32 bits.
    public var marshalSize: Int {
        var n = 4
        for item in items { n &+= item.marshalSize }
        return (n &+ 1 &+ 3) & ~3
    }

    /// Reads a chunk at a 32-bit aligned position (relative to the packet start), leaving
    /// the reader on the next 32-bit boundary. The null octets after END are not checked.
    init(from r: inout ByteReader) throws(ParseError) {
        source = SSRC(try r.readU32())
        var items: [SourceDescriptionItem] = []
        while true {
            let type = try r.readU8()
            if type == 0 { break }
            let length = Int(try r.readU8())
            let value = try r.readBytes(length)
            items.append(SourceDescriptionItem(type: SourceDescriptionItemType(type), value: Array(value)))
        }
        self.items = items
        // Skip the rest of the null octets up to the 32-bit boundary.
        try r.skip((4 &- r.position & 3) & 3)
    }

    public func write(to w: inout ByteWriter) throws(WriteError) {
        let size = marshalSize
        try w.require(size)
        let start = w.position
        try w.writeU32(source.rawValue)
        for item in items { try item.write(to: &w) }
        try w.writeZeros(size &- (w.position &- start))
    }
}
