/// One ICE candidate as carried in SDP `a=candidate` lines and trickle messages
/// (RFC 8839 §5.1):
///
/// ```
/// candidate-attribute = "candidate" ":" foundation SP component-id SP
///                       transport SP priority SP
///                       connection-address SP port
///                       SP "typ" SP cand-type
///                       [SP "raddr" SP connection-address]
///                       [SP "rport" SP port]
///                       *(SP extension-att-name SP extension-att-value)
/// foundation          = 1*32ice-char          ; ice-char = ALPHA / DIGIT / "+" / "/"
/// component-id        = 1*3DIGIT              ; 1...256
/// transport           = "UDP" / token         ; case-insensitive
/// priority            = 1*10DIGIT             ; 1...2^31-1
/// ```
///
/// Example: `candidate:1 1 udp 2130706431 192.0.2.1 40000 typ host generation 0`.
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
///   ... typ host tcptype passive                 TCP candidate type (RFC 6544 §4.5)
/// ```
///
/// The one candidate type of RTCCore: the ICE agents use it, and the SDP model carries it in
/// `a=candidate` lines (``SDPAttribute/candidate(_:)``).
///
/// `connectionAddress` is kept as text because it may be an FQDN (e.g. an mDNS `.local`
/// name) that RTCCore cannot resolve; ``address`` gives the transport address when it is an
/// IP literal. Extensions (`generation`, `ufrag`, `network-id`, `tcptype`, ...) are kept in
/// order so a line round-trips; the transport token is lowercased.
public struct ICECandidate: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    /// A trailing `name value` pair.
    public struct Extension: Hashable, Sendable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var foundation: String
    public var component: UInt16
    /// Lowercased transport token: "udp" or "tcp" (RFC 6544) or another token.
    public var transport: String
    public var priority: UInt32
    public var connectionAddress: String
    public var port: UInt16
    public var type: ICECandidateType
    public var relatedAddress: String?
    public var relatedPort: UInt16?
    public var extensions: [Extension]

    public init(foundation: String, component: UInt16 = 1, transport: String = "udp",
                priority: UInt32, address: TransportAddress, type: ICECandidateType,
                related: TransportAddress? = nil, extensions: [Extension] = []) {
        self.foundation = foundation
        self.component = component
        self.transport = transport.lowercased()
        self.priority = priority
        self.connectionAddress = address.ip.description
        self.port = address.port
        self.type = type
        self.relatedAddress = related?.ip.description
        self.relatedPort = related?.port
        self.extensions = extensions
    }

    /// A candidate whose connection address is text, e.g. an mDNS `.local` name
    /// (RFC 8839 §5.1 allows an FQDN).
    public init(foundation: String, component: UInt16 = 1, transport: String = "udp", priority: UInt32,
                connectionAddress: String, port: UInt16, type: ICECandidateType = .host,
                relatedAddress: String? = nil, relatedPort: UInt16? = nil, extensions: [Extension] = []) {
        self.foundation = foundation
        self.component = component
        self.transport = transport.lowercased()
        self.priority = priority
        self.connectionAddress = connectionAddress
        self.port = port
        self.type = type
        self.relatedAddress = relatedAddress
        self.relatedPort = relatedPort
        self.extensions = extensions
    }

    /// The transport address when the connection address is an IP literal.
    public var address: TransportAddress? {
        IPAddress(connectionAddress).map { TransportAddress(ip: $0, port: port) }
    }

    /// True for UDP candidates (the only transport the agents check today).
    public var isUDP: Bool { transport == "udp" }
    /// True for TCP candidates (RFC 6544).
    public var isTCP: Bool { transport == "tcp" }

    /// The TCP candidate type (`active`, `passive`, `so`; RFC 6544 §4.5), carried as the
    /// `tcptype` extension.
    public var tcpType: String? { extensionValue("tcptype") }

    /// The value of the first extension called `name` (e.g. "ufrag", "generation").
    public func extensionValue(_ name: String) -> String? {
        extensions.first { $0.name == name }?.value
    }

    // MARK: Text form

    /// `candidate:...` (without `a=`), the form trickle messages carry (RFC 8840 §4.4).
    public var description: String { "candidate:" + attributeValue }

    /// Same as ``description``: the trickle form.
    public var candidateLine: String { description }

    /// The SDP attribute value, after `a=candidate:`.
    public var attributeValue: String {
        var s = "\(foundation) \(component) \(transport) \(priority) \(connectionAddress) \(port) typ \(type)"
        if let r = relatedAddress { s += " raddr \(r)" }
        if let p = relatedPort { s += " rport \(p)" }
        for e in extensions { s += " \(e.name) \(e.value)" }
        return s
    }

    /// Parses a candidate; nil when it does not follow the grammar.
    public init?(_ text: String) {
        guard let c = try? ICECandidate(parsing: text) else { return nil }
        self = c
    }

    /// Parses `candidate:...`, also accepting a leading `a=`, the attribute value alone
    /// (without `candidate:`) and trailing CR/LF. Throws a `.sdp` ``ParseError`` (kind
    /// `.syntax`, offset = byte offset in the line) on anything that does not follow
    /// RFC 8839 §5.1.
    public init(parsing text: String) throws(ParseError) {
        var line = Substring(text)
        while let last = line.last, last.isNewline { line = line.dropLast() }
        if line.hasPrefix("a=") { line = line.dropFirst(2) }
        let body = line.hasPrefix("candidate:") ? line.dropFirst("candidate:".count) : line
        let baseOffset = text.utf8.distance(from: text.startIndex, to: body.startIndex)
        // Tokens separated by single spaces (RFC 8839 uses SP; tolerate runs of spaces).
        var tokens: [(Substring, Int)] = []
        var start: Substring.Index? = nil
        var offset = baseOffset
        var tokenOffset = 0
        for i in body.indices {
            if body[i] == " " {
                if let s = start {
                    tokens.append((body[s..<i], tokenOffset))
                    start = nil
                }
            } else if start == nil {
                start = i
                tokenOffset = offset
            }
            offset += body[i].utf8.count
        }
        if let s = start { tokens.append((body[s...], tokenOffset)) }

        guard tokens.count >= 8 else {
            throw ParseError(.sdp, .syntax, at: offset, "candidate has fewer than 8 fields")
        }
        let foundation = tokens[0].0
        guard foundation.utf8.count <= 32, foundation.utf8.allSatisfy(Self.isICEChar) else {
            throw ParseError(.sdp, .syntax, at: tokens[0].1, "bad candidate foundation")
        }
        guard let component = Self.number(tokens[1].0, maxDigits: 3), (1...256).contains(component) else {
            throw ParseError(.sdp, .syntax, at: tokens[1].1, "bad candidate component")
        }
        let transport = tokens[2].0
        guard transport.utf8.allSatisfy(Self.isTokenChar) else {
            throw ParseError(.sdp, .syntax, at: tokens[2].1, "bad candidate transport")
        }
        guard let priority = Self.number(tokens[3].0, maxDigits: 10), priority <= UInt64(UInt32.max) else {
            throw ParseError(.sdp, .syntax, at: tokens[3].1, "bad candidate priority")
        }
        let address = tokens[4].0
        guard address.utf8.allSatisfy({ Self.isTokenChar($0) || $0 == 0x3A || $0 == 0x25 }) else {
            throw ParseError(.sdp, .syntax, at: tokens[4].1, "bad candidate address")
        }
        guard let port = Self.number(tokens[5].0, maxDigits: 5), port <= 0xFFFF else {
            throw ParseError(.sdp, .syntax, at: tokens[5].1, "bad candidate port")
        }
        guard tokens[6].0 == "typ" else {
            throw ParseError(.sdp, .syntax, at: tokens[6].1, "expected typ")
        }
        let type = tokens[7].0
        guard type.utf8.allSatisfy(Self.isTokenChar) else {
            throw ParseError(.sdp, .syntax, at: tokens[7].1, "bad candidate type")
        }
        var relatedAddress: String?
        var relatedPort: UInt16?
        var extensions: [Extension] = []
        var i = 8
        while i < tokens.count {
            guard i + 1 < tokens.count else {
                throw ParseError(.sdp, .syntax, at: tokens[i].1, "extension without value")
            }
            let (name, nameOffset) = tokens[i]
            let value = tokens[i + 1].0
            if name == "raddr", relatedAddress == nil, extensions.isEmpty {
                relatedAddress = String(value)
            } else if name == "rport", relatedPort == nil, extensions.isEmpty {
                guard let p = Self.number(value, maxDigits: 5), p <= 0xFFFF else {
                    throw ParseError(.sdp, .syntax, at: tokens[i + 1].1, "bad rport")
                }
                relatedPort = UInt16(p)
            } else {
                guard name.utf8.allSatisfy(Self.isTokenChar) else {
                    throw ParseError(.sdp, .syntax, at: nameOffset, "bad extension name")
                }
                extensions.append(Extension(name: String(name), value: String(value)))
            }
            i += 2
        }
        self.foundation = String(foundation)
        self.component = UInt16(component)
        self.transport = String(transport).lowercased()
        self.priority = UInt32(priority)
        self.connectionAddress = String(address)
        self.port = UInt16(port)
        self.type = ICECandidateType(token: String(type))
        self.relatedAddress = relatedAddress
        self.relatedPort = relatedPort
        self.extensions = extensions
    }

    private static func number(_ s: Substring, maxDigits: Int) -> UInt64? {
        guard !s.isEmpty, s.utf8.count <= maxDigits else { return nil }
        var v: UInt64 = 0
        for c in s.utf8 {
            guard c >= 0x30, c <= 0x39 else { return nil }
            v = v * 10 + UInt64(c - 0x30)
        }
        return v
    }

    /// ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.1).
    static func isICEChar(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
            || c == 0x2B || c == 0x2F
    }

    /// RFC 3261 token characters (plus "." which is one of them).
    static func isTokenChar(_ c: UInt8) -> Bool {
        if (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) {
            return true
        }
        switch c {
        case 0x2D, 0x2E, 0x21, 0x25, 0x2A, 0x5F, 0x2B, 0x60, 0x27, 0x7E: return true
        default: return false
        }
    }
}
