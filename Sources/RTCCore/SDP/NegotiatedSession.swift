/// The outcome of offer/answer for one PeerConnection, from this side's point of view: what
/// ICE, DTLS and the RTP layers need.
public struct NegotiatedSession: Hashable, Sendable {
    /// The remote's ICE credentials (RFC 8839 §5.4) for the BUNDLE transport.
    public var remoteIceUfrag: String
    public var remoteIcePwd: String
    public var remoteIceLite: Bool
    public var remoteIceOptions: [String]
    /// The remote's certificate fingerprints (RFC 8122); the DTLS handshake must match one.
    public var remoteFingerprints: [DTLSFingerprint]
    /// Candidates the remote listed for the BUNDLE transport.
    public var remoteCandidates: [ICECandidate]
    /// This side's DTLS setup: `active` (DTLS client) or `passive` (DTLS server).
    public var localSetup: SDPSetupRole
    /// The BUNDLE group (RFC 8843), first the tagged mid; every accepted section uses it.
    public var bundleMids: [Mid]
    /// One entry per m-section, in order.
    public var media: [NegotiatedMedia]

    public init(remoteIceUfrag: String, remoteIcePwd: String, remoteIceLite: Bool = false,
                remoteIceOptions: [String] = [], remoteFingerprints: [DTLSFingerprint],
                remoteCandidates: [ICECandidate] = [], localSetup: SDPSetupRole, bundleMids: [Mid],
                media: [NegotiatedMedia]) {
        self.remoteIceUfrag = remoteIceUfrag
        self.remoteIcePwd = remoteIcePwd
        self.remoteIceLite = remoteIceLite
        self.remoteIceOptions = remoteIceOptions
        self.remoteFingerprints = remoteFingerprints
        self.remoteCandidates = remoteCandidates
        self.localSetup = localSetup
        self.bundleMids = bundleMids
        self.media = media
    }

    /// True when this side sends the DTLS ClientHello (RFC 5763 §5).
    public var isDTLSClient: Bool { localSetup == .active }

    public func media(withMid mid: Mid) -> NegotiatedMedia? {
        media.first { $0.mid == mid }
    }

    /// Accepted sections only.
    public var acceptedMedia: [NegotiatedMedia] { media.filter(\.accepted) }
}
