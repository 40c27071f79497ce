/// REMB: receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb-03 §2.2), an
/// application layer feedback message (PT=206, FMT=15) identified by the ASCII "REMB".
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P| FMT=15  |   PT=206      |             length            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  SSRC of packet sender                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  SSRC of media source (always 0)              |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Unique identifier 'R' 'E' 'M' 'B'                            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Num SSRC     | BR Exp    |  BR Mantissa                      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   SSRC feedback                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  ...                                                          |
/// ```
/// The bitrate is `mantissa × 2^exp` bits per second (18-bit mantissa, 6-bit exponent).
/// Parsing saturates at ``maxBitrate`` (the largest value the encoding can carry in 64
/// bits, 0x3FFFF × 2^46); writing truncates to the nearest representable value
/// at or below ``bitrate`` (so the receiver never hears more than was meant). The packet
/// length must match Num SSRC exactly.
public struct ReceiverEstimatedMaximumBitrate: Hashable, Sendable {
    public var senderSSRC: SSRC
    /// Always 0 on the wire by the draft; kept as received.
    public var mediaSSRC: SSRC
    /// Bits per second.
    public var bitrate: UInt64
    /// The SSRCs the estimate applies to (at most 255).
    public var ssrcs: [SSRC]

    public static let packetType = RTCPPacketType.payloadSpecificFeedback
    public static let format: UInt8 = 15
    /// "REMB" in ASCII.
    public static let identifier: UInt32 = 0x5245_4D42
    static let fixedSize = 20
    static let maxMantissa: UInt64 = (1 << 18) - 1

    public init(senderSSRC: SSRC, mediaSSRC: SSRC = SSRC(0), bitrate: UInt64, ssrcs: [SSRC]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.bitrate = bitrate
        self.ssrcs = ssrcs
    }

    /// True when a PSFB slice is FMT 15 with the "REMB" identifier (other FMT=15 application
    /// layer feedback is passed through as ``RTCPPacket/unknown(_:)``).
    public static func matches(_ slice: RTCPPacketSlice) -> Bool {
        let c = slice.content
        return slice.header.packetType == packetType && slice.header.count == format
            && c.count >= 16 && c.rtcU32(at: 12) == identifier
    }

    /// The (exponent, mantissa) that encode `bitrate`, truncating low bits when needed.
    public static func encode(_ bitrate: UInt64) -> (exponent: UInt8, mantissa: UInt32) {
        var exp: UInt64 = 0
        while bitrate >> exp > maxMantissa { exp &+= 1 }
        return (UInt8(exp), UInt32(truncatingIfNeeded: bitrate >> exp))
    }

    /// The largest bitrate that both fits 64 bits and is representable: `0x3FFFF × 2^46`.
    public static let maxBitrate: UInt64 = maxMantissa << 46

    /// `mantissa × 2^exponent`, saturated at ``maxBitrate``.
    public static func decode(exponent: UInt8, mantissa: UInt32) -> UInt64 {
        let m = UInt64(mantissa)
        let e = UInt64(exponent & 0x3F)
        guard m != 0 else { return 0 }
        // m has at most 18 significant bits: shifting is exact while they stay below bit 64.
        let bits = UInt64(64 &- m.leadingZeroBitCount)
        return bits &+ e > 64 ? maxBitrate : min(m << e, maxBitrate)
    }

    /// Parses a buffer holding exactly one REMB.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> ReceiverEstimatedMaximumBitrate {
        try ReceiverEstimatedMaximumBitrate(try RTCPPacketSlice(single: bytes))
    }

    /// Decodes a REMB from a slice. Error offsets are relative to the packet.
    public init(_ slice: RTCPPacketSlice) throws(ParseError) {
        try slice.expect(Self.packetType, format: Self.format, "not a PSFB FMT=15")
        var r = slice.bodyReader
        senderSSRC = SSRC(try r.readU32())
        mediaSSRC = SSRC(try r.readU32())
        guard try r.readU32() == Self.identifier else {
            throw ParseError(.rtcp, .invalidValue, at: 12, "REMB identifier missing")
        }
        let n = Int(try r.readU8())
        let expMantissa = try r.readU24()
        bitrate = Self.decode(
            exponent: UInt8(truncatingIfNeeded: expMantissa >> 18), mantissa: expMantissa & 0x3_FFFF)
        guard r.remaining == n &* 4 else {
            throw ParseError(.rtcp, .invalidLength, at: 16, "REMB length does not match Num SSRC")
        }
        var ssrcs: [SSRC] = []
        ssrcs.reserveCapacity(n)
        for _ in 0..<n { ssrcs.append(SSRC(try r.readU32())) }
        self.ssrcs = ssrcs
    }

    public var marshalSize: Int { Self.fixedSize &+ ssrcs.count &* 4 }

    public func write(to w: inout ByteWriter) throws(WriteError) {
        guard ssrcs.count <= 255 else { throw WriteError(.rtcp, .valueOutOfRange) }
        let size = marshalSize
        let (header, _) = try RTCPHeader.forContent(
            count: Int(Self.format), packetType: Self.packetType, contentSize: size)
        try w.require(size)
        try header.write(to: &w)
        try w.writeU32(senderSSRC.rawValue)
        try w.writeU32(mediaSSRC.rawValue)
        try w.writeU32(Self.identifier)
        try w.writeU8(UInt8(ssrcs.count))
        let (exp, mantissa) = Self.encode(bitrate)
        try w.writeU24(UInt32(exp) << 18 | mantissa)
        for s in ssrcs { try w.writeU32(s.rawValue) }
    }
}
