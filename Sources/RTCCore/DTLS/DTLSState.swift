/// Where a ``DTLSEndpoint`` is in its life.
///
/// ```
/// idle ──start / first datagram──▶ handshaking ──handshake done──▶ connected
///                                     │      └──no remote fingerprint yet──▶ awaitingFingerprint
///                                     │                                        │ fingerprints set
///                                     ▼                                        ▼
///                                   failed ◀── mismatch / alert / timeout ── (verify)
/// any ──close() or close_notify──▶ closed
/// ```
public enum DTLSState: Sendable, Hashable {
    /// Created; a client has not sent its ClientHello, a server has seen no datagram.
    case idle
    /// Flights are being exchanged.
    case handshaking
    /// The handshake finished but the peer's SDP fingerprint is not known yet: nothing is
    /// released until ``DTLSEndpoint/setRemoteFingerprints(_:now:)`` authenticates the peer.
    case awaitingFingerprint
    /// The peer is authenticated; SRTP keys were released in a `.connected` event.
    case connected
    /// The handshake or connection failed; no keys are released. Terminal.
    case failed(DTLSError)
    /// close_notify was sent or received. Terminal.
    case closed
}
