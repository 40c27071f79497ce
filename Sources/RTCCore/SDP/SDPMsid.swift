/// The `msid` attribute: the MediaStream and track an m-section's media belongs to
/// (RFC 8830 §2).
///
/// ```
///   a=msid:2f551d16-60e1-42e4-a532-445689263312 65d7bea2-d286-486b-abd0-d9b6eb9b6de6
///          `-- stream id ("-" for none)          `-- track id (appdata, optional)
/// ```
public struct SDPMsid: Hashable, Sendable {
    public var streamID: String
    public var trackID: String?

    public init(streamID: String, trackID: String? = nil) {
        self.streamID = streamID
        self.trackID = trackID
    }

    init(_ value: ArraySlice<UInt8>, line: Int) throws(ParseError) {
        let tokens = SDPText.split(value, on: SDPText.space)
        guard tokens.count == 1 || tokens.count == 2 else {
            throw ParseError(.sdp, .syntax, at: line, "msid: expected stream and track id")
        }
        streamID = SDPText.string(tokens[0])
        trackID = tokens.count == 2 ? SDPText.string(tokens[1]) : nil
    }

    public var attributeValue: String {
        trackID.map { streamID + " " + $0 } ?? streamID
    }
}
