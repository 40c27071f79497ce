/// FIR: full intra request (RFC 5104 §4.3.1), a payload-specific feedback message
/// (PT=206, FMT=4).
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|  FMT=4  |    PT=206     |             length            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  SSRC of packet sender                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |             SSRC of media source (unused, sent as 0)          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// :            FCI: one or more entries (8 bytes each)            :
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// The FCI length must be a multiple of 8 (``FullIntraRequestEntry``).
public struct FullIntraRequest: Hashable, Sendable {
    public var senderSSRC: SSRC
    /// RFC 5104 §4.3.1.2: not used, SHALL be 0. Kept as received.
    public var mediaSSRC: SSRC
    public var entries: [FullIntraRequestEntry]

    public static let packetType = RTCPPacketType.payloadSpecificFeedback
    public static let format: UInt8 = 4
    static let fixedSize = 12

    public init(senderSSRC: SSRC, mediaSSRC: SSRC = SSRC(0), entries: [FullIntraRequestEntry]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.entries = entries
    }

    /// Parses a buffer holding exactly one FIR.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> FullIntraRequest {
        try FullIntraRequest(try RTCPPacketSlice(single: bytes))
    }

    /// Decodes a FIR from a slice. Error offsets are relative to the packet.
    public init(_ slice: RTCPPacketSlice) throws(ParseError) {
        try slice.expect(Self.packetType, format: Self.format, "not a FIR")
        var r = slice.bodyReader
        senderSSRC = SSRC(try r.readU32())
        mediaSSRC = SSRC(try r.readU32())
        guard r.remaining % FullIntraRequestEntry.size == 0 else {
            throw ParseError(.rtcp, .invalidLength, at: r.position, "FIR entries are 8 bytes each")
        }
        var entries: [FullIntraRequestEntry] = []
        entries.reserveCapacity(r.remaining / FullIntraRequestEntry.size)
        while !r.isAtEnd {
            let ssrc = SSRC(try r.readU32())
            let seq = try r.readU8()
            try r.skip(3)
            entries.append(FullIntraRequestEntry(ssrc: ssrc, sequenceNumber: seq))
        }
        self.entries = entries
    }

    public var marshalSize: Int { Self.fixedSize &+ entries.count &* FullIntraRequestEntry.size }

    public func write(to w: inout ByteWriter) throws(WriteError) {
        let size = marshalSize
        let (header, _) = try RTCPHeader.forContent(
            count: Int(Self.format), packetType: Self.packetType, contentSize: size)
        try w.require(size)
        try header.write(to: &w)
        try w.writeU32(senderSSRC.rawValue)
        try w.writeU32(mediaSSRC.rawValue)
        for e in entries {
            try w.writeU32(e.ssrc.rawValue)
            try w.writeU8(e.sequenceNumber)
            try w.writeZeros(3)
        }
    }
}
