/// The `rid` attribute: one RTP stream (e.g. one simulcast encoding) and its restrictions
/// (RFC 8851 §4, §10).
///
/// ```
///   a=rid:q send pt=96,98;max-width=320;max-height=180
///         | |    |         `-- restrictions: key=value (or bare) separated by ';'
///         | |    `------------ pt=: the payload types this stream may use (optional)
///         | `----------------- direction: send or recv (from the writer's view)
///         `------------------- rid-id: letters, digits, '-' and '_'
/// ```
public struct SDPRid: Hashable, Sendable {
    public enum Direction: String, Hashable, Sendable {
        case send, recv

        public var reversed: Direction { self == .send ? .recv : .send }
    }

    public var id: Rid
    public var direction: Direction
    /// The `pt=` list; empty when absent.
    public var payloadTypes: [PayloadType]
    /// Every other parameter, in order (`max-width`, `max-fps`, `depend`, ...).
    public var restrictions: [SDPParameter]

    public init(id: Rid, direction: Direction, payloadTypes: [PayloadType] = [], restrictions: [SDPParameter] = []) {
        self.id = id
        self.direction = direction
        self.payloadTypes = payloadTypes
        self.restrictions = restrictions
    }

    init(_ value: ArraySlice<UInt8>, line: Int) throws(ParseError) {
        let (idPart, rest) = SDPText.splitOnce(value, on: SDPText.space)
        id = try SDPText.shortID(idPart, rid: true, line: line, "rid: bad rid-id")
        guard let rest else { throw ParseError(.sdp, .syntax, at: line, "rid: missing direction") }
        let (dirPart, params) = SDPText.splitOnce(SDPText.trim(rest), on: SDPText.space)
        guard let d = Direction(rawValue: SDPText.string(dirPart)) else {
            throw ParseError(.sdp, .syntax, at: line, "rid: direction is not send or recv")
        }
        direction = d
        var pts: [PayloadType] = []
        var restrictions: [SDPParameter] = []
        for p in params.map(SDPParameter.list) ?? [] {
            if p.key == "pt" {
                guard let v = p.value else { throw ParseError(.sdp, .syntax, at: line, "rid: pt without list") }
                for item in SDPText.splitKeepingEmpty(v.sdpBytes, on: SDPText.comma) {
                    pts.append(try SDPText.payloadType(SDPText.trim(item), line: line))
                }
            } else {
                restrictions.append(p)
            }
        }
        payloadTypes = pts
        self.restrictions = restrictions
    }

    /// The value of a restriction such as `max-width`, if present.
    public subscript(restriction key: String) -> String? { restrictions[sdpKey: key] }

    public var attributeValue: String {
        var s = id.description + " " + direction.rawValue
        var params: [SDPParameter] = []
        if !payloadTypes.isEmpty {
            var list = ""
            for (i, pt) in payloadTypes.enumerated() {
                if i > 0 { list += "," }
                list += String(pt.rawValue)
            }
            params.append(SDPParameter("pt", list))
        }
        params += restrictions
        if !params.isEmpty { s += " " + SDPParameter.write(params) }
        return s
    }
}
