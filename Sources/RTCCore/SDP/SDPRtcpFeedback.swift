/// The `rtcp-fb` attribute: an RTCP feedback message the sender of this line understands
/// (RFC 4585 §4.2; RFC 5104 §7.1 for `ccm fir`; draft-holmer `transport-cc`; `goog-remb`).
///
/// ```
///   a=rtcp-fb:96 nack pli
///             |  |    `-- subtype and any further parameters (optional)
///             |  `------- feedback type: nack, ccm, goog-remb, transport-cc, trr-int, ...
///             `---------- payload type, or '*' for every payload type
/// ```
public struct SDPRtcpFeedback: Hashable, Sendable {
    /// nil means '*' (all payload types of the m-section).
    public var payloadType: PayloadType?
    public var type: String
    /// e.g. `pli` in `nack pli`, `fir` in `ccm fir`; tokens joined by single spaces.
    public var subtype: String?

    public init(payloadType: PayloadType?, type: String, subtype: String? = nil) {
        self.payloadType = payloadType
        self.type = type
        self.subtype = subtype
    }

    init(_ value: ArraySlice<UInt8>, line: Int) throws(ParseError) {
        let tokens = SDPText.split(value, on: SDPText.space)
        guard tokens.count >= 2 else {
            throw ParseError(.sdp, .syntax, at: line, "rtcp-fb: expected payload type and type")
        }
        payloadType = SDPText.equals(tokens[0], "*") ? nil : try SDPText.payloadType(tokens[0], line: line)
        type = SDPText.string(tokens[1])
        if tokens.count > 2 {
            var s = ""
            for (i, t) in tokens[2...].enumerated() {
                if i > 0 { s += " " }
                s += SDPText.string(t)
            }
            subtype = s
        } else {
            subtype = nil
        }
    }

    /// True when this line applies to `pt` (its own payload type or '*').
    public func applies(to pt: PayloadType) -> Bool { payloadType == nil || payloadType == pt }

    public var attributeValue: String {
        var s = payloadType.map { String($0.rawValue) } ?? "*"
        s += " " + type
        if let subtype { s += " " + subtype }
        return s
    }
}
