/// One `a=` line (RFC 8866 §5.13), typed when RTCCore knows the attribute.
///
/// ```
///   a=<attribute-name>[:<attribute-value>]
/// ```
/// Attributes keep their order in their section, so write → parse → write is stable; an
/// attribute RTCCore does not know (or a known flag attribute written with a value) is kept
/// verbatim as ``other(name:value:)``. Names are compared case-sensitively, as browsers do.
///
/// Invariant for writing: ``other(name:value:)`` carries a name that has no typed case
/// (otherwise parsing the written line gives the typed case) — except `fingerprint` with a
/// hash function ``DTLSFingerprint`` does not support, which parses back as `other` again.
public enum SDPAttribute: Hashable, Sendable {
    case iceUfrag(String)                       // RFC 8839 §5.4
    case icePwd(String)                         // RFC 8839 §5.4
    case iceOptions([String])                   // RFC 8839 §5.6
    case iceLite                                // RFC 8839 §5.3
    case fingerprint(DTLSFingerprint)          // RFC 8122 §5
    case setup(SDPSetupRole)                    // RFC 4145 §4
    case mid(Mid)                               // RFC 8843 §15 / RFC 5888 §4
    case group(SDPGroup)                        // RFC 5888 §5
    case rtcpMux                                // RFC 5761 §5.1.1
    case rtcpRsize                              // RFC 5506 §5
    case rtpMap(SDPRtpMap)                      // RFC 8866 §6.6
    case fmtp(SDPFormatParameters)              // RFC 8866 §6.15
    case rtcpFeedback(SDPRtcpFeedback)          // RFC 4585 §4.2
    case extMap(SDPExtMap)                      // RFC 8285 §8
    case ssrc(SDPSsrcAttribute)                 // RFC 5576 §4.1
    case ssrcGroup(SDPSsrcGroup)                // RFC 5576 §4.2
    case msid(SDPMsid)                          // RFC 8830 §2
    case rid(SDPRid)                            // RFC 8851 §4
    case simulcast(SDPSimulcast)                // RFC 8853 §5.1
    case candidate(ICECandidate)                // RFC 8839 §5.1
    case endOfCandidates                        // RFC 8840 §8.1
    case direction(SDPDirection)                // RFC 8866 §6.7
    case extmapAllowMixed                       // RFC 8285 §6
    case sctpPort(UInt16)                       // RFC 8841 §5
    case maxMessageSize(UInt64)                 // RFC 8841 §6
    case other(name: String, value: String?)

    /// Parses the text after `a=`.
    public init(parsing text: String) throws(ParseError) {
        try self.init(text.sdpBytes, line: 0)
    }

    init(_ line: ArraySlice<UInt8>, line lineNumber: Int) throws(ParseError) {
        let (nameBytes, valueBytes) = SDPText.splitOnce(line, on: SDPText.colon)
        guard SDPText.isToken(nameBytes) else {
            throw ParseError(.sdp, .syntax, at: lineNumber, "attribute name is not a token")
        }
        let name = SDPText.string(nameBytes)
        guard let v = valueBytes else {
            // Property attributes (no value).
            switch name {
            case "ice-lite": self = .iceLite
            case "rtcp-mux": self = .rtcpMux
            case "rtcp-rsize": self = .rtcpRsize
            case "end-of-candidates": self = .endOfCandidates
            case "extmap-allow-mixed": self = .extmapAllowMixed
            case "sendrecv": self = .direction(.sendrecv)
            case "sendonly": self = .direction(.sendonly)
            case "recvonly": self = .direction(.recvonly)
            case "inactive": self = .direction(.inactive)
            case "ice-ufrag", "ice-pwd", "ice-options", "fingerprint", "setup", "mid", "group",
                 "rtpmap", "fmtp", "rtcp-fb", "extmap", "ssrc", "ssrc-group", "msid", "rid",
                 "simulcast", "candidate", "sctp-port", "max-message-size":
                throw ParseError(.sdp, .syntax, at: lineNumber, "attribute without its value")
            default: self = .other(name: name, value: nil)
            }
            return
        }
        let l = lineNumber
        switch name {
        case "ice-ufrag":
            self = .iceUfrag(try Self.singleToken(v, line: l, "ice-ufrag: expected one token"))
        case "ice-pwd":
            self = .icePwd(try Self.singleToken(v, line: l, "ice-pwd: expected one token"))
        case "ice-options":
            let tokens = SDPText.split(v, on: SDPText.space)
            guard !tokens.isEmpty else { throw ParseError(.sdp, .syntax, at: l, "ice-options: empty") }
            self = .iceOptions(tokens.map(SDPText.string))
        case "fingerprint":
            do {
                self = .fingerprint(try DTLSFingerprint(sdpValue: v, line: l))
            } catch {
                // A hash RTCCore refuses (md5) or does not know is kept verbatim: such a
                // fingerprint can never authenticate a peer, but the description is valid.
                guard error.kind == .invalidValue else { throw error }
                self = .other(name: name, value: SDPText.string(v))
            }
        case "setup":
            guard let role = SDPSetupRole(rawValue: SDPText.string(v)) else {
                throw ParseError(.sdp, .syntax, at: l, "setup: unknown role")
            }
            self = .setup(role)
        case "mid": self = .mid(try SDPText.shortID(v, line: l, "mid: bad identification tag"))
        case "group": self = .group(try SDPGroup(v, line: l))
        case "rtpmap": self = .rtpMap(try SDPRtpMap(v, line: l))
        case "fmtp": self = .fmtp(try SDPFormatParameters(v, line: l))
        case "rtcp-fb": self = .rtcpFeedback(try SDPRtcpFeedback(v, line: l))
        case "extmap": self = .extMap(try SDPExtMap(v, line: l))
        case "ssrc": self = .ssrc(try SDPSsrcAttribute(v, line: l))
        case "ssrc-group": self = .ssrcGroup(try SDPSsrcGroup(v, line: l))
        case "msid": self = .msid(try SDPMsid(v, line: l))
        case "rid": self = .rid(try SDPRid(v, line: l))
        case "simulcast": self = .simulcast(try SDPSimulcast(v, line: l))
        case "candidate": self = .candidate(try ICECandidate(sdpValue: v, line: l))
        case "sctp-port":
            self = .sctpPort(try SDPText.number(v, UInt16.self, line: l, "sctp-port: bad port"))
        case "max-message-size":
            self = .maxMessageSize(try SDPText.number(v, UInt64.self, line: l, "max-message-size: bad size"))
        default:
            self = .other(name: name, value: SDPText.string(v))
        }
    }

