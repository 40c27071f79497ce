/// The `group` attribute: m-sections grouped by a semantics (RFC 5888 §5; BUNDLE in
/// RFC 8843 §7).
///
/// ```
///   a=group:BUNDLE 0 1
///           |      `-- identification tags (mids), in order; the first is the tagged
///           |          m-section of a BUNDLE group
///           `--------- semantics: BUNDLE, LS, FID, ...
/// ```
public struct SDPGroup: Hashable, Sendable {
    public var semantics: String
    public var mids: [Mid]

    public static let bundle = "BUNDLE"

    public init(semantics: String, mids: [Mid]) {
        self.semantics = semantics
        self.mids = mids
    }

    init(_ value: ArraySlice<UInt8>, line: Int) throws(ParseError) {
        let tokens = SDPText.split(value, on: SDPText.space)
        guard let first = tokens.first else {
            throw ParseError(.sdp, .syntax, at: line, "group: missing semantics")
        }
        semantics = SDPText.string(first)
        var mids: [Mid] = []
        for t in tokens.dropFirst() {
            mids.append(try SDPText.shortID(t, line: line, "group: bad identification tag"))
        }
        self.mids = mids
    }

    public var attributeValue: String {
        var s = semantics
        for m in mids { s += " " + m.description }
        return s
    }
}
