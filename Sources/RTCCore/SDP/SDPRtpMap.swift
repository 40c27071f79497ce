/// The `rtpmap` attribute: a dynamic payload type's encoding (RFC 8866 §6.6).
///
/// ```
///   a=rtpmap:111 opus/48000/2
///            |   |    |     `-- encoding parameters: channels (audio), optional
///            |   |    `-------- clock rate in Hz
///            |   `------------- encoding name (case-insensitive: VP8, H264, rtx, ...)
///            `----------------- payload type 0...127
/// ```
public struct SDPRtpMap: Hashable, Sendable {
    public var payloadType: PayloadType
    public var encodingName: String
    public var clockRate: UInt32
    public var channels: UInt16?

    public init(payloadType: PayloadType, encodingName: String, clockRate: UInt32, channels: UInt16? = nil) {
        self.payloadType = payloadType
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.channels = channels
    }

    init(_ value: ArraySlice<UInt8>, line: Int) throws(ParseError) {
        let tokens = SDPText.split(value, on: SDPText.space)
        guard tokens.count == 2 else {
            throw ParseError(.sdp, .syntax, at: line, "rtpmap: expected payload type and encoding")
        }
        payloadType = try SDPText.payloadType(tokens[0], line: line)
        let parts = SDPText.splitKeepingEmpty(tokens[1], on: SDPText.slash)
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty else {
            throw ParseError(.sdp, .syntax, at: line, "rtpmap: expected name/rate[/channels]")
        }
        encodingName = SDPText.string(parts[0])
        clockRate = try SDPText.number(parts[1], UInt32.self, line: line, "rtpmap: bad clock rate")
        channels = parts.count == 3
            ? try SDPText.number(parts[2], UInt16.self, line: line, "rtpmap: bad channel count") : nil
    }

    /// True when the encoding name equals `name` ignoring ASCII case.
    public func isEncoding(_ name: String) -> Bool {
        encodingName.lowercasedASCII == name.lowercasedASCII
    }

    public var attributeValue: String {
        var s = "\(payloadType.rawValue) \(encodingName)/\(clockRate)"
        if let channels { s += "/\(channels)" }
        return s
    }
}
