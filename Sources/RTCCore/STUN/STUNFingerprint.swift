/// The FINGERPRINT attribute (RFC 8489 §14.7): CRC-32 of the message up to (not including)
/// this attribute, xor 0x5354554E ("STUN"), with the header length already counting the
/// FINGERPRINT attribute itself. It must be the last attribute.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      Type = 0x8028            |          Length = 4           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  CRC-32(message before) ^ 0x5354554E          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
public enum STUNFingerprint {
    public static let xorValue: UInt32 = 0x5354_554E
    /// Size of the whole attribute (header and value).
    public static let attributeSize = 8

    /// The FINGERPRINT value for `prefix` (header with final length, and the attributes
    /// before FINGERPRINT).
    @inlinable
    public static func value(over prefix: UnsafeRawBufferPointer) -> UInt32 {
        CRC32.checksum(prefix) ^ xorValue
    }
}

extension STUNMessage {
    /// The FINGERPRINT value carried by the message, if present.
    public var fingerprint: UInt32? {
        guard let f = fingerprintOffset, bytes.count - f >= 8 else { return nil }
        return bytes.rtcU32(at: f &+ 4)
    }

    /// Checks FINGERPRINT (RFC 8489 §7.3). Throws `.invalidValue` when the message has none
    /// and `.integrityMismatch` when it does not match.
    public func verifyFingerprint() throws(ParseError) {
        guard let f = fingerprintOffset, let carried = fingerprint else {
            throw ParseError(.stun, .invalidValue, at: 0, "no FINGERPRINT")
        }
        // FINGERPRINT is the last attribute (checked by the parser), so the header length
        // already counts it and the CRC runs over the original bytes.
        let prefix = UnsafeRawBufferPointer(rebasing: bytes[0..<f])
        guard STUNFingerprint.value(over: prefix) == carried else {
            throw ParseError(.stun, .integrityMismatch, at: f, "FINGERPRINT mismatch")
        }
    }
}
