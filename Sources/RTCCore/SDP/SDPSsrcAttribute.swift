/// The `ssrc` attribute: a source-level attribute of one SSRC (RFC 5576 §4.1).
///
/// ```
///   a=ssrc:2214358451 cname:bdi2eSq7X+b/SMuA
///          |          |     `-- value (optional; may contain spaces, e.g. msid)
///          |          `-------- source attribute name (cname, msid, ...)
///          `------------------- SSRC, 0...2^32-1
/// ```
public struct SDPSsrcAttribute: Hashable, Sendable {
    public var ssrc: SSRC
    public var attribute: String
    public var value: String?

    public init(ssrc: SSRC, attribute: String, value: String? = nil) {
        self.ssrc = ssrc
        self.attribute = attribute
        self.value = value
    }

    init(_ value: ArraySlice<UInt8>, line: Int) throws(ParseError) {
        let (id, rest) = SDPText.splitOnce(value, on: SDPText.space)
        ssrc = SSRC(try SDPText.number(id, UInt32.self, line: line, "ssrc: bad SSRC"))
        guard let rest else { throw ParseError(.sdp, .syntax, at: line, "ssrc: missing attribute") }
        let trimmed = SDPText.trim(rest)
        let (name, v) = SDPText.splitOnce(trimmed, on: SDPText.colon)
        guard !name.isEmpty else { throw ParseError(.sdp, .syntax, at: line, "ssrc: missing attribute") }
        attribute = SDPText.string(name)
        self.value = v.map(SDPText.string)
    }

    public var attributeValue: String {
        var s = "\(ssrc.rawValue) \(attribute)"
        if let value { s += ":" + value }
        return s
    }
}
