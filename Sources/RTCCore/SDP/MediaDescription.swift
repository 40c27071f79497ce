/// One media section: an `m=` line and the lines under it (RFC 8866 §5.14; JSEP RFC 8829
/// §5.2 for what WebRTC puts there).
///
/// ```
///   m=video 9 UDP/TLS/RTP/SAVPF 96 97 102
///     |     | |                 `-- formats: RTP payload types (RTP protos), or tokens such
///     |     | |                     as webrtc-datachannel (UDP/DTLS/SCTP)
///     |     | `-------------------- transport protocol
///     |     `---------------------- port ("/count" optional); 0 rejects the section
///     `---------------------------- media type
///   i=<title>            c=<connection>*     b=<bwtype>:<value>*     k=<key> (obsolete)
///   a=<attribute>*       in order, see ``SDPAttribute``
/// ```
public struct MediaDescription: Hashable, Sendable, SDPAttributeContainer {
    public var kind: SDPMediaKind
    public var port: UInt16
    public var portCount: UInt16?
    public var proto: String
    public var formats: [String]
    public var information: String?
    public var connections: [SDPConnection]
    public var bandwidths: [SDPBandwidth]
    public var encryptionKey: String?
    public var attributes: [SDPAttribute]

    /// The proto JSEP uses for RTP media (RFC 8829 §5.1.2).
    public static let rtpProto = "UDP/TLS/RTP/SAVPF"
    /// The proto JSEP uses for data channels (RFC 8841 §4).
    public static let sctpProto = "UDP/DTLS/SCTP"

    public init(kind: SDPMediaKind, port: UInt16 = 9, portCount: UInt16? = nil,
                proto: String = MediaDescription.rtpProto, formats: [String] = [],
                information: String? = nil, connections: [SDPConnection] = [],
                bandwidths: [SDPBandwidth] = [], encryptionKey: String? = nil,
                attributes: [SDPAttribute] = []) {
        self.kind = kind
        self.port = port
        self.portCount = portCount
        self.proto = proto
        self.formats = formats
        self.information = information
        self.connections = connections
        self.bandwidths = bandwidths
        self.encryptionKey = encryptionKey
        self.attributes = attributes
    }

    /// Parses the value of an `m=` line; the other fields start empty.
    init(mLine value: ArraySlice<UInt8>, line: Int) throws(ParseError) {
        let t = SDPText.split(value, on: SDPText.space)
        guard t.count >= 3 else {
            throw ParseError(.sdp, .syntax, at: line, "m=: expected media, port and proto")
        }
        guard SDPText.isToken(t[0]) else { throw ParseError(.sdp, .syntax, at: line, "m=: bad media type") }
        kind = SDPMediaKind(SDPText.string(t[0]))
        let (p, count) = SDPText.splitOnce(t[1], on: SDPText.slash)
        port = try SDPText.number(p, UInt16.self, line: line, "m=: bad port")
        if let count {
            portCount = try SDPText.number(count, UInt16.self, line: line, "m=: bad port count")
        } else {
            portCount = nil
        }
        let protoParts = SDPText.splitKeepingEmpty(t[2], on: SDPText.slash)
        var isRTP = false
        for part in protoParts {
            guard SDPText.isToken(part) else { throw ParseError(.sdp, .syntax, at: line, "m=: bad proto") }
            if SDPText.equalsIgnoringCase(part, "rtp") { isRTP = true }
        }
        proto = SDPText.string(t[2])
        var formats: [String] = []
        for f in t[3...] {
            if isRTP {
                _ = try SDPText.payloadType(f, line: line)
            } else {
                guard SDPText.isToken(f) else { throw ParseError(.sdp, .syntax, at: line, "m=: bad format") }
            }
            formats.append(SDPText.string(f))
        }
        self.formats = formats
        information = nil
        connections = []
        bandwidths = []
        encryptionKey = nil
        attributes = []
    }

    var mLineValue: String {
        var s = kind.token + " " + String(port)
        if let portCount { s += "/" + String(portCount) }
        s += " " + proto
        for f in formats { s += " " + f }
        return s
    }