    private static func singleToken(_ v: ArraySlice<UInt8>, line: Int, _ reason: StaticString) throws(ParseError) -> String {
        guard SDPText.isVisible(v) else { throw ParseError(.sdp, .syntax, at: line, reason) }
        return SDPText.string(v)
    }

    /// The attribute name (`rtpmap`, `sendonly`, ...).
    public var name: String {
        switch self {
        case .iceUfrag: return "ice-ufrag"
        case .icePwd: return "ice-pwd"
        case .iceOptions: return "ice-options"
        case .iceLite: return "ice-lite"
        case .fingerprint: return "fingerprint"
        case .setup: return "setup"
        case .mid: return "mid"
        case .group: return "group"
        case .rtcpMux: return "rtcp-mux"
        case .rtcpRsize: return "rtcp-rsize"
        case .rtpMap: return "rtpmap"
        case .fmtp: return "fmtp"
        case .rtcpFeedback: return "rtcp-fb"
        case .extMap: return "extmap"
        case .ssrc: return "ssrc"
        case .ssrcGroup: return "ssrc-group"
        case .msid: return "msid"
        case .rid: return "rid"
        case .simulcast: return "simulcast"
        case .candidate: return "candidate"
        case .endOfCandidates: return "end-of-candidates"
        case .direction(let d): return d.rawValue
        case .extmapAllowMixed: return "extmap-allow-mixed"
        case .sctpPort: return "sctp-port"
        case .maxMessageSize: return "max-message-size"
        case .other(let name, _): return name
        }
    }

    /// The attribute value, or nil for a property attribute.
    public var value: String? {
        switch self {
        case .iceUfrag(let s), .icePwd(let s): return s
        case .iceOptions(let list):
            var s = ""
            for (i, o) in list.enumerated() {
                if i > 0 { s += " " }
                s += o
            }
            return s
        case .fingerprint(let f): return f.attributeValue
        case .setup(let r): return r.rawValue
        case .mid(let m): return m.description
        case .group(let g): return g.attributeValue
        case .rtpMap(let m): return m.attributeValue
        case .fmtp(let f): return f.attributeValue
        case .rtcpFeedback(let f): return f.attributeValue
        case .extMap(let e): return e.attributeValue
        case .ssrc(let s): return s.attributeValue
        case .ssrcGroup(let g): return g.attributeValue
        case .msid(let m): return m.attributeValue
        case .rid(let r): return r.attributeValue
        case .simulcast(let s): return s.attributeValue
        case .candidate(let c): return c.attributeValue
        case .sctpPort(let p): return String(p)
        case .maxMessageSize(let n): return String(n)
        case .other(_, let v): return v
        case .iceLite, .rtcpMux, .rtcpRsize, .endOfCandidates, .direction, .extmapAllowMixed:
            return nil
        }
    }

    /// The text after `a=`.
    public var text: String {
        if let v = value { return name + ":" + v }
        return name
    }
}
