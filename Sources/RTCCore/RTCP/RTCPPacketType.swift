/// The RTCP packet type (PT) octet of the common header.
///
/// RFC 3550 §12.1 assigns 200–204; RFC 4585 §6.1 assigns 205 (transport layer feedback) and
/// 206 (payload-specific feedback); RFC 3611 §2 assigns 207 (extended reports). Any other value
/// is carried through as an opaque packet (``UnknownRTCPPacket``), never rejected.
public struct RTCPPacketType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }
    @inlinable public init(_ v: UInt8) { self.rawValue = v }

    /// SR, RFC 3550 §6.4.1.
    public static let senderReport = RTCPPacketType(200)
    /// RR, RFC 3550 §6.4.2.
    public static let receiverReport = RTCPPacketType(201)
    /// SDES, RFC 3550 §6.5.
    public static let sourceDescription = RTCPPacketType(202)
    /// BYE, RFC 3550 §6.6.
    public static let goodbye = RTCPPacketType(203)
    /// APP, RFC 3550 §6.7.
    public static let applicationDefined = RTCPPacketType(204)
    /// RTPFB, generic transport layer feedback, RFC 4585 §6.2.
    public static let transportLayerFeedback = RTCPPacketType(205)
    /// PSFB, payload-specific feedback, RFC 4585 §6.3.
    public static let payloadSpecificFeedback = RTCPPacketType(206)
    /// XR, extended reports, RFC 3611 (kept opaque).
    public static let extendedReport = RTCPPacketType(207)

    public var description: String {
        switch rawValue {
        case 200: "SR"
        case 201: "RR"
        case 202: "SDES"
        case 203: "BYE"
        case 204: "APP"
        case 205: "RTPFB"
        case 206: "PSFB"
        case 207: "XR"
        default: "PT\(rawValue)"
        }
    }
}