    /// True for RTP protos (`RTP/AVP`, `UDP/TLS/RTP/SAVPF`, ...): formats are payload types.
    public var isRTP: Bool {
        SDPText.split(proto.sdpBytes, on: SDPText.slash).contains { SDPText.equalsIgnoringCase($0, "rtp") }
    }

    /// The formats as payload types (RTP protos; formats that are not numbers are skipped).
    public var payloadTypes: [PayloadType] {
        formats.compactMap { f in
            (try? SDPText.number(f.sdpBytes, UInt8.self, max: 127, line: 0, "pt")).map { PayloadType($0) }
        }
    }

    /// `a=bundle-only` (RFC 8843 §6).
    public var bundleOnly: Bool { hasAttribute(named: "bundle-only") }

    /// A section with port 0 that is not `bundle-only` is rejected or disabled (RFC 8843 §7.3,
    /// RFC 3264 §6).
    public var isRejected: Bool { port == 0 && !bundleOnly }

    public var mid: Mid? {
        for case .mid(let m) in attributes { return m }
        return nil
    }

    /// The media direction (RFC 8866 §6.7): `sendrecv` when absent.
    public var direction: SDPDirection { directionAttribute ?? .sendrecv }

    public var rtpMaps: [SDPRtpMap] {
        var out: [SDPRtpMap] = []
        for case .rtpMap(let m) in attributes { out.append(m) }
        return out
    }

    public func rtpMap(for pt: PayloadType) -> SDPRtpMap? {
        for case .rtpMap(let m) in attributes where m.payloadType == pt { return m }
        return nil
    }

    public var formatParameters: [SDPFormatParameters] {
        var out: [SDPFormatParameters] = []
        for case .fmtp(let f) in attributes { out.append(f) }
        return out
    }

    public func formatParameters(for pt: PayloadType) -> SDPFormatParameters? {
        for case .fmtp(let f) in attributes where f.payloadType == pt { return f }
        return nil
    }

    public var rtcpFeedback: [SDPRtcpFeedback] {
        var out: [SDPRtcpFeedback] = []
        for case .rtcpFeedback(let f) in attributes { out.append(f) }
        return out
    }

    /// Feedback lines for `pt`, including `*` lines.
    public func rtcpFeedback(for pt: PayloadType) -> [SDPRtcpFeedback] {
        var out: [SDPRtcpFeedback] = []
        for case .rtcpFeedback(let f) in attributes where f.applies(to: pt) { out.append(f) }
        return out
    }

    public var extMaps: [SDPExtMap] {
        var out: [SDPExtMap] = []
        for case .extMap(let e) in attributes { out.append(e) }
        return out
    }

    /// The id mapped to a header extension URI here, if any.
    public func extMapID(for uri: String) -> UInt16? {
        for case .extMap(let e) in attributes where e.uri == uri { return e.id }
        return nil
    }

    public var ssrcAttributes: [SDPSsrcAttribute] {
        var out: [SDPSsrcAttribute] = []
        for case .ssrc(let s) in attributes { out.append(s) }
        return out
    }

    /// Distinct SSRCs named by `a=ssrc` lines, in order of first appearance.
    public var ssrcs: [SSRC] {
        var out: [SSRC] = []
        for case .ssrc(let s) in attributes where !out.contains(s.ssrc) { out.append(s.ssrc) }
        return out
    }

    public var ssrcGroups: [SDPSsrcGroup] {
        var out: [SDPSsrcGroup] = []
        for case .ssrcGroup(let g) in attributes { out.append(g) }
        return out
    }

    public var msid: SDPMsid? {
        for case .msid(let m) in attributes { return m }
        return nil
    }

    public var rids: [SDPRid] {
        var out: [SDPRid] = []
        for case .rid(let r) in attributes { out.append(r) }
        return out
    }

    public var simulcast: SDPSimulcast? {
        for case .simulcast(let s) in attributes { return s }
        return nil
    }
}
