/// The `fmtp` attribute: format-specific parameters of one payload type (RFC 8866 §6.15).
///
/// ```
///   a=fmtp:97 apt=96
///   a=fmtp:111 minptime=10;useinbandfec=1
///          |   `-- parameters, see ``SDPParameter``
///          `------ payload type 0...127
/// ```
public struct SDPFormatParameters: Hashable, Sendable {
    public var payloadType: PayloadType
    public var parameters: [SDPParameter]

    public init(payloadType: PayloadType, parameters: [SDPParameter]) {
        self.payloadType = payloadType
        self.parameters = parameters
    }

    init(_ value: ArraySlice<UInt8>, line: Int) throws(ParseError) {
        let (pt, rest) = SDPText.splitOnce(value, on: SDPText.space)
        payloadType = try SDPText.payloadType(pt, line: line)
        parameters = rest.map(SDPParameter.list) ?? []
    }

    /// The value of the parameter `key`, e.g. `apt` for RTX (RFC 4588 §8.6).
    public subscript(key: String) -> String? { parameters[sdpKey: key] }

    /// The RTX associated payload type (`apt=`), when this is an RTX format's fmtp.
    public var associatedPayloadType: PayloadType? {
        guard let v = self["apt"],
              let n = try? SDPText.number(v.sdpBytes, UInt8.self, max: 127, line: 0, "apt") else { return nil }
        return PayloadType(n)
    }

    public var attributeValue: String {
        parameters.isEmpty ? "\(payloadType.rawValue)"
            : "\(payloadType.rawValue) " + SDPParameter.write(parameters)
    }
}
