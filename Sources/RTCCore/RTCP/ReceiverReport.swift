/// RR: receiver report (RFC 3550 §6.4.2).
///
/// ```
///         0                   1                   2                   3
///         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// header |V=2|P|    RC   |   PT=RR=201   |             length            |
///        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///        |                     SSRC of packet sender                     |
///        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// report |                 report block 1 (24 bytes) ...                 |
/// blocks +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
///        |                  profile-specific extensions                  |
///        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// An RR with RC=0 is the usual empty report that heads a compound packet from a receiver
/// with nothing to report.
public struct ReceiverReport: Hashable, Sendable {
    public var ssrc: SSRC
    /// At most 31 blocks.
    public var reports: [ReceptionReport]
    public var profileExtensions: [UInt8]

    public static let packetType = RTCPPacketType.receiverReport
    static let fixedSize = 8

    public init(ssrc: SSRC, reports: [ReceptionReport] = [], profileExtensions: [UInt8] = []) {
        self.ssrc = ssrc
        self.reports = reports
        self.profileExtensions = profileExtensions
    }

    /// Parses a buffer holding exactly one RR.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> ReceiverReport {
        try ReceiverReport(try RTCPPacketSlice(single: bytes))
    }

    /// Decodes an RR from a packet slice. Error offsets are relative to the packet.
    public init(_ slice: RTCPPacketSlice) throws(ParseError) {
        try slice.expect(Self.packetType, "not an RR")
        var r = slice.bodyReader
        ssrc = SSRC(try r.readU32())
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
        for report in reports { try report.write(to: &w) }
        try w.writeBytes(profileExtensions)
        try RTCPHeader.writePadding(pad, to: &w)
    }
}
