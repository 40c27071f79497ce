/// SR: sender report (RFC 3550 §6.4.1).
///
/// ```
///         0                   1                   2                   3
///         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// header |V=2|P|    RC   |   PT=SR=200   |             length            |
///        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///        |                         SSRC of sender                        |
///        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// sender |              NTP timestamp, most significant word             |
/// info   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///        |             NTP timestamp, least significant word             |
///        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///        |                         RTP timestamp                         |
///        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///        |                     sender's packet count                     |
///        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///        |                      sender's octet count                     |
///        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// report |                 report block 1 (24 bytes) ...                 |
/// blocks +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
///        |                  profile-specific extensions                  |
///        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// RC (0–31) counts the ``ReceptionReport`` blocks; bytes after them are the profile-specific
/// extension (RFC 3550 §6.4.3), kept opaque.
public struct SenderReport: Hashable, Sendable {
    public var ssrc: SSRC
    /// 64-bit NTP timestamp (seconds since 1900 in the high word, fraction in the low word).
    public var ntpTime: UInt64
    public var rtpTime: UInt32
    public var packetCount: UInt32
    public var octetCount: UInt32
    /// At most 31 blocks.
    public var reports: [ReceptionReport]
    public var profileExtensions: [UInt8]

    public static let packetType = RTCPPacketType.senderReport
    /// Header, SSRC and sender info.
    static let fixedSize = 28

    public init(
        ssrc: SSRC, ntpTime: UInt64 = 0, rtpTime: UInt32 = 0, packetCount: UInt32 = 0,
        octetCount: UInt32 = 0, reports: [ReceptionReport] = [], profileExtensions: [UInt8] = []
    ) {
        self.ssrc = ssrc
        self.ntpTime = ntpTime
        self.rtpTime = rtpTime
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reports = reports
        self.profileExtensions = profileExtensions
    }

    /// The middle 32 bits of ``ntpTime``: what a receiver echoes as LSR (RFC 3550 §6.4.1).
    public var compactNTPTime: UInt32 { UInt32(truncatingIfNeeded: ntpTime >> 16) }

    /// Parses a buffer holding exactly one SR.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> SenderReport {
        try SenderReport(try RTCPPacketSlice(single: bytes))
    }

    /// Decodes an SR from a packet slice. Error offsets are relative to the packet.
    public init(_ slice: RTCPPacketSlice) throws(ParseError) {
        try slice.expect(Self.packetType, "not an SR")
        var r = slice.bodyReader
        ssrc = SSRC(try r.readU32())
        ntpTime = try r.readU64()
        rtpTime = try r.readU32()
        packetCount = try r.readU32()
        octetCount = try r.readU32()
        let rc = Int(slice.header.count)
        try r.require(rc &* ReceptionReport.size, "report count exceeds packet")
        var reports: [ReceptionReport] = []
        reports.reserveCapacity(rc)
        for _ in 0..<rc { reports.append(try ReceptionReport(from: &r)) }
        self.reports = reports
        profileExtensions = Array(try r.readBytes(r.remaining))
    }

    public var marshalSize: Int {
        RTCPHeader.paddedSize(
            Self.fixedSize &+ reports.count &* ReceptionReport.size &+ profileExtensions.count)
    }

    public func write(to w: inout ByteWriter) throws(WriteError) {
        let content = Self.fixedSize &+ reports.count &* ReceptionReport.size &+ profileExtensions.count
        let (header, pad) = try RTCPHeader.forContent(
            count: reports.count, packetType: Self.packetType, contentSize: content)
        try w.require(content &+ pad)
        try header.write(to: &w)
        try w.writeU32(ssrc.rawValue)
        try w.writeU64(ntpTime)
        try w.writeU32(rtpTime)
        try w.writeU32(packetCount)
        try w.writeU32(octetCount)
        for report in reports { try report.write(to: &w) }
        try w.writeBytes(profileExtensions)
        try RTCPHeader.writePadding(pad, to: &w)
    }
}
