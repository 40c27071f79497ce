/// The `extmap` attribute: an RTP header extension and its local identifier (RFC 8285 §8).
///
/// ```
///   a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
///   a=extmap:5/sendonly urn:example:ext attr1 attr2
///            | |        |               `-- extension attributes (optional)
///            | |        `------------------ URI naming the extension
///            | `--------------------------- direction (optional)
///            `----------------------------- id: 1-14 one-byte, 1-255 two-byte header,
///                                           4096-4351 offer-only (RFC 8285 §7)
/// ```
public struct SDPExtMap: Hashable, Sendable {
    public var id: UInt16
    public var direction: SDPDirection?
    public var uri: String
    /// Extension attributes after the URI, tokens joined by single spaces.
    public var attributes: String?

    public static let maxID: UInt16 = 4351

    public init(id: UInt16, direction: SDPDirection? = nil, uri: String, attributes: String? = nil) {
        self.id = id
        self.direction = direction
        self.uri = uri
        self.attributes = attributes
    }

    init(_ value: ArraySlice<UInt8>, line: Int) throws(ParseError) {
        let tokens = SDPText.split(value, on: SDPText.space)
        guard tokens.count >= 2 else {
            throw ParseError(.sdp, .syntax, at: line, "extmap: expected id and URI")
        }
        let (idPart, dirPart) = SDPText.splitOnce(tokens[0], on: SDPText.slash)
        id = try SDPText.number(idPart, UInt16.self, max: Self.maxID, line: line, "extmap: bad id")
        guard id > 0 else { throw ParseError(.sdp, .syntax, at: line, "extmap: id 0") }
        if let dirPart {
            guard let d = SDPDirection(rawValue: SDPText.string(dirPart)) else {
                throw ParseError(.sdp, .syntax, at: line, "extmap: bad direction")
            }
            direction = d
        } else {
            direction = nil
        }
        uri = SDPText.string(tokens[1])
        if tokens.count > 2 {
            var s = ""
            for (i, t) in tokens[2...].enumerated() {
                if i > 0 { s += " " }
                s += SDPText.string(t)
            }
            attributes = s
        } else {
            attributes = nil
        }
    }

    public var attributeValue: String {
        var s = String(id)
        if let direction { s += "/" + direction.rawValue }
        s += " " + uri
        if let attributes { s += " " + attributes }
        return s
    }
}
