/// A bandwidth line (RFC 8866 §5.8; TIAS in RFC 3890).
///
/// ```
///   b=AS:2500        b=TIAS:2500000
///     |  `-- value: kilobits per second for AS/CT, bits per second for TIAS
///     `----- bandwidth type
/// ```
public struct SDPBandwidth: Hashable, Sendable {
    public var type: String
    public var value: UInt64

    public init(type: String, value: UInt64) {
        self.type = type
        self.value = value
    }

    init(_ v: ArraySlice<UInt8>, line: Int) throws(ParseError) {
        let (t, n) = SDPText.splitOnce(v, on: SDPText.colon)
        guard SDPText.isToken(t), let n else {
            throw ParseError(.sdp, .syntax, at: line, "b=: expected type:value")
        }
        type = SDPText.string(t)
        value = try SDPText.number(n, UInt64.self, line: line, "b=: bad bandwidth")
    }

    public var lineValue: String { "\(type):\(value)" }
}
