/// This side's transport parameters, injected into answers and offers by the caller (the
/// ICE and DTLS layers own them; the SDP layer only writes them).
public struct SDPLocalTransport: Hashable, Sendable {
    public var iceUfrag: String
    public var icePwd: String
    /// Fingerprints of the local DTLS certificate (RFC 8122).
    public var fingerprints: [DTLSFingerprint]
    /// Local candidates; with ICE-lite, every candidate the server has.
    public var candidates: [ICECandidate]
    /// Write `a=ice-lite` (RFC 8839 §5.3): a server with a public address.
    public var iceLite: Bool
    /// `a=ice-options` tokens, e.g. `trickle` for a full-ICE client (RFC 8840 §4.1.1).
    public var iceOptions: [String]
    /// Whether every candidate is already listed (`a=end-of-candidates`, RFC 8840 §8.1).
    public var endOfCandidates: Bool

    public init(iceUfrag: String, icePwd: String, fingerprints: [DTLSFingerprint],
                candidates: [ICECandidate] = [], iceLite: Bool = false, iceOptions: [String] = [],
                endOfCandidates: Bool? = nil) {
        self.iceUfrag = iceUfrag
        self.icePwd = icePwd
        self.fingerprints = fingerprints
        self.candidates = candidates
        self.iceLite = iceLite
        self.iceOptions = iceOptions
        self.endOfCandidates = endOfCandidates ?? iceLite
    }
}
