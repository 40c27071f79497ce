/// Why ``PeerConnection`` refused a description or an API call.
public enum PeerConnectionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The description cannot be negotiated (RFC 3264, RFC 8829 §5.8).
    case negotiation(SDPNegotiationError)
    /// The DTLS endpoint could not be created.
    case transport(DTLSError)
    /// The remote ICE ufrag/pwd do not follow RFC 8839 §5.4.
    case invalidIceCredentials
    /// Both sides are ICE-lite: nobody would send checks (RFC 8445 §6.1.1).
    case bothIceLite
    /// A renegotiation changed the DTLS role of the running transport (JSEP §5.3.1 keeps it).
    case dtlsRoleChanged
    /// A renegotiation changed the peer's certificate fingerprints while DTLS is up: that
    /// needs a new transport, which this connection does not do.
    case fingerprintsChanged
    /// ``PeerConnection/setRemoteAnswer(_:now:)`` without an offer of ours outstanding.
    case noPendingOffer
    /// A remote offer while ours is outstanding (glare; rollback is not supported).
    case offerPending
    /// The connection is closed.
    case closed

    public var description: String {
        switch self {
        case .negotiation(let e): return e.description
        case .transport(let e): return "transport: \(e)"
        case .invalidIceCredentials: return "invalid ICE credentials"
        case .bothIceLite: return "both sides are ICE-lite"
        case .dtlsRoleChanged: return "renegotiation changed the DTLS role"
        case .fingerprintsChanged: return "renegotiation changed the fingerprints"
        case .noPendingOffer: return "no local offer to answer"
        case .offerPending: return "a local offer is outstanding"
        case .closed: return "closed"
        }
    }
}
