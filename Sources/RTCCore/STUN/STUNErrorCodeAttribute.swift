/// The ERROR-CODE attribute value (RFC 8489 §14.8): a view over the message bytes.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           Reserved, should be 0         |Class|     Number    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      Reason Phrase (variable, UTF-8, < 128 characters)       ..
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
///
/// Class is 3...6 and Number 0...99; the code is Class * 100 + Number.
public struct STUNErrorCodeAttribute {
    public let code: STUNErrorCode
    /// The reason phrase bytes (UTF-8), borrowed.
    public let reason: UnsafeRawBufferPointer

    /// RFC 8489 §14.8: at most 763 bytes of reason phrase.
    public static let maxReasonLength = 763

    public init(code: STUNErrorCode, reason: UnsafeRawBufferPointer) {
        self.code = code
        self.reason = reason
    }

    /// Decodes an ERROR-CODE value found at `offset`.
    public init(parsing value: UnsafeRawBufferPointer, at offset: Int) throws(ParseError) {
        guard value.count >= 4 else {
            throw ParseError(.stun, .truncated, at: offset, "ERROR-CODE shorter than 4")
        }
        let errorClass = value[2] & 0x07
        let number = value[3]
        guard (3...6).contains(errorClass), number < 100 else {
            throw ParseError(.stun, .invalidValue, at: offset &+ 2, "ERROR-CODE class or number out of range")
        }
        guard value.count - 4 <= Self.maxReasonLength else {
            throw ParseError(.stun, .invalidLength, at: offset, "ERROR-CODE reason too long")
        }
        code = STUNErrorCode(UInt16(errorClass) * 100 + UInt16(number))
        reason = UnsafeRawBufferPointer(rebasing: value[4...])
    }

    /// The reason phrase as a String (allocates; for logs).
    public var reasonString: String { String(decoding: reason, as: UTF8.self) }
}
