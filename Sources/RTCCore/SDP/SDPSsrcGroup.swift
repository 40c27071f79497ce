/// The `ssrc-group` attribute: SSRCs related by a semantics (RFC 5576 §4.2).
///
/// ```
///   a=ssrc-group:FID 3910905369 3981744550
///                |   `-- SSRCs: for FID the media SSRC then its RTX SSRC (RFC 4588 §8.2)
///                `------ semantics: FID, SIM, FEC-FR, ...
/// ```
public struct SDPSsrcGroup: Hashable, Sendable {
    public var semantics: String
    public var ssrcs: [SSRC]

    public init(semantics: String, ssrcs: [SSRC]) {
        self.semantics = semantics
        self.ssrcs = ssrcs
    }

    init(_ value: ArraySlice<UInt8>, line: Int) throws(ParseError) {
        let tokens = SDPText.split(value, on: SDPText.space)
        guard let first = tokens.first else {
            throw ParseError(.sdp, .syntax, at: line, "ssrc-group: missing semantics")
        }
        semantics = SDPText.string(first)
        var ssrcs: [SSRC] = []
        for t in tokens.dropFirst() {
            ssrcs.append(SSRC(try SDPText.number(t, UInt32.self, line: line, "ssrc-group: bad SSRC")))
        }
        self.ssrcs = ssrcs
    }

    public var attributeValue: String {
        var s = semantics
        for ssrc in ssrcs { s += " \(ssrc.rawValue)" }
        return s
    }
}
