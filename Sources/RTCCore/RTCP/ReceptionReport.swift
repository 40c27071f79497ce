/// A reception report block, carried by SR and RR packets (RFC 3550 §6.4.1).
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |                 SSRC_n (SSRC of source being reported)        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | fraction lost |       cumulative number of packets lost       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           extended highest sequence number received           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                      interarrival jitter                      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         last SR (LSR)                         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                   delay since last SR (DLSR)                  |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// ```
public struct ReceptionReport: Hashable, Sendable {
    /// The source this block reports on.
    public var ssrc: SSRC
    /// Fraction of packets lost since the previous report, as a fixed-point number with the
    /// binary point at the left edge (loss fraction × 256).
    public var fractionLost: UInt8
    /// Cumulative number of packets lost: a signed 24-bit value (it goes negative when
    /// duplicates arrive, RFC 3550 §6.4.1). Writing clamps to −8,388,608…8,388,607.
    public var cumulativeLost: Int32
    /// Extended highest sequence number received: cycles in the high 16 bits.
    public var extendedHighestSequence: UInt32
    /// Interarrival jitter in RTP timestamp units.
    public var jitter: UInt32
    /// Middle 32 bits of the NTP timestamp of the last SR received from this source (0: none).
    public var lastSenderReport: UInt32
    /// Delay since that SR, in units of 1/65536 s.
    public var delaySinceLastSenderReport: UInt32

    /// Size of a report block on the wire.
    public static let size = 24
    public static let cumulativeLostRange: ClosedRange<Int32> = -0x80_0000...0x7F_FFFF

    public init(
        ssrc: SSRC, fractionLost: UInt8 = 0, cumulativeLost: Int32 = 0,
        extendedHighestSequence: UInt32 = 0, jitter: UInt32 = 0,
        lastSenderReport: UInt32 = 0, delaySinceLastSenderReport: UInt32 = 0
    ) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.extendedHighestSequence = extendedHighestSequence
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    /// Reads one block at the reader's position.
    @inlinable
    public init(from r: inout ByteReader) throws(ParseError) {
        try r.require(ReceptionReport.size, "truncated report block")
        ssrc = SSRC(try r.readU32())
        fractionLost = try r.readU8()
        let lost = try r.readU24()
        // Sign-extend the 24-bit two's complement value.
        cumulativeLost = Int32(bitPattern: lost << 8) >> 8
        extendedHighestSequence = try r.readU32()
        jitter = try r.readU32()
        lastSenderReport = try r.readU32()
        delaySinceLastSenderReport = try r.readU32()
    }

    public func write(to w: inout ByteWriter) throws(WriteError) {
        try w.require(ReceptionReport.size)
        let r = ReceptionReport.cumulativeLostRange
        let lost = min(max(cumulativeLost, r.lowerBound), r.upperBound)
        try w.writeU32(ssrc.rawValue)
        try w.writeU8(fractionLost)
        try w.writeU24(UInt32(bitPattern: lost) & 0xFF_FFFF)
        try w.writeU32(extendedHighestSequence)
        try w.writeU32(jitter)
        try w.writeU32(lastSenderReport)
        try w.writeU32(delaySinceLastSenderReport)
    }
}
