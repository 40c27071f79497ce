import COpenSSL

/// Why a DTLS operation, certificate or handshake failed.
///
/// Carries the first OpenSSL error code when OpenSSL reported one, so that logs can say which
/// alert or check ended a handshake without this type allocating when it is created.
public struct DTLSError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Key or certificate generation failed.
        case certificateGeneration
        /// A PEM certificate or key could not be read, or they do not belong together.
        case invalidCertificate
        /// OpenSSL refused the context or connection configuration.
        case setupFailed
        /// OpenSSL ended the handshake or connection: a fatal alert received or sent, a
        /// protocol violation, an unsupported version (RFC 6347 §4.1).
        case handshakeFailed
        /// The last flight went unanswered through every retransmission (RFC 6347 §4.2.4.1).
        case handshakeTimeout
        /// The peer's certificate does not match any fingerprint from its SDP (RFC 5763 §5,
        /// RFC 8122 §5).
        case fingerprintMismatch
        /// The peer completed the handshake without a certificate.
        case missingPeerCertificate
        /// The handshake did not negotiate an SRTP profile this library supports
        /// (RFC 5764 §4.1.1).
        case noSRTPProfile
        /// Exporting the SRTP keying material failed (RFC 5764 §4.2).
        case keyExportFailed
        /// Application data cannot be sent before the peer is authenticated.
        case notConnected
        /// The endpoint is closed or failed.
        case closed
    }

    public var kind: Kind
    /// OpenSSL's packed error code (`ERR_get_error`), or 0.
    public var openSSLError: UInt
    public var reason: StaticString

    public init(_ kind: Kind, openSSLError: UInt = 0, _ reason: StaticString = "") {
        self.kind = kind
        self.openSSLError = openSSLError
        self.reason = reason
    }

    /// OpenSSL's text for ``openSSLError``, e.g. "sslv3 alert handshake failure".
    public var openSSLReason: String? {
        guard openSSLError != 0, let text = ERR_reason_error_string(openSSLError) else { return nil }
        return String(cString: text)
    }

    public var description: String {
        var s = "dtls \(kind)"
        if reason.utf8CodeUnitCount > 0 { s += ": \(reason)" }
        if let r = openSSLReason { s += " (openssl: \(r))" }
        return s
    }

    public static func == (a: DTLSError, b: DTLSError) -> Bool {
        a.kind == b.kind && a.openSSLError == b.openSSLError
            && a.reason.description == b.reason.description
    }

    public func hash(into h: inout Hasher) {
        h.combine(kind)
        h.combine(openSSLError)
    }

    /// The kind with the first error on this thread's OpenSSL error queue, which is cleared.
    static func fromOpenSSL(_ kind: Kind, _ reason: StaticString = "") -> DTLSError {
        let code = ERR_get_error()
        ERR_clear_error()
        return DTLSError(kind, openSSLError: code, reason)
    }
}
