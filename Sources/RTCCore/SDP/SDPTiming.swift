/// A time description (RFC 8866 §5.9, §5.10): `t=` and its `r=` repeat lines.
///
/// ```
///   t=0 0            start and stop as NTP seconds; 0 0 means unbounded (WebRTC always)
///   r=7d 1h 0 25h    repeat times, kept as text
/// ```
public struct SDPTiming: Hashable, Sendable {
    public var start: UInt64
    public var stop: UInt64
    public var repeats: [String]

    public init(start: UInt64 = 0, stop: UInt64 = 0, repeats: [String] = []) {
        self.start = start
        self.stop = stop
        self.repeats = repeats
    }

    init(_ value: ArraySlice<UInt8>, line: Int) throws(ParseError) {
        let t = SDPText.split(value, on: SDPText.space)
        guard t.count == 2 else { throw ParseError(.sdp, .syntax, at: line, "t=: expected start and stop") }
        start = try SDPText.number(t[0], UInt64.self, line: line, "t=: bad start time")
        stop = try SDPText.number(t[1], UInt64.self, line: line, "t=: bad stop time")
        repeats = []
    }

    public var lineValue: String { "\(start) \(stop)" }
}
