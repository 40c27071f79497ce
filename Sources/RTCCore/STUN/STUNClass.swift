/// The class of a STUN message (RFC 8489 §5): two bits, C1 and C0, of the message type.
public enum STUNClass: UInt8, Sendable, Hashable, CaseIterable {
    case request = 0b00
    case indication = 0b01
    case successResponse = 0b10
    case errorResponse = 0b11

    /// True for success and error responses.
    public var isResponse: Bool { rawValue & 0b10 != 0 }
}
