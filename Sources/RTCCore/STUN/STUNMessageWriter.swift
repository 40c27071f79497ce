/// Writes one STUN message into a caller-owned buffer (RFC 8489 §5, §14).
///
/// The header is written first; each `append…` adds one attribute (with padding to a 4-byte
/// boundary) and updates the header's length field, so the buffer always holds a complete
/// message. ``appendMessageIntegrity(key:)`` and ``appendFingerprint()`` compute over what was
/// written so far with the length field set as RFC 8489 §14.5 and §14.7 require; append them
/// last, in that order.
///
/// ```swift
/// var storage = [UInt8](repeating: 0, count: 256)
/// let n = try storage.withUnsafeMutableBytes { buf throws(WriteError) in
///     var w = try STUNMessageWriter(into: buf, type: .bindingSuccess, transactionID: tid)
///     try w.appendXORMappedAddress(peer)
///     try w.appendMessageIntegrity(key: pwd)
///     try w.appendFingerprint()
///     return w.count
/// }
/// ```
public struct STUNMessageWriter {
    @usableFromInline var writer: ByteWriter
    public let transactionID: STUNTransactionID
    /// The byte written into attribute padding. RFC 8489 §14 lets it be anything; 0 is usual
    /// (RFC 5769's vectors use 0x20, which this reproduces).
    public var paddingByte: UInt8

    /// Starts a message at the beginning of `buffer`.
    public init(into buffer: UnsafeMutableRawBufferPointer, type: STUNMessageType,
                transactionID: STUNTransactionID, paddingByte: UInt8 = 0) throws(WriteError) {
        writer = ByteWriter(buffer, format: .stun)
        self.transactionID = transactionID
        self.paddingByte = paddingByte
        try writer.writeU16(type.rawValue)
        try writer.writeU16(0)
        try writer.writeU32(STUNMessage.magicCookie)
        try transactionID.write(to: &writer)
    }

    /// Bytes written so far: the whole message.
    @inlinable public var count: Int { writer.position }

    private mutating func setLength(_ bodyLength: Int) throws(WriteError) {
        guard bodyLength >= 0, bodyLength <= 0xFFFF else {
            throw WriteError(.stun, .valueOutOfRange)
        }
        try writer.patchU16(UInt16(bodyLength), at: 2)
    }

    /// Writes an attribute header for a value of `length` bytes, checking room for the
    /// padded value too; the caller writes the value and then calls `finishAttribute`.
    private mutating func beginAttribute(_ type: STUNAttributeType, length: Int) throws(WriteError) {
        guard length >= 0, length <= 0xFFFF else { throw WriteError(.stun, .valueOutOfRange) }
        try writer.require(4 &+ STUNAttribute.paddedLength(length))
        try writer.writeU16(type.rawValue)
        try writer.writeU16(UInt16(length))
    }

    private mutating func finishAttribute(valueLength: Int) throws(WriteError) {
        let pad = STUNAttribute.paddedLength(valueLength) &- valueLength
        for _ in 0..<pad { try writer.writeU8(paddingByte) }
        try setLength(writer.position &- STUNMessage.headerSize)
    }

    /// Appends an attribute with raw value bytes.
    public mutating func append(_ type: STUNAttributeType, value: UnsafeRawBufferPointer) throws(WriteError) {
        try beginAttribute(type, length: value.count)
        try writer.writeBytes(value)
        try finishAttribute(valueLength: value.count)
    }

    /// Appends an attribute with a value given as an array (control plane, tests).
    public mutating func append(_ type: STUNAttributeType, value: [UInt8]) throws(WriteError) {
        try beginAttribute(type, length: value.count)
        try writer.writeBytes(value)
        try finishAttribute(valueLength: value.count)
    }

    /// Appends an attribute whose value is the UTF-8 bytes of `text`.
    public mutating func append(_ type: STUNAttributeType, utf8 text: String) throws(WriteError) {
        let utf8 = text.utf8
        try beginAttribute(type, length: utf8.count)
        try writer.writeBytes(utf8)
        try finishAttribute(valueLength: utf8.count)
    }

    /// XOR-MAPPED-ADDRESS (RFC 8489 §14.2).
    public mutating func appendXORMappedAddress(_ address: TransportAddress) throws(WriteError) {
        let n = STUNAddressAttribute.valueLength(address)
        try beginAttribute(.xorMappedAddress, length: n)
        try STUNAddressAttribute.write(address, xor: transactionID, to: &writer)
        try finishAttribute(valueLength: n)
    }

    /// MAPPED-ADDRESS (RFC 8489 §14.1).
    public mutating func appendMappedAddress(_ address: TransportAddress) throws(WriteError) {
        let n = STUNAddressAttribute.valueLength(address)
        try beginAttribute(.mappedAddress, length: n)
        try STUNAddressAttribute.write(address, xor: nil, to: &writer)
        try finishAttribute(valueLength: n)
    }

    /// USERNAME (RFC 8489 §14.3).
    public mutating func appendUsername(_ username: String) throws(WriteError) {
        try append(.username, utf8: username)
    }

    /// SOFTWARE (RFC 8489 §14.14).
    public mutating func appendSoftware(_ software: String) throws(WriteError) {
        try append(.software, utf8: software)
    }

