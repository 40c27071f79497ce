/// A parsed STUN message (RFC 8489 §5, RFC 5389): a view over the caller's bytes.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |0 0|     STUN Message Type     |         Message Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         Magic Cookie                          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                                                               |
/// |                     Transaction ID (96 bits)                  |
/// |                                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                 Attributes (Message Length bytes)             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
///
/// Parsing checks the header (top bits zero, magic cookie, length a multiple of 4 and equal to
/// the datagram's remaining bytes) and walks the attributes once, checking each lies inside
/// the message and that FINGERPRINT, if present, is last. It does not verify
/// MESSAGE-INTEGRITY or FINGERPRINT: call ``verifyMessageIntegrity(key:)`` and
/// ``verifyFingerprint()``. Typed accessors live in extensions (`STUNMessage+Attributes`).
///
/// The view borrows the bytes: it is valid only while the caller keeps them alive.
public struct STUNMessage {
    /// The whole message (header and attributes).
    public let bytes: UnsafeRawBufferPointer
    public let type: STUNMessageType
    public let transactionID: STUNTransactionID
    /// Offset of the first MESSAGE-INTEGRITY attribute, if any.
    public let integrityOffset: Int?
    /// Offset of the FINGERPRINT attribute (always the last one), if any.
    public let fingerprintOffset: Int?

    public static let headerSize = 20
    /// RFC 8489 §5: the fixed value 0x2112A442 in every message.
    public static let magicCookie: UInt32 = 0x2112_A442

    public var method: STUNMethod { type.method }
    public var messageClass: STUNClass { type.messageClass }

    /// Parses one complete STUN message occupying all of `bytes` (one UDP datagram).
    public init(parsing bytes: UnsafeRawBufferPointer) throws(ParseError) {
        guard bytes.count >= Self.headerSize else {
            throw ParseError(.stun, .truncated, at: bytes.count, "shorter than STUN header")
        }
        let rawType = bytes.rtcU16(at: 0)
        guard rawType & 0xC000 == 0 else {
            throw ParseError(.stun, .invalidValue, at: 0, "top two bits not zero")
        }
        let length = Int(bytes.rtcU16(at: 2))
        guard length & 3 == 0 else {
            throw ParseError(.stun, .invalidLength, at: 2, "length not a multiple of 4")
        }
        guard bytes.rtcU32(at: 4) == Self.magicCookie else {
            throw ParseError(.stun, .invalidValue, at: 4, "bad magic cookie")
        }
        let end = Self.headerSize &+ length
        guard end <= bytes.count else {
            throw ParseError(.stun, .truncated, at: bytes.count, "message length past end")
        }
        guard end == bytes.count else {
            throw ParseError(.stun, .invalidLength, at: 2, "bytes after message")
        }
        // `bytes.count >= 20` was checked above, so the 12-byte slice exists.
        let tid = STUNTransactionID(hi: bytes.rtcU32(at: 8),
                                    lo: UInt64(bytes.rtcU32(at: 12)) << 32 | UInt64(bytes.rtcU32(at: 16)))

        var integrity: Int?
        var fingerprint: Int?
        var offset = Self.headerSize
        while offset < end {
            guard end - offset >= 4 else {
                throw ParseError(.stun, .truncated, at: offset, "attribute header past end")
            }
            if fingerprint != nil {
                throw ParseError(.stun, .invalidValue, at: offset, "attribute after FINGERPRINT")
            }
            let type = STUNAttributeType(bytes.rtcU16(at: offset))
            let valueLength = Int(bytes.rtcU16(at: offset &+ 2))
            let padded = STUNAttribute.paddedLength(valueLength)
            guard padded <= end - offset - 4 else {
                throw ParseError(.stun, .invalidLength, at: offset &+ 2, "attribute length past end")
            }
            switch type {
            case .messageIntegrity:
                guard valueLength == STUNMessageIntegrity.size else {
                    throw ParseError(.stun, .invalidLength, at: offset &+ 2,
                                     "MESSAGE-INTEGRITY length not 20")
                }
                if integrity == nil { integrity = offset }
            case .fingerprint:
                guard valueLength == 4 else {
                    throw ParseError(.stun, .invalidLength, at: offset &+ 2, "FINGERPRINT length not 4")
                }
                fingerprint = offset
            default:
                break
            }
            offset = offset &+ 4 &+ padded
        }
        self.bytes = bytes
        self.type = STUNMessageType(rawValue: rawType)
        self.transactionID = tid
        self.integrityOffset = integrity
        self.fingerprintOffset = fingerprint
    }

    /// Value of the Message Length field (bytes after the header).
    @inlinable public var length: Int { bytes.count &- Self.headerSize }

    /// All attributes in wire order, including any that follow MESSAGE-INTEGRITY.
    @inlinable public var attributes: STUNAttributes { STUNAttributes(bytes: bytes) }

    /// The first attribute of `type` that a receiver must process.
    ///
    /// RFC 8489 §14.5: attributes after MESSAGE-INTEGRITY other than
    /// MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are ignored; RFC 8489 §14: only the first
    /// occurrence of an attribute is processed.
    public func attribute(_ type: STUNAttributeType) -> STUNAttribute? {
        for a in attributes {
            if let i = integrityOffset, a.offset > i,
               a.type != .fingerprint, a.type != .messageIntegritySHA256 {
                continue
            }
            if a.type == type { return a }
        }
        return nil
    }

    /// True when a message-integrity check is possible.
    @inlinable public var hasMessageIntegrity: Bool { integrityOffset != nil }
    @inlinable public var hasFingerprint: Bool { fingerprintOffset != nil }
}
