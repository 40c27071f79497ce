/// The outcome of offer/answer for one m-section, from this side's point of view.
public struct NegotiatedMedia: Hashable, Sendable {
    public var mid: Mid
    public var kind: SDPMediaKind
    /// False when the answer rejected the section (port 0); the other fields are then empty.
    public var accepted: Bool
    /// This side's direction: `sendonly` means this side sends and the remote receives.
    public var direction: SDPDirection
    /// Agreed codecs in the answer's order (the first is what a sender uses).
    public var codecs: [NegotiatedCodec]
    /// Agreed header extensions (the answer's extmap lines).
    public var extMaps: [SDPExtMap]
    public var extensionIDs: SDPHeaderExtensionIDs
    /// Reduced-size RTCP agreed (RFC 5506 §5).
    public var rtcpRsize: Bool
    /// Rids the remote sends (its `a=rid:... send` lines) and its simulcast attribute.
    public var remoteRids: [SDPRid]
    public var remoteSimulcast: SDPSimulcast?
    /// SSRCs the remote announced (`a=ssrc`), its FID pairs (media SSRC → RTX SSRC), its
    /// msid and CNAME.
    public var remoteSsrcs: [SSRC]
    public var remoteRtxSsrcs: [SSRC: SSRC]
    /// SSRC-based simulcast (`a=ssrc-group:SIM`, RFC 5576 §4.2): the layers' SSRCs in the
    /// group's order, lowest resolution first as browsers list them.
    public var remoteSimulcastSsrcs: [SSRC] = []
    public var remoteMsid: SDPMsid?
    public var remoteCname: String?

    public init(mid: Mid, kind: SDPMediaKind, accepted: Bool, direction: SDPDirection,
                codecs: [NegotiatedCodec] = [], extMaps: [SDPExtMap] = [],
                extensionIDs: SDPHeaderExtensionIDs = SDPHeaderExtensionIDs(), rtcpRsize: Bool = false,
                remoteRids: [SDPRid] = [], remoteSimulcast: SDPSimulcast? = nil, remoteSsrcs: [SSRC] = [],
                remoteRtxSsrcs: [SSRC: SSRC] = [:], remoteMsid: SDPMsid? = nil, remoteCname: String? = nil) {
        self.mid = mid
        self.kind = kind
        self.accepted = accepted
        self.direction = direction
        self.codecs = codecs
        self.extMaps = extMaps
        self.extensionIDs = extensionIDs
        self.rtcpRsize = rtcpRsize
        self.remoteRids = remoteRids
        self.remoteSimulcast = remoteSimulcast
        self.remoteSsrcs = remoteSsrcs
        self.remoteRtxSsrcs = remoteRtxSsrcs
        self.remoteMsid = remoteMsid
        self.remoteCname = remoteCname
    }

    /// Media payload type → RTX payload type.
    public var rtxPayloadTypes: [PayloadType: PayloadType] {
        var out: [PayloadType: PayloadType] = [:]
        for c in codecs { if let r = c.rtxPayloadType { out[c.payloadType] = r } }
        return out
    }

    /// The codec a payload type belongs to (its own or its RTX payload type).
    public func codec(for pt: PayloadType) -> NegotiatedCodec? {
        codecs.first { $0.payloadType == pt || $0.rtxPayloadType == pt }
    }

    /// The first codec of this type.
    public func codec(_ type: SDPCodecType) -> NegotiatedCodec? {
        codecs.first { $0.type == type }
    }
}
