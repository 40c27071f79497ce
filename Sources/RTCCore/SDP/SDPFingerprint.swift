/// The SDP layer's former fingerprint type, merged into ``DTLSFingerprint`` (one concept,
/// one type). Kept only so that existing callers compile; use ``DTLSFingerprint``.
@available(*, deprecated, renamed: "DTLSFingerprint")
public typealias SDPFingerprint = DTLSFingerprint

extension DTLSFingerprint {
    /// Transition shim for the former `SDPFingerprint(hashFunction:bytes:)`, for callers that
    /// pass a certificate's own fingerprint (always a supported hash with a digest of its
    /// length). Anything else is a programming error and stops the process: use
    /// ``DTLSCertificate/fingerprint`` or the failable ``init(hash:digest:)`` instead.
    @available(*, deprecated, message: "use DTLSCertificate.fingerprint or DTLSFingerprint(hash:digest:)")
    public init(hashFunction: String, bytes: [UInt8]) {
        guard let hash = DTLSFingerprintHash(sdpName: hashFunction),
              let fingerprint = DTLSFingerprint(hash: hash, digest: bytes) else {
            preconditionFailure("fingerprint with an unsupported hash or a digest of the wrong length")
        }
        self = fingerprint
    }
}
