/// Why an SRTP/SRTCP operation failed. Allocation-free, so the per-packet path may throw it.
public struct SRTPError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The authentication tag did not verify (RFC 3711 §3.3, RFC 7714 §10).
        case authenticationFailed
        /// Replay protection refused the packet (RFC 3711 §3.3.2).
        case replayed
        /// The packet is too short, its header is malformed, or `length` exceeds the buffer.
        case malformed
        /// The buffer has no room for the trailer `protect` appends.
        case bufferTooSmall
        /// The master key or salt does not fit the profile.
        case invalidKey
        /// The backend could not be initialised or refused to create the session.
        case setupFailed
        /// Any other failure (`status` says which): for example an SRTCP packet without the E
        /// flag under an AES-CM profile (14, "cannot check"), or an SRTCP index exhausted (15).
        case other
        /// The packet's SSRC would be a new stream beyond the session's stream limit
        /// (``SRTPSession/maximumStreams``); the openssl backend only.
        case tooManyStreams
    }

    public var kind: Kind
    /// The libsrtp2 `srtp_err_status_t` value of the failure, or 0 when the error was found
    /// before the backend ran. The openssl backend reports the value libsrtp2 gives for the same
    /// failure (7 authentication, 9 replayed, 10 older than the window, 2 or 21 malformed), so
    /// errors compare equal across backends; ``Kind/tooManyStreams`` has status 3 (libsrtp2's
    /// allocation failure).
    public var status: UInt32

    @inlinable
    public init(_ kind: Kind, status: UInt32 = 0) {
        self.kind = kind
        self.status = status
    }

    public var description: String { "srtp \(kind) (status \(status))" }
}
