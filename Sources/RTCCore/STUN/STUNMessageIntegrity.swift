import CRTCShims

/// The MESSAGE-INTEGRITY attribute (RFC 8489 §14.5): HMAC-SHA1 over the message up to (not
/// including) this attribute, computed with the header's length field set as if
/// MESSAGE-INTEGRITY were the last attribute (so a FINGERPRINT that follows is not counted).
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      Type = 0x0008            |          Length = 20          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                                                               |
/// |                   HMAC-SHA1 (20 bytes)                        |
/// |                                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
///
/// Keys: short-term credentials (ICE, RFC 8489 §9.1.1) use the password's UTF-8 bytes
/// (OpaqueString preparation is the identity for the ASCII ice-pwd grammar); long-term
/// credentials (§9.2.2) use MD5(username ":" realm ":" password), which the caller supplies.
public enum STUNMessageIntegrity {
    /// Size of the HMAC value.
    public static let size = 20
    /// Size of the whole attribute (header and value).
    public static let attributeSize = 24

    /// Computes HMAC-SHA1(key, data) into `out` (at least 20 bytes).
    @inlinable
    public static func hmac(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer,
                            into out: UnsafeMutableRawBufferPointer) {
        // Internal invariant: callers pass a 20-byte (or larger) destination.
        precondition(out.count >= size, "HMAC output buffer too small")
        guard let outBase = out.baseAddress else { return }
        var emptyKey: UInt8 = 0
        withUnsafeMutablePointer(to: &emptyKey) { fallbackKey in
            let keyBase = key.baseAddress ?? UnsafeRawPointer(fallbackKey)
            let dataBase = data.baseAddress ?? UnsafeRawPointer(fallbackKey)
            let ok = rtc_hmac_sha1(keyBase, key.count, dataBase, data.count,
                                   outBase.assumingMemoryBound(to: UInt8.self))
            if ok != 1 {
                // OpenSSL failed (out of memory): make the result one no peer can match.
                outBase.initializeMemory(as: UInt8.self, repeating: 0, count: size)
            }
        }
    }

    /// Compares two equal-length byte ranges in constant time.
    @inlinable
    static func constantTimeEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}

extension STUNMessage {
    /// Verifies MESSAGE-INTEGRITY with `key` (RFC 8489 §14.5). Throws `.invalidValue` when the
    /// message has no MESSAGE-INTEGRITY and `.integrityMismatch` when the HMAC differs.
    ///
    /// The covered bytes are copied to a temporary (stack for ordinary message sizes) buffer
    /// so that the length field can be adjusted without touching the caller's bytes.
    public func verifyMessageIntegrity(key: UnsafeRawBufferPointer) throws(ParseError) {
        guard let mi = integrityOffset, bytes.count - mi >= STUNMessageIntegrity.attributeSize else {
            throw ParseError(.stun, .invalidValue, at: 0, "no MESSAGE-INTEGRITY")
        }
        let carried = UnsafeRawBufferPointer(
            rebasing: bytes[(mi &+ 4)..<(mi &+ STUNMessageIntegrity.attributeSize)])
        let adjustedLength = mi &+ STUNMessageIntegrity.attributeSize &- STUNMessage.headerSize
        let matches = withUnsafeTemporaryAllocation(
            byteCount: mi &+ STUNMessageIntegrity.size, alignment: 1
        ) { scratch -> Bool in
            let prefix = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<mi])
            prefix.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<mi]))
            prefix[2] = UInt8(truncatingIfNeeded: adjustedLength >> 8)
            prefix[3] = UInt8(truncatingIfNeeded: adjustedLength)
            let mac = UnsafeMutableRawBufferPointer(rebasing: scratch[mi...])
            STUNMessageIntegrity.hmac(key: key, data: UnsafeRawBufferPointer(prefix), into: mac)
            return STUNMessageIntegrity.constantTimeEqual(UnsafeRawBufferPointer(mac), carried)
        }
        guard matches else {
            throw ParseError(.stun, .integrityMismatch, at: mi, "MESSAGE-INTEGRITY mismatch")
        }
    }

    /// Verifies MESSAGE-INTEGRITY with a key given as bytes.
    public func verifyMessageIntegrity(key: [UInt8]) throws(ParseError) {
        let r: Result<Void, ParseError> = key.withUnsafeBytes { k in
            do throws(ParseError) {
                try verifyMessageIntegrity(key: k)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try r.get()
    }
}
