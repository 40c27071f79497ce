/// Generic NACK (RFC 4585 §6.2.1): a transport layer feedback message (PT=205, FMT=1) that
/// asks for retransmission of lost RTP packets.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|  FMT=1  |    PT=205     |             length            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  SSRC of packet sender                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  SSRC of media source                         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |            PID                |             BLP               |  (one or more
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+   ``NackPair``s)
/// ```
public struct TransportLayerNack: Hashable, Sendable {
    public var senderSSRC: SSRC
    public var mediaSSRC: SSRC
    public var pairs: [NackPair]

    public static let packetType = RTCPPacketType.transportLayerFeedback
    public static let format: UInt8 = 1
    static let fixedSize = 12

    public init(senderSSRC: SSRC, mediaSSRC: SSRC, pairs: [NackPair]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.pairs = pairs
    }

    /// Builds the pairs from lost sequence numbers given in ascending serial order (RFC 1982,
    /// so `65534, 65535, 0, 1` is ascending). Each number that is within 16 after the current
    /// PID goes into its BLP; anything else (a later number, or one out of order) starts a new
    /// pair. Duplicates of the current PID are skipped. Every given number is reported.
    public init<S: Sequence>(senderSSRC: SSRC, mediaSSRC: SSRC, lostSequenceNumbers: S)
    where S.Element == SequenceNumber {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        var pairs: [NackPair] = []
        for seq in lostSequenceNumbers {
            if let last = pairs.last {
                let d = seq.rawValue &- last.packetID.rawValue
                if d == 0 { continue }
                if d <= 16 {
                    pairs[pairs.count &- 1].lostBitmask |= 1 << (d &- 1)
                    continue
                }
            }
            pairs.append(NackPair(packetID: seq))
        }
        self.pairs = pairs
    }

    /// Every sequence number reported, pair by pair (at most 17 per pair).
    public var lostSequenceNumbers: [SequenceNumber] {
        var out: [SequenceNumber] = []
        out.reserveCapacity(pairs.count)
        for p in pairs { p.forEachSequenceNumber { out.append($0) } }
        return out
    }

    /// Parses a buffer holding exactly one generic NACK.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> TransportLayerNack {
        try TransportLayerNack(try RTCPPacketSlice(single: bytes))
    }

    /// Decodes a generic NACK from a slice. Error offsets are relative to the packet.
    public init(_ slice: RTCPPacketSlice) throws(ParseError) {
        try slice.expect(Self.packetType, format: Self.format, "not a generic NACK")
        var r = slice.bodyReader
        senderSSRC = SSRC(try r.readU32())
        mediaSSRC = SSRC(try r.readU32())
        guard r.remaining % NackPair.size == 0 else {
            throw ParseError(.rtcp, .invalidLength, at: r.position, "NACK FCI is 4 bytes per pair")
        }
        var pairs: [NackPair] = []
        pairs.reserveCapacity(r.remaining / NackPair.size)
        while !r.isAtEnd {
            let pid = try r.readU16()
            let blp = try r.readU16()
            pairs.append(NackPair(packetID: SequenceNumber(pid), lostBitmask: blp))
        }
        self.pairs = pairs
    }

    public var marshalSize: Int { Self.fixedSize &+ pairs.count &* NackPair.size }

    public func write(to w: inout ByteWriter) throws(WriteError) {
        let size = marshalSize
        let (header, _) = try RTCPHeader.forContent(
            count: Int(Self.format), packetType: Self.packetType, contentSize: size)
        try w.require(size)
        try header.write(to: &w)
        try w.writeU32(senderSSRC.rawValue)
        try w.writeU32(mediaSSRC.rawValue)
        for p in pairs {
            try w.writeU16(p.packetID.rawValue)
            try w.writeU16(p.lostBitmask)
        }
    }
}
