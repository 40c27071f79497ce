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
        /// libsrtp2 could not be initialised or refused to create the session.
        case setupFailed
        /// Any other libsrtp2 failure; `status` holds its `srtp_err_status_t`.
        case other
    }

    public var kind: Kind
    /// The libsrtp2 `srtp_err_status_t` value, or 0 when the error was found before calling it.
    public var status: UInt32

    @inlinable
    public init(_ kind: Kind, status: UInt32 = 0) {
        self.kind = kind
        self.status = status
    }

    public var description: String { "srtp \(kind) (status \(status))" }
}
