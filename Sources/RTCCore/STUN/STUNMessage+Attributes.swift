/// Typed accessors for the attributes RTCCore understands. Each returns nil when the
/// attribute is absent and throws ``ParseError`` when it is present but malformed; they follow
/// ``STUNMessage/attribute(_:)`` (first occurrence, nothing after MESSAGE-INTEGRITY).
extension STUNMessage {
    /// XOR-MAPPED-ADDRESS (RFC 8489 §14.2), IPv4 or IPv6.
    public func xorMappedAddress() throws(ParseError) -> TransportAddress? {
        guard let a = attribute(.xorMappedAddress) else { return nil }
        return try STUNAddressAttribute.decode(a.value, xor: transactionID, at: a.offset &+ 4)
    }

    /// MAPPED-ADDRESS (RFC 8489 §14.1), kept for RFC 3489 servers.
    public func mappedAddress() throws(ParseError) -> TransportAddress? {
        guard let a = attribute(.mappedAddress) else { return nil }
        return try STUNAddressAttribute.decode(a.value, xor: nil, at: a.offset &+ 4)
    }

    /// USERNAME (RFC 8489 §14.3): the raw UTF-8 bytes, at most 513. ICE uses
    /// "receiverUfrag:senderUfrag" (RFC 8445 §7.2.2).
    public func username() throws(ParseError) -> UnsafeRawBufferPointer? {
        guard let a = attribute(.username) else { return nil }
        guard a.value.count <= 513 else {
            throw ParseError(.stun, .invalidLength, at: a.offset &+ 2, "USERNAME longer than 513 bytes")
        }
        return a.value
    }

    /// SOFTWARE (RFC 8489 §14.14): raw UTF-8 bytes describing the sender's software.
    public func software() throws(ParseError) -> UnsafeRawBufferPointer? {
        guard let a = attribute(.software) else { return nil }
        guard a.value.count <= 763 else {
            throw ParseError(.stun, .invalidLength, at: a.offset &+ 2, "SOFTWARE longer than 763 bytes")
        }
        return a.value
    }

    /// REALM (RFC 8489 §14.9), long-term credentials: raw bytes.
    public func realm() throws(ParseError) -> UnsafeRawBufferPointer? {
        guard let a = attribute(.realm) else { return nil }
        guard a.value.count <= 763 else {
            throw ParseError(.stun, .invalidLength, at: a.offset &+ 2, "REALM longer than 763 bytes")
        }
        return a.value
    }

    /// NONCE (RFC 8489 §14.10), long-term credentials: raw bytes.
    public func nonce() throws(ParseError) -> UnsafeRawBufferPointer? {
        guard let a = attribute(.nonce) else { return nil }
        guard a.value.count <= 763 else {
            throw ParseError(.stun, .invalidLength, at: a.offset &+ 2, "NONCE longer than 763 bytes")
        }
        return a.value
    }

    /// ERROR-CODE (RFC 8489 §14.8).
    public func errorCode() throws(ParseError) -> STUNErrorCodeAttribute? {
        guard let a = attribute(.errorCode) else { return nil }
        return try STUNErrorCodeAttribute(parsing: a.value, at: a.offset &+ 4)
    }

    /// UNKNOWN-ATTRIBUTES (RFC 8489 §14.11).
    public func unknownAttributes() throws(ParseError) -> STUNUnknownAttributes? {
        guard let a = attribute(.unknownAttributes) else { return nil }
        return try STUNUnknownAttributes(parsing: a.value, at: a.offset &+ 4)
    }

    /// PRIORITY (RFC 8445 §7.1.1, §16.1): the priority a peer-reflexive candidate would get.
    public func priority() throws(ParseError) -> UInt32? {
        guard let a = attribute(.priority) else { return nil }
        guard a.value.count == 4 else {
            throw ParseError(.stun, .invalidLength, at: a.offset &+ 2, "PRIORITY length not 4")
        }
        return a.value.rtcU32(at: 0)
    }

    /// USE-CANDIDATE (RFC 8445 §7.1.2, §16.1): the controlling agent nominates this pair.
    public var hasUseCandidate: Bool { attribute(.useCandidate) != nil }

    /// ICE-CONTROLLING (RFC 8445 §7.1.3, §16.1): the sender's 64-bit tie-breaker.
    public func iceControlling() throws(ParseError) -> UInt64? {
        try tieBreaker(.iceControlling)
    }

    /// ICE-CONTROLLED (RFC 8445 §7.1.3, §16.1): the sender's 64-bit tie-breaker.
    public func iceControlled() throws(ParseError) -> UInt64? {
        try tieBreaker(.iceControlled)
    }

    private func tieBreaker(_ type: STUNAttributeType) throws(ParseError) -> UInt64? {
        guard let a = attribute(type) else { return nil }
        guard a.value.count == 8 else {
            throw ParseError(.stun, .invalidLength, at: a.offset &+ 2, "ICE role attribute length not 8")
        }
        return UInt64(a.value.rtcU32(at: 0)) << 32 | UInt64(a.value.rtcU32(at: 4))
    }

    /// The first comprehension-required attribute type that RTCCore does not understand, if
    /// any (RFC 8489 §6.3.1: a request carrying one is answered with 420).
    public var firstUnknownComprehensionRequired: STUNAttributeType? {
        for a in attributes where a.type.isComprehensionRequired && !a.type.isUnderstood {
            if let i = integrityOffset, a.offset > i { break }
            return a.type
        }
        return nil
    }
}

extension STUNAttributeType {
    /// True for the comprehension-required types RTCCore processes.
    public var isUnderstood: Bool {
        switch self {
        case .mappedAddress, .username, .messageIntegrity, .errorCode, .unknownAttributes,
             .realm, .nonce, .xorMappedAddress, .priority, .useCandidate:
            return true
        default:
            return !isComprehensionRequired
        }
    }
}