    /// ERROR-CODE (RFC 8489 §14.8); `reason` defaults to the code's usual phrase.
    public mutating func appendErrorCode(_ code: STUNErrorCode, reason: String? = nil) throws(WriteError) {
        guard (300...699).contains(code.rawValue) else { throw WriteError(.stun, .valueOutOfRange) }
        let text = reason ?? code.defaultReason.description
        let utf8 = text.utf8
        guard utf8.count <= STUNErrorCodeAttribute.maxReasonLength else {
            throw WriteError(.stun, .valueOutOfRange)
        }
        try beginAttribute(.errorCode, length: 4 &+ utf8.count)
        try writer.writeU16(0)
        try writer.writeU8(code.errorClass)
        try writer.writeU8(code.number)
        try writer.writeBytes(utf8)
        try finishAttribute(valueLength: 4 &+ utf8.count)
    }

    /// UNKNOWN-ATTRIBUTES (RFC 8489 §14.11).
    public mutating func appendUnknownAttributes(_ types: [STUNAttributeType]) throws(WriteError) {
        let n = types.count &* 2
        try beginAttribute(.unknownAttributes, length: n)
        for t in types { try writer.writeU16(t.rawValue) }
        try finishAttribute(valueLength: n)
    }

    /// PRIORITY (RFC 8445 §7.1.1).
    public mutating func appendPriority(_ priority: UInt32) throws(WriteError) {
        try beginAttribute(.priority, length: 4)
        try writer.writeU32(priority)
        try finishAttribute(valueLength: 4)
    }

    /// USE-CANDIDATE (RFC 8445 §7.1.2): no value.
    public mutating func appendUseCandidate() throws(WriteError) {
        try beginAttribute(.useCandidate, length: 0)
        try finishAttribute(valueLength: 0)
    }

    /// ICE-CONTROLLING (RFC 8445 §7.1.3) with the agent's tie-breaker.
    public mutating func appendICEControlling(_ tieBreaker: UInt64) throws(WriteError) {
        try beginAttribute(.iceControlling, length: 8)
        try writer.writeU64(tieBreaker)
        try finishAttribute(valueLength: 8)
    }

    /// ICE-CONTROLLED (RFC 8445 §7.1.3) with the agent's tie-breaker.
    public mutating func appendICEControlled(_ tieBreaker: UInt64) throws(WriteError) {
        try beginAttribute(.iceControlled, length: 8)
        try writer.writeU64(tieBreaker)
        try finishAttribute(valueLength: 8)
    }

    /// MESSAGE-INTEGRITY (RFC 8489 §14.5): HMAC-SHA1 with `key` over everything written so
    /// far, with the length field already counting this attribute.
    public mutating func appendMessageIntegrity(key: UnsafeRawBufferPointer) throws(WriteError) {
        let start = writer.position
        try writer.require(STUNMessageIntegrity.attributeSize)
        try setLength(start &+ STUNMessageIntegrity.attributeSize &- STUNMessage.headerSize)
        try writer.writeU16(STUNAttributeType.messageIntegrity.rawValue)
        try writer.writeU16(UInt16(STUNMessageIntegrity.size))
        // The 24 bytes at `start` were reserved by `require` above, so both slices are in
        // the buffer.
        let covered = UnsafeRawBufferPointer(rebasing: writer.buffer[0..<start])
        let mac = UnsafeMutableRawBufferPointer(
            rebasing: writer.buffer[(start &+ 4)..<(start &+ STUNMessageIntegrity.attributeSize)])
        STUNMessageIntegrity.hmac(key: key, data: covered, into: mac)
        writer.position = start &+ STUNMessageIntegrity.attributeSize
    }

    /// MESSAGE-INTEGRITY with a key given as bytes.
    public mutating func appendMessageIntegrity(key: [UInt8]) throws(WriteError) {
        let r: Result<Void, WriteError> = key.withUnsafeBytes { k in
            do throws(WriteError) {
                try appendMessageIntegrity(key: k)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try r.get()
    }

    /// FINGERPRINT (RFC 8489 §14.7): must be the last attribute.
    public mutating func appendFingerprint() throws(WriteError) {
        let start = writer.position
        try writer.require(STUNFingerprint.attributeSize)
        try setLength(start &+ STUNFingerprint.attributeSize &- STUNMessage.headerSize)
        let crc = STUNFingerprint.value(over: UnsafeRawBufferPointer(rebasing: writer.buffer[0..<start]))
        try writer.writeU16(STUNAttributeType.fingerprint.rawValue)
        try writer.writeU16(4)
        try writer.writeU32(crc)
    }
}

extension STUNMessageWriter {
    /// Builds a message into a new array (control plane and tests): `body` appends the
    /// attributes. `capacity` bounds the message size.
    public static func message(
        type: STUNMessageType, transactionID: STUNTransactionID, paddingByte: UInt8 = 0,
        capacity: Int = 1280, _ body: (inout STUNMessageWriter) throws(WriteError) -> Void
    ) throws(WriteError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: capacity)
        let r: Result<Int, WriteError> = out.withUnsafeMutableBytes { buf in
            do throws(WriteError) {
                var w = try STUNMessageWriter(into: buf, type: type, transactionID: transactionID,
                                              paddingByte: paddingByte)
                try body(&w)
                return .success(w.count)
            } catch {
                return .failure(error)
            }
        }
        let n = try r.get()
        out.removeSubrange(n...)
        return out
    }
}
