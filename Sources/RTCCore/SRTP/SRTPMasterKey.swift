/// The master key and master salt of one SRTP direction (RFC 3711 §3.2.1, §4.3), as exported by
/// DTLS-SRTP (RFC 5764 §4.2) or given directly (tests, vectors).
///
/// libsrtp2 takes them concatenated, key first:
///
/// ```
/// | master key (16 or 32 bytes) | master salt (14 or 12 bytes) |
/// ```
///
/// Its description never shows the key or salt, so that logging an event cannot leak them.
public struct SRTPMasterKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let profile: SRTPProfile
    public let key: [UInt8]
    public let salt: [UInt8]

    /// Nil when the lengths do not match `profile`.
    public init?(profile: SRTPProfile, key: [UInt8], salt: [UInt8]) {
        guard key.count == profile.keyLength, salt.count == profile.saltLength else { return nil }
        self.profile = profile
        self.key = key
        self.salt = salt
    }

    /// Key followed by salt: the layout libsrtp2's `srtp_policy_t.key` expects.
    public var keyAndSalt: [UInt8] { key + salt }

    public var description: String { "SRTPMasterKey(\(profile), <redacted>)" }
    public var debugDescription: String { description }
}
