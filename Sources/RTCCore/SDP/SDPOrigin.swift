/// The origin line (RFC 8866 §5.2): who made the description and which version it is.
///
/// ```
///   o=- 7425369919228591045 2 IN IP4 127.0.0.1
///     | |                   | |  |   `-- unicast address
///     | |                   | |  `------ address type: IP4, IP6
///     | |                   | `--------- network type: IN
///     | |                   `----------- session version: grows with each new offer/answer
///     | `------------------------------- session id (a numeric string, kept as text)
///     `--------------------------------- username, "-" for none
/// ```
public struct SDPOrigin: Hashable, Sendable {
    public var username: String
    public var sessionID: String
    public var sessionVersion: UInt64
    public var networkType: String
    public var addressType: String
    public var address: String

    public init(username: String = "-", sessionID: String, sessionVersion: UInt64,
                networkType: String = "IN", addressType: String = "IP4", address: String = "0.0.0.0") {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    init(_ value: ArraySlice<UInt8>, line: Int) throws(ParseError) {
        let t = SDPText.split(value, on: SDPText.space)
        guard t.count == 6 else { throw ParseError(.sdp, .syntax, at: line, "o=: expected 6 fields") }
        username = SDPText.string(t[0])
        guard t[1].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw ParseError(.sdp, .syntax, at: line, "o=: session id is not numeric")
        }
        sessionID = SDPText.string(t[1])
        sessionVersion = try SDPText.number(t[2], UInt64.self, line: line, "o=: bad session version")
        networkType = SDPText.string(t[3])
        addressType = SDPText.string(t[4])
        address = SDPText.string(t[5])
    }

    public var lineValue: String {
        "\(username) \(sessionID) \(sessionVersion) \(networkType) \(addressType) \(address)"
    }
}
