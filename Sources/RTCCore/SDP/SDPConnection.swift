/// Connection data (RFC 8866 §5.7). With ICE the address is only informative (RFC 8839
/// §5.1): `c=IN IP4 0.0.0.0` before candidates are known.
///
/// ```
///   c=IN IP4 127.0.0.1
///     |  |   `-- connection address (multicast forms "/ttl/count" are kept as text)
///     |  `------ address type
///     `--------- network type
/// ```
public struct SDPConnection: Hashable, Sendable {
    public var networkType: String
    public var addressType: String
    public var address: String

    public init(networkType: String = "IN", addressType: String = "IP4", address: String) {
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    init(_ value: ArraySlice<UInt8>, line: Int) throws(ParseError) {
        let t = SDPText.split(value, on: SDPText.space)
        guard t.count == 3 else { throw ParseError(.sdp, .syntax, at: line, "c=: expected 3 fields") }
        networkType = SDPText.string(t[0])
        addressType = SDPText.string(t[1])
        address = SDPText.string(t[2])
    }

    public var lineValue: String { "\(networkType) \(addressType) \(address)" }
}
