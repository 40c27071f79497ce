/// The 14-bit STUN message type: a method and a class interleaved (RFC 8489 §5, Figure 3).
///
/// ```
///  0                 1
///  2  3  4 5 6 7 8 9 0 1 2 3 4 5
/// +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
/// |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
/// |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
/// +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
///
/// The two most significant bits of the 16-bit field are always zero for STUN.
public struct STUNMessageType: Hashable, Sendable, CustomStringConvertible {
    public var method: STUNMethod
    public var messageClass: STUNClass

    @inlinable
    public init(method: STUNMethod, class messageClass: STUNClass) {
        self.method = method
        self.messageClass = messageClass
    }

    /// Decodes the 16-bit field; the top two bits are ignored (the parser checks them).
    @inlinable
    public init(rawValue: UInt16) {
        let m = rawValue
        let method = (m & 0x000F) | (m & 0x00E0) >> 1 | (m & 0x3E00) >> 2
        let c = UInt8(truncatingIfNeeded: (m & 0x0010) >> 4 | (m & 0x0100) >> 7)
        self.method = STUNMethod(rawValue: method)
        // `c` is two bits, so every value has a case.
        self.messageClass = STUNClass(rawValue: c) ?? .request
    }

    /// The 16-bit field (top two bits zero).
    @inlinable
    public var rawValue: UInt16 {
        let m = method.rawValue
        let c = UInt16(messageClass.rawValue)
        return (m & 0x000F) | (m & 0x0070) << 1 | (m & 0x0F80) << 2
            | (c & 0b01) << 4 | (c & 0b10) << 7
    }

    public static let bindingRequest = STUNMessageType(method: .binding, class: .request)
    public static let bindingIndication = STUNMessageType(method: .binding, class: .indication)
    public static let bindingSuccess = STUNMessageType(method: .binding, class: .successResponse)
    public static let bindingError = STUNMessageType(method: .binding, class: .errorResponse)

    public var description: String { "\(method) \(messageClass)" }
}
