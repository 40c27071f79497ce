/// The implementation behind an ``SRTPSession``. Both produce identical bytes and identical
/// verdicts for the same keys and packets (the tests check it packet by packet).
public enum SRTPBackend: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// This library's SRTP/SRTCP (RFC 3711, RFC 7714) on OpenSSL EVP ciphers and a precomputed
    /// HMAC-SHA1 state: contexts keyed once per session, no heap allocation per packet.
    /// The default.
    case openssl
    /// libsrtp2 (Debian's build runs on NSS, which allocates per AES-GCM operation). Kept as
    /// the reference implementation and as a fallback.
    case libsrtp

    /// The backend sessions use unless configured otherwise.
    public static let `default`: SRTPBackend = .openssl

    public var description: String { rawValue }
}
