/// One m-section this side offers (the SFU's subscriber connection: `sendonly` sections with
/// the forwarded streams' SSRCs; a client: `sendrecv` audio and video).
public struct SDPOfferSection: Hashable, Sendable {
    public var mid: Mid
    public var kind: SDPMediaKind
    public var direction: SDPDirection
    /// Codecs in preference order; each with its offer payload types (and RTX).
    public var codecs: [SDPCodecCapability]
    public var headerExtensions: [SDPExtMap]
    /// The stream sent here, if this side sends.
    public var sendStream: SDPSendStream?
    /// Simulcast sending (a client): `a=rid:<id> send` lines and `a=simulcast:send ...`.
    public var sendRids: [Rid]
    /// A section kept only to hold its place (a removed track): port 0 (RFC 8829 §5.2.2).
    public var disabled: Bool

    public init(mid: Mid, kind: SDPMediaKind, direction: SDPDirection, codecs: [SDPCodecCapability]? = nil,
                headerExtensions: [SDPExtMap]? = nil, sendStream: SDPSendStream? = nil,
                sendRids: [Rid] = [], disabled: Bool = false) {
        self.mid = mid
        self.kind = kind
        self.direction = direction
        self.codecs = codecs ?? SDPCodecCapability.defaults.filter { $0.kind == kind }
        self.headerExtensions = headerExtensions ?? SDPHeaderExtensionIDs.defaultExtMaps(for: kind)
        self.sendStream = sendStream
        self.sendRids = sendRids
        self.disabled = disabled
    }
}
