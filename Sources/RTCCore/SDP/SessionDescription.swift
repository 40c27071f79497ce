/// A session description (RFC 8866 §5): the session-level lines and the media sections.
///
/// ```
///   v=0                                     protocol version, always 0
///   o=<origin>                              ``SDPOrigin``
///   s=<session name>                        "-" in WebRTC
///   i= u= e=* p=* c= b=*                    optional
///   t=<start> <stop>  (r=*)                 ``SDPTiming``, "t=0 0" in WebRTC
///   z= k=                                   optional
///   a=*                                     session attributes, ``SDPAttribute``
///   m=...                                   ``MediaDescription``, each with its own lines
/// ```
/// Parse with ``parse(_:)-(String)`` (or from bytes); write with ``serialized()``. Lines end
/// in CRLF or LF when read and CRLF when written; the written order is RFC 8866's, and
/// attributes keep their order, so write → parse gives the same value and write → parse →
/// write the same text.
public struct SessionDescription: Hashable, Sendable, SDPAttributeContainer {
    public var origin: SDPOrigin
    public var sessionName: String
    public var information: String?
    public var uri: String?
    public var emails: [String]
    public var phones: [String]
    public var connection: SDPConnection?
    public var bandwidths: [SDPBandwidth]
    public var timing: [SDPTiming]
    public var timeZones: String?
    public var encryptionKey: String?
    public var attributes: [SDPAttribute]
    public var media: [MediaDescription]

    public init(origin: SDPOrigin, sessionName: String = "-", information: String? = nil,
                uri: String? = nil, emails: [String] = [], phones: [String] = [],
                connection: SDPConnection? = nil, bandwidths: [SDPBandwidth] = [],
                timing: [SDPTiming] = [SDPTiming()], timeZones: String? = nil,
                encryptionKey: String? = nil, attributes: [SDPAttribute] = [],
                media: [MediaDescription] = []) {
        self.origin = origin
        self.sessionName = sessionName
        self.information = information
        self.uri = uri
        self.emails = emails
        self.phones = phones
        self.connection = connection
        self.bandwidths = bandwidths
        self.timing = timing
        self.timeZones = timeZones
        self.encryptionKey = encryptionKey
        self.attributes = attributes
        self.media = media
    }

    /// The mids of the first `group:BUNDLE`, in order (RFC 8843 §7.1).
    public var bundleMids: [Mid] {
        groups.first { $0.semantics == SDPGroup.bundle }?.mids ?? []
    }

    /// The media section with this mid.
    public func media(withMid mid: Mid) -> MediaDescription? {
        media.first { $0.mid == mid }
    }

    /// ICE username fragment of a section: its own, else the session's (RFC 8839 §5.4).
    public func iceUfrag(for section: MediaDescription) -> String? { section.iceUfrag ?? iceUfrag }
    /// ICE password of a section: its own, else the session's.
    public func icePwd(for section: MediaDescription) -> String? { section.icePwd ?? icePwd }
    /// Fingerprints of a section: its own, else the session's (RFC 8122 §5).
    public func fingerprints(for section: MediaDescription) -> [DTLSFingerprint] {
        let own = section.fingerprints
        return own.isEmpty ? fingerprints : own
    }
    /// DTLS setup of a section: its own, else the session's.
    public func setup(for section: MediaDescription) -> SDPSetupRole? { section.setup ?? setup }
    /// Direction of a section: its own, else the session's, else `sendrecv` (RFC 8866 §6.7).
    public func direction(for section: MediaDescription) -> SDPDirection {
        section.directionAttribute ?? directionAttribute ?? .sendrecv
    }
}
