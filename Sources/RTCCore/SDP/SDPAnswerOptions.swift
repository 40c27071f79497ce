/// What this side accepts when it answers an offer (e.g. the SFU answering a browser's
/// publisher offer as an ICE-lite server).
public struct SDPAnswerOptions: Hashable, Sendable {
    /// `o=` session id (a numeric string) and version; the caller picks them (RTCCore reads no
    /// clock and makes no random numbers).
    public var sessionID: String
    public var sessionVersion: UInt64
    /// Codecs accepted, in preference order (the answer lists them in this order).
    public var codecs: [SDPCodecCapability]
    /// Header extension URIs accepted (with the offerer's ids).
    public var headerExtensions: [String]
    /// This side's wish per m-section kind, narrowed by what the offer allows (RFC 3264 §6.1):
    /// `recvonly` for a publisher connection.
    public var audioDirection: SDPDirection
    public var videoDirection: SDPDirection
    /// Per-mid wishes that override the per-kind ones.
    public var directions: [Mid: SDPDirection]
    /// The DTLS role taken when the offer says `actpass` (`active` or `passive`).
    public var preferredSetup: SDPSetupRole
    /// Streams this side sends in an m-section it answers with a sending direction.
    public var sendStreams: [Mid: SDPSendStream]

    public init(sessionID: String, sessionVersion: UInt64 = 1,
                codecs: [SDPCodecCapability] = SDPCodecCapability.defaults,
                headerExtensions: [String] = SDPHeaderExtensionIDs.routerURIs,
                audioDirection: SDPDirection = .recvonly, videoDirection: SDPDirection = .recvonly,
                directions: [Mid: SDPDirection] = [:], preferredSetup: SDPSetupRole = .passive,
                sendStreams: [Mid: SDPSendStream] = [:]) {
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.codecs = codecs
        self.headerExtensions = headerExtensions
        self.audioDirection = audioDirection
        self.videoDirection = videoDirection
        self.directions = directions
        self.preferredSetup = preferredSetup
        self.sendStreams = sendStreams
    }

    func wish(for section: MediaDescription) -> SDPDirection {
        if let mid = section.mid, let d = directions[mid] { return d }
        switch section.kind {
        case .audio: return audioDirection
        case .video: return videoDirection
        default: return .inactive
        }
    }
}
