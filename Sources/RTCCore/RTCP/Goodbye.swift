/// BYE: goodbye (RFC 3550 §6.6).
///
/// ```
///        0                   1                   2                   3
///        0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///       |V=2|P|    SC   |   PT=BYE=203  |             length            |
///       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///       |                           SSRC/CSRC                           |
///       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///       :                              ...                              :
///       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// (opt) |     length    |               reason for leaving            ...
///       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// SC (0–31) counts the sources. The optional reason is a length-prefixed string padded with
/// null octets to a 32-bit boundary; it is kept as bytes.
public struct Goodbye: Hashable, Sendable {
    /// At most 31 sources.
    public var sources: [SSRC]
    /// The reason for leaving (at most 255 bytes), nil when absent.
    public var reason: [UInt8]?

    public static let packetType = RTCPPacketType.goodbye
    public static let maxReasonLength = 255

    public init(sources: [SSRC], reason: [UInt8]? = nil) {
        self.sources = sources
        self.reason = reason
    }

    public init(sources: [SSRC], reason: String) {
        self.sources = sources
        self.reason = Array(reason.utf8)
    }

    /// The reason decoded as UTF-8 (invalid sequences replaced), nil when absent.
    public var reasonText: String? { reason.map { String(decoding: $0, as: UTF8.self) } }

    /// Parses a buffer holding exactly one BYE.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> Goodbye {
        try Goodbye(try RTCPPacketSlice(single: bytes))
    }

    /// Decodes a BYE from a slice. Error offsets are relative to the packet.
    public init(_ slice: RTCPPacketSlice) throws(ParseError) {
        try slice.expect(Self.packetType, "not a BYE")
        var r = slice.bodyReader
        let sc = Int(slice.header.count)
        try r.require(sc &* 4, "source count exceeds packet")
        var sources: [SSRC] = []
        sources.reserveCapacity(sc)
        for _ in 0..<sc { sources.append(SSRC(try r.readU32())) }
        self.sources = sources
        if r.isAtEnd {
            reason = nil
        } else {
            let n = Int(try r.readU8())
            reason = Array(try r.readBytes(n))
            // What follows is null padding to the 32-bit boundary; its content is not checked.
        }
    }

    public var marshalSize: Int {
        var n = RTCPHeader.size &+ sources.count &* 4
        if let reason { n &+= 1 &+ reason.count }
        return RTCPHeader.paddedSize(n)
    }

    public func write(to w: inout ByteWriter) throws(WriteError) {
        if let reason, reason.count > Self.maxReasonLength { throw WriteError(.rtcp, .valueOutOfRange) }
        let size = marshalSize
        let (header, _) = try RTCPHeader.forContent(
            count: sources.count, packetType: Self.packetType, contentSize: size)
        try w.require(size)
        let start = w.position
        try header.write(to: &w)
        for s in sources { try w.writeU32(s.rawValue) }
        if let reason {
            try w.writeU8(UInt8(reason.count))
            try w.writeBytes(reason)
        }
        try w.writeZeros(size &- (w.position &- start))
    }
}
