/// A STUN attribute type (RFC 8489 §14, §18.3): 16 bits. Types 0x0000...0x7FFF are
/// comprehension-required (an agent that does not know one must reject the message with a 420
/// error); 0x8000...0xFFFF are comprehension-optional and may be ignored.
public struct STUNAttributeType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    // RFC 8489 §18.3.1 (comprehension-required)
    public static let mappedAddress = STUNAttributeType(0x0001)
    public static let username = STUNAttributeType(0x0006)
    public static let messageIntegrity = STUNAttributeType(0x0008)
    public static let errorCode = STUNAttributeType(0x0009)
    public static let unknownAttributes = STUNAttributeType(0x000A)
    public static let realm = STUNAttributeType(0x0014)
    public static let nonce = STUNAttributeType(0x0015)
    public static let messageIntegritySHA256 = STUNAttributeType(0x001C)
    public static let passwordAlgorithm = STUNAttributeType(0x001D)
    public static let userhash = STUNAttributeType(0x001E)
    public static let xorMappedAddress = STUNAttributeType(0x0020)
    // RFC 8445 §16.1 (ICE)
    public static let priority = STUNAttributeType(0x0024)
    public static let useCandidate = STUNAttributeType(0x0025)
    // RFC 8489 §18.3.2 (comprehension-optional)
    public static let passwordAlgorithms = STUNAttributeType(0x8002)
    public static let alternateDomain = STUNAttributeType(0x8003)
    public static let software = STUNAttributeType(0x8022)
    public static let alternateServer = STUNAttributeType(0x8023)
    public static let fingerprint = STUNAttributeType(0x8028)
    // RFC 8445 §16.1 (ICE)
    public static let iceControlled = STUNAttributeType(0x8029)
    public static let iceControlling = STUNAttributeType(0x802A)
    // RFC 7982 §3 (sent by some browsers; optional)
    public static let transactionTransmitCounter = STUNAttributeType(0x8025)
    // Google's GOOG-NETWORK-INFO, sent by Chromium in ICE checks (optional).
    public static let googNetworkInfo = STUNAttributeType(0xC057)

    /// True for 0x0000...0x7FFF: a receiver that does not understand it must answer 420.
    @inlinable public var isComprehensionRequired: Bool { rawValue < 0x8000 }

    public var description: String {
        switch self {
        case .mappedAddress: return "MAPPED-ADDRESS"
        case .username: return "USERNAME"
        case .messageIntegrity: return "MESSAGE-INTEGRITY"
        case .errorCode: return "ERROR-CODE"
        case .unknownAttributes: return "UNKNOWN-ATTRIBUTES"
        case .realm: return "REALM"
        case .nonce: return "NONCE"
        case .messageIntegritySHA256: return "MESSAGE-INTEGRITY-SHA256"
        case .passwordAlgorithm: return "PASSWORD-ALGORITHM"
        case .userhash: return "USERHASH"
        case .xorMappedAddress: return "XOR-MAPPED-ADDRESS"
        case .priority: return "PRIORITY"
        case .useCandidate: return "USE-CANDIDATE"
        case .passwordAlgorithms: return "PASSWORD-ALGORITHMS"
        case .alternateDomain: return "ALTERNATE-DOMAIN"
        case .software: return "SOFTWARE"
        case .alternateServer: return "ALTERNATE-SERVER"
        case .fingerprint: return "FINGERPRINT"
        case .iceControlled: return "ICE-CONTROLLED"
        case .iceControlling: return "ICE-CONTROLLING"
        case .transactionTransmitCounter: return "TRANSACTION_TRANSMIT_COUNTER"
        case .googNetworkInfo: return "GOOG-NETWORK-INFO"
        default: return "0x" + String(rawValue, radix: 16)
        }
    }
}
