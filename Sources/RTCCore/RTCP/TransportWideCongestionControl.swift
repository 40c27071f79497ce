/// Transport-wide congestion control feedback
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): a transport layer feedback
/// message (PT=205, FMT=15) reporting, per transport-wide sequence number, whether the packet
/// arrived and when.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|  FMT=15 |    PT=205     |           length              |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                     SSRC of packet sender                     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                      SSRC of media source                     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      base sequence number     |      packet status count      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                 reference time                | fb pkt. count |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          packet chunk         |         packet chunk          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// .                                                               .
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         packet chunk          |  recv delta   |  recv delta   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// .                                                               .
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           recv delta          |  recv delta   | zero padding  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// - packet status count: how many consecutive sequence numbers from the base are reported
///   (sequence numbers wrap at 65535).
/// - reference time: signed 24 bits, in multiples of 64 ms.
/// - chunks (``TWCCPacketStatusChunk``) until they cover the packet status count, then one
///   receive delta per received packet: 1 byte unsigned for "small delta", 2 bytes signed for
///   "large or negative delta", in 250 µs units, each relative to the previous received
///   packet (the first one relative to the reference time).
/// - The packet is zero-padded to 32 bits (writing never sets the P bit); bytes after the
///   deltas are ignored when parsing.
///
/// Parsing is bounded by the packet length: a status count the chunks do not cover is
/// rejected, every received status needs its delta bytes, and the stored arrays hold at most
/// one element per wire byte. ``packetResults()`` expands to up to 65,535 entries, which run
/// length chunks legitimately describe in 16 bytes; ``makePacketIterator()`` walks them
/// without allocating.
public struct TransportWideCongestionControl: Hashable, Sendable {
    public var senderSSRC: SSRC
    public var mediaSSRC: SSRC
    public var baseSequenceNumber: SequenceNumber
    public var packetStatusCount: UInt16
    /// Signed 24-bit reference time in 64 ms units (−8,388,608…8,388,607).
    public var referenceTime: Int32
    /// Feedback packet count: increments by one per feedback packet sent (wraps).
    public var feedbackPacketCount: UInt8
    public var chunks: [TWCCPacketStatusChunk]
    /// Receive deltas in 250 µs ticks, one per received packet, in sequence order.
    public var receiveDeltas: [Int16]

    public static let packetType = RTCPPacketType.transportLayerFeedback
    public static let format: UInt8 = 15
    /// One receive delta tick in microseconds.
    public static let deltaTickMicroseconds: Int64 = 250
    /// One reference time unit in microseconds.
    public static let referenceTimeUnitMicroseconds: Int64 = 64_000
    public static let referenceTimeRange: ClosedRange<Int32> = -0x80_0000...0x7F_FFFF
    static let fixedSize = 20

