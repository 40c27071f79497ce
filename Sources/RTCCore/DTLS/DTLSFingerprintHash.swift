import COpenSSL

/// A hash function for certificate fingerprints in SDP (RFC 8122 §5, `hash-func`; names from
/// the IANA "Hash Function Textual Names" registry).
///
/// MD5 and MD2, which the grammar also allows, are refused: they do not bind a certificate.
public enum DTLSFingerprintHash: String, Sendable, Hashable, CaseIterable {
    case sha1 = "sha-1"
    case sha224 = "sha-224"
    case sha256 = "sha-256"
    case sha384 = "sha-384"
    case sha512 = "sha-512"

    /// Digest length in bytes.
    public var digestLength: Int {
        switch self {
        case .sha1: return 20
        case .sha224: return 28
        case .sha256: return 32
        case .sha384: return 48
        case .sha512: return 64
        }
    }

    /// The SDP token, e.g. `sha-256`.
    public var sdpName: String { rawValue }

    /// The hash for an SDP token, compared case-insensitively (RFC 8122 §5); nil when unknown
    /// or refused.
    public init?(sdpName: String) {
        self.init(rawValue: sdpName.lowercased())
    }

    /// The OpenSSL digest implementing it.
    var evpDigest: OpaquePointer? {
        switch self {
        case .sha1: return EVP_sha1()
        case .sha224: return EVP_sha224()
        case .sha256: return EVP_sha256()
        case .sha384: return EVP_sha384()
        case .sha512: return EVP_sha512()
        }
    }
}
