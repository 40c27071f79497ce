/// An ICE candidate as carried in SDP or in a trickle message (RFC 8839 §5.1; TCP
/// candidates RFC 6544 §4.5).
///
/// ```
///   candidate:2555415921 1 udp 2122260223 127.0.0.1 46289 typ host generation 0 network-id 1
///             |          | |   |          |         |     |        `-- extension name/value
///             |          | |   |          |         |     |            pairs (kept in order)
///             |          | |   |          |         |     `-- "typ" host/srflx/prflx/relay
///             |          | |   |          |         `-------- port
///             |          | |   |          `------------------ connection address (IP or FQDN)
///             |          | |   `----------------------------- priority, 32 bits
///             |          | `--------------------------------- transport: udp, tcp
///             |          `----------------------------------- component id (1 = RTP)
///             `---------------------------------------------- foundation
///   ... typ srflx raddr 10.0.0.1 rport 5000      related address and port (optional)
///   ... typ host tcptype passive                 TCP candidate type (RFC 6544)
/// ```
public struct SDPCandidate: Hashable, Sendable {
    /// RFC 8839 §5.1 `cand-type`.
    public enum CandidateType: Hashable, Sendable {
        case host, serverReflexive, peerReflexive, relay
        case other(String)

        public init(_ token: String) {
            switch token {
            case "host": self = .host
            case "srflx": self = .serverReflexive
            case "prflx": self = .peerReflexive
            case "relay": self = .relay
            default: self = .other(token)
            }
        }

        public var token: String {
            switch self {
            case .host: return "host"
            case .serverReflexive: return "srflx"
            case .peerReflexive: return "prflx"
            case .relay: return "relay"
            case .other(let s): return s
            }
        }
    }

    /// One extension attribute pair (`generation 0`, `network-id 1`, `ufrag abcd`, ...).
    public struct Extension: Hashable, Sendable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var foundation: String
    public var component: UInt16
    /// `udp` or `tcp` as written (compare with ``isUDP``/``isTCP``, which ignore case).
    public var transport: String
    public var priority: UInt32
    public var address: String
    public var port: UInt16
    public var type: CandidateType
    public var relatedAddress: String?
    public var relatedPort: UInt16?
    /// `active`, `passive` or `so` for TCP candidates.
    public var tcpType: String?
    public var extensions: [Extension]

    public init(foundation: String, component: UInt16 = 1, transport: String = "udp", priority: UInt32,
                address: String, port: UInt16, type: CandidateType = .host,
                relatedAddress: String? = nil, relatedPort: UInt16? = nil, tcpType: String? = nil,
                extensions: [Extension] = []) {
        self.foundation = foundation
        self.component = component
        self.transport = transport
        self.priority = priority
        self.address = address
        self.port = port
        self.type = type
        self.relatedAddress = relatedAddress
        self.relatedPort = relatedPort
        self.tcpType = tcpType
        self.extensions = extensions
    }

    /// Parses a candidate as it appears in a trickle message or SDP: `candidate:...`,
    /// `a=candidate:...`, or the attribute value alone.
    public init(parsing text: String) throws(ParseError) {
        var bytes = SDPText.trim(text.sdpBytes)
        if bytes.starts(with: "a=".utf8) { bytes = bytes.dropFirst(2) }
        if bytes.starts(with: "candidate:".utf8) { bytes = bytes.dropFirst(10) }
        try self.init(bytes, line: 0)
    }

    init(_ value: ArraySlice<UInt8>, line: Int) throws(ParseError) {
        let t = SDPText.split(value, on: SDPText.space)
        guard t.count >= 8, SDPText.equals(t[6], "typ") else {
            throw ParseError(.sdp, .syntax, at: line, "candidate: expected 6 fields and typ")
        }
        foundation = SDPText.string(t[0])
        component = try SDPText.number(t[1], UInt16.self, max: 999, line: line, "candidate: bad component")
        transport = SDPText.string(t[2])
        priority = try SDPText.number(t[3], UInt32.self, line: line, "candidate: bad priority")
        address = SDPText.string(t[4])
        port = try SDPText.number(t[5], UInt16.self, line: line, "candidate: bad port")
        type = CandidateType(SDPText.string(t[7]))
        relatedAddress = nil
        relatedPort = nil
        tcpType = nil
        extensions = []
        var i = 8
        guard (t.count - i) % 2 == 0 else {
            throw ParseError(.sdp, .syntax, at: line, "candidate: extension name without value")
        }
        while i + 1 < t.count {
            let name = t[i]
            let value = t[i + 1]
            if SDPText.equals(name, "raddr"), relatedAddress == nil {
                relatedAddress = SDPText.string(value)
            } else if SDPText.equals(name, "rport"), relatedPort == nil {
                relatedPort = try SDPText.number(value, UInt16.self, line: line, "candidate: bad rport")
            } else if SDPText.equals(name, "tcptype"), tcpType == nil {
                tcpType = SDPText.string(value)
            } else {
                extensions.append(Extension(SDPText.string(name), SDPText.string(value)))
            }
            i += 2
        }
    }

    public var isUDP: Bool { transport.lowercasedASCII == "udp" }
    public var isTCP: Bool { transport.lowercasedASCII == "tcp" }

    /// The value of the extension attribute `name` (e.g. `ufrag`), if present.
    public subscript(extension name: String) -> String? {
        extensions.first { $0.name == name }?.value
    }

    /// The attribute value (without `candidate:`).
    public var attributeValue: String {
        var s = "\(foundation) \(component) \(transport) \(priority) \(address) \(port) typ \(type.token)"
        if let relatedAddress { s += " raddr " + relatedAddress }
        if let relatedPort { s += " rport \(relatedPort)" }
        if let tcpType { s += " tcptype " + tcpType }
        for e in extensions { s += " \(e.name) \(e.value)" }
        return s
    }

    /// `candidate:...`, the form used by trickle ICE messages (RFC 8840 §4.4 / JSEP).
    public var candidateLine: String { "candidate:" + attributeValue }
}
