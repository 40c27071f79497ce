/// A STUN error response code (RFC 8489 §14.8, §18.4; RFC 8445 §16.2 adds 487).
public struct STUNErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code, 300...699.
    public let rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let tryAlternate = STUNErrorCode(300)
    public static let badRequest = STUNErrorCode(400)
    public static let unauthorized = STUNErrorCode(401)
    public static let unknownAttribute = STUNErrorCode(420)
    public static let staleNonce = STUNErrorCode(438)
    /// RFC 8445 §7.3.1.1: both agents claimed the same ICE role.
    public static let roleConflict = STUNErrorCode(487)
    public static let serverError = STUNErrorCode(500)

    /// The hundreds digit (3...6).
    @inlinable public var errorClass: UInt8 { UInt8(truncatingIfNeeded: rawValue / 100) }
    /// The code modulo 100.
    @inlinable public var number: UInt8 { UInt8(truncatingIfNeeded: rawValue % 100) }

    /// The reason phrase RFC 8489 suggests for the code.
    public var defaultReason: StaticString {
        switch rawValue {
        case 300: return "Try Alternate"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 420: return "Unknown Attribute"
        case 438: return "Stale Nonce"
        case 487: return "Role Conflict"
        case 500: return "Server Error"
        default: return "Error"
        }
    }

    public var description: String { "\(rawValue) \(defaultReason)" }
}
