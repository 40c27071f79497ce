/// Which side of the DTLS handshake an endpoint plays (RFC 5763 §5).
///
/// The SDP `a=setup` attribute decides it (RFC 4145 §4, RFC 8842 §5.3): `active` is the DTLS
/// client, `passive` the DTLS server; the answerer of an `actpass` offer picks one.
public enum DTLSRole: Sendable, Hashable {
    /// Sends the ClientHello.
    case client
    /// Waits for the ClientHello.
    case server

    /// The role for the local `a=setup` value once negotiated (`active` → client,
    /// `passive` → server); nil for `actpass`, `holdconn` or anything else.
    public init?(localSetup: String) {
        switch localSetup.lowercased() {
        case "active": self = .client
        case "passive": self = .server
        default: return nil
        }
    }
}