    public init(
        senderSSRC: SSRC, mediaSSRC: SSRC, baseSequenceNumber: SequenceNumber,
        packetStatusCount: UInt16, referenceTime: Int32, feedbackPacketCount: UInt8,
        chunks: [TWCCPacketStatusChunk], receiveDeltas: [Int16]
    ) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.baseSequenceNumber = baseSequenceNumber
        self.packetStatusCount = packetStatusCount
        self.referenceTime = referenceTime
        self.feedbackPacketCount = feedbackPacketCount
        self.chunks = chunks
        self.receiveDeltas = receiveDeltas
    }

    /// Builds a feedback packet from packet results in ascending transport sequence order
    /// (gaps are reported as not received). Throws `.valueOutOfRange` when the results do not
    /// fit one packet (out of order, more than 65,535 sequence numbers, a receive delta beyond
    /// ±8.19 s, or larger than `maxPacketSize`); ``TWCCFeedbackBuilder`` splits instead.
    public init<S: Sequence>(
        senderSSRC: SSRC, mediaSSRC: SSRC, feedbackPacketCount: UInt8, packets: S,
        maxPacketSize: Int = TWCCFeedbackBuilder.maxRTCPPacketSize
    ) throws(WriteError) where S.Element == TWCCPacketResult {
        var b = TWCCFeedbackBuilder(
            senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, feedbackPacketCount: feedbackPacketCount,
            maxPacketSize: maxPacketSize)
        for p in packets {
            guard b.add(p) else { throw WriteError(.rtcp, .valueOutOfRange) }
        }
        self = b.build()
    }

    /// The reference time in microseconds (sign-extended 24-bit value × 64 ms).
    @inlinable
    public var referenceTimeMicroseconds: Int64 {
        Int64(referenceTime) &* Self.referenceTimeUnitMicroseconds
    }

    /// Walks the reported packets in order without allocating.
    public func makePacketIterator() -> TWCCPacketIterator { TWCCPacketIterator(self) }

    /// Every reported packet, in sequence order (``packetStatusCount`` entries for a parsed
    /// packet).
    public func packetResults() -> [TWCCPacketResult] {
        var out: [TWCCPacketResult] = []
        out.reserveCapacity(Int(packetStatusCount))
        var it = makePacketIterator()
        while let p = it.next() { out.append(p) }
        return out
    }

    /// Parses a buffer holding exactly one transport-wide CC feedback packet.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> TransportWideCongestionControl {
        try TransportWideCongestionControl(try RTCPPacketSlice(single: bytes))
    }

    /// Decodes a feedback packet from a slice. Error offsets are relative to the packet.
    public init(_ slice: RTCPPacketSlice) throws(ParseError) {
        try slice.expect(Self.packetType, format: Self.format, "not a transport-wide CC feedback")
        var r = slice.bodyReader
        senderSSRC = SSRC(try r.readU32())
        mediaSSRC = SSRC(try r.readU32())
        baseSequenceNumber = SequenceNumber(try r.readU16())
        packetStatusCount = try r.readU16()
        let ref = try r.readU24()
        referenceTime = Int32(bitPattern: ref << 8) >> 8
        feedbackPacketCount = try r.readU8()

        // Pass 1: chunks until the status count is covered; sum the delta bytes they call for.
        // Each chunk costs 2 wire bytes and O(1) (run) or ≤ 14 steps (vector).
        var chunks: [TWCCPacketStatusChunk] = []
        var remaining = Int(packetStatusCount)
        var deltaBytes = 0
        while remaining > 0 {
            guard r.remaining >= 2 else {
                throw ParseError(.rtcp, .truncated, at: r.position,
                                 "packet status chunks do not cover the packet status count")
            }
            let chunk = TWCCPacketStatusChunk(rawValue: try r.readU16())
            let n = min(chunk.capacity, remaining)
            if chunk.kind == .runLength {
                let sym = chunk.rawSymbol(at: 0)
                if n > 0, sym == 3 {
                    throw ParseError(.rtcp, .invalidValue, at: r.position &- 2, "reserved packet status symbol")
                }
                deltaBytes &+= n &* Int(sym)
            } else {
                for i in 0..<n {
                    let sym = chunk.rawSymbol(at: i)
                    if sym == 3 {
                        throw ParseError(.rtcp, .invalidValue, at: r.position &- 2, "reserved packet status symbol")
                    }
                    deltaBytes &+= Int(sym)
                }
            }
            remaining &-= n
            chunks.append(chunk)
        }
        guard deltaBytes <= r.remaining else {
            throw ParseError(.rtcp, .truncated, at: r.position, "receive deltas past end of packet")
        }

        // Pass 2: read one delta per received status (all bytes are known to be present).
        var deltas: [Int16] = []
        deltas.reserveCapacity(deltaBytes)
        remaining = Int(packetStatusCount)
        for chunk in chunks {
            let n = min(chunk.capacity, remaining)
            remaining &-= n
            if chunk.kind == .runLength {
                switch chunk.rawSymbol(at: 0) {
                case 1: for _ in 0..<n { deltas.append(Int16(try r.readU8())) }
                case 2: for _ in 0..<n { deltas.append(Int16(bitPattern: try r.readU16())) }
                default: break
                }
            } else {
                for i in 0..<n {
                    switch chunk.rawSymbol(at: i) {
                    case 1: deltas.append(Int16(try r.readU8()))
                    case 2: deltas.append(Int16(bitPattern: try r.readU16()))
                    default: break
                    }
                }
            }
        }
        self.chunks = chunks
        self.receiveDeltas = deltas
        // Anything left is the zero padding of §3.1 (or trailing bytes some senders add).
    }

    /// Delta bytes the chunks call for over the first ``packetStatusCount`` statuses.
    var deltaByteCount: Int {
        var remaining = Int(packetStatusCount)
        var bytes = 0
        for chunk in chunks where remaining > 0 {
            let n = min(chunk.capacity, remaining)
            remaining &-= n
            if chunk.kind == .runLength {
                bytes &+= n &* Int(min(chunk.rawSymbol(at: 0), 2))
            } else {
                for i in 0..<n { bytes &+= Int(min(chunk.rawSymbol(at: i), 2)) }
            }
        }
        return bytes
    }

    public var marshalSize: Int {
        RTCPHeader.paddedSize(Self.fixedSize &+ chunks.count &* 2 &+ deltaByteCount)
    }

    /// Writes the packet. Throws `.valueOutOfRange` when the fields are inconsistent: chunks
    /// that do not cover exactly ``packetStatusCount`` statuses, a reserved symbol, a delta
    /// count that differs from the received statuses, a small-delta status whose delta is not
    /// in 0…255, or a reference time outside 24 bits.
    public func write(to w: inout ByteWriter) throws(WriteError) {
        guard Self.referenceTimeRange.contains(referenceTime) else {
            throw WriteError(.rtcp, .valueOutOfRange)
        }
        // Validate before writing anything.
        var remaining = Int(packetStatusCount)
        var received = 0
        var deltaBytes = 0
        for chunk in chunks {
            guard remaining > 0 else { throw WriteError(.rtcp, .valueOutOfRange) }
            let n = min(chunk.capacity, remaining)
            remaining &-= n
            // A run is one symbol n times; a vector has n symbols once each.
            let (symbols, repeats) = chunk.kind == .runLength ? (min(n, 1), n) : (n, 1)
            for i in 0..<symbols {
                let sym = chunk.rawSymbol(at: i)
                guard sym != 3 else { throw WriteError(.rtcp, .valueOutOfRange) }
                guard sym != 0 else { continue }
                guard repeats <= receiveDeltas.count &- received else {
                    throw WriteError(.rtcp, .valueOutOfRange)
                }
                if sym == 1 {
                    for d in receiveDeltas[received..<(received &+ repeats)] where d < 0 || d > 0xFF {
                        throw WriteError(.rtcp, .valueOutOfRange)
                    }
                }
                received &+= repeats
                deltaBytes &+= repeats &* Int(sym)
            }
        }
        guard remaining == 0, received == receiveDeltas.count else {
            throw WriteError(.rtcp, .valueOutOfRange)
        }
        let content = Self.fixedSize &+ chunks.count &* 2 &+ deltaBytes
        let (header, pad) = try RTCPHeader.forContent(
            count: Int(Self.format), packetType: Self.packetType, contentSize: content)
        try w.require(content &+ pad)
        // Zero padding inside the packet (§3.1), not RTCP padding: clear the P bit.
        var h = header
        h.padding = false
        try h.write(to: &w)
        try w.writeU32(senderSSRC.rawValue)
        try w.writeU32(mediaSSRC.rawValue)
        try w.writeU16(baseSequenceNumber.rawValue)
        try w.writeU16(packetStatusCount)
        try w.writeU24(UInt32(bitPattern: referenceTime) & 0xFF_FFFF)
        try w.writeU8(feedbackPacketCount)
        for chunk in chunks { try w.writeU16(chunk.rawValue) }
        // Deltas in order; each one's size is given by its status (validated above).
        var d = 0
        remaining = Int(packetStatusCount)
        for chunk in chunks {
            let n = min(chunk.capacity, remaining)
            remaining &-= n
            for i in 0..<n {
                let sym = chunk.rawSymbol(at: i)
                if sym == 1 {
                    try w.writeU8(UInt8(truncatingIfNeeded: receiveDeltas[d]))
                    d &+= 1
                } else if sym == 2 {
                    try w.writeU16(UInt16(bitPattern: receiveDeltas[d]))
                    d &+= 1
                }
            }
        }
        try w.writeZeros(pad)
    }
}
