/// Reads a session description from text (RFC 8866 §5, §9).
///
/// ```
///   <type>=<value> CRLF      type: one lowercase letter; LF alone is accepted too
/// ```
/// Rules this reader applies (every failure is a ``ParseError`` with `.sdp`, `.syntax` —
/// `.unsupportedVersion` for `v=` other than 0 — and the 1-based line number in `offset`;
/// nothing traps, numbers too large for their field are errors):
/// - the first line is `v=0`; `o=` and `s=` are required;
/// - a type letter that RFC 8866 does not define makes the whole description invalid (§5:
///   "MUST ... reject"); so does a line without '=' or, except `s=`, without a value;
/// - session-level lines may come in any order before the first `m=`; a line that is only
///   allowed at session level (`o`, `s`, `t`, `r`, `z`, `u`, `e`, `p`, `v`) inside a media
///   section is an error, as is a second `o`, `s`, `i`, `u`, `c` (session), `z` or `k`;
/// - blank lines are skipped; trailing spaces and tabs of a line are ignored (not for `s=`);
///   NUL and a lone CR inside a line are errors.
enum SDPParser {
    static func parse(_ data: [UInt8]) throws(ParseError) -> SessionDescription {
        var lineNumber = 0
        var start = 0
        var sawVersion = false
        var origin: SDPOrigin?
        var sessionName: String?
        var session = SessionDescription(origin: SDPOrigin(sessionID: "0", sessionVersion: 0), timing: [])
        // Sections are appended as their m= line is read; `inMedia` says whether lines now
        // belong to the last one (mutated in place). `inMedia` is set only right after an append, so
        // `media[media.count - 1]` is always in bounds when it is true.
        var media: [MediaDescription] = []
        var inMedia = false

        while start < data.count {
            var end = start
            while end < data.count, data[end] != 0x0A { end += 1 }
            let next = end + 1
            lineNumber += 1
            var line = data[start..<end]
            start = next
            if line.last == 0x0D { line = line.dropLast() }
            if line.isEmpty { continue }

            guard line.count >= 2, let type = line.first, type >= 0x61, type <= 0x7A,
                  line[line.startIndex + 1] == SDPText.equals else {
                throw ParseError(.sdp, .syntax, at: lineNumber, "expected <type>=<value>")
            }
            for b in line where b == 0 || b == 0x0D {
                throw ParseError(.sdp, .syntax, at: lineNumber, "control character inside a line")
            }
            let raw = line[(line.startIndex + 2)...]
            var value = raw
            while let last = value.last, last == SDPText.space || last == SDPText.tab { value = value.dropLast() }

            if !sawVersion {
                guard type == UInt8(ascii: "v") else {
                    throw ParseError(.sdp, .syntax, at: lineNumber, "first line must be v=0")
                }
                guard SDPText.equals(value, "0") else {
                    throw ParseError(.sdp, .unsupportedVersion, at: lineNumber, "version is not 0")
                }
                sawVersion = true
                continue
            }
            if value.isEmpty && type != UInt8(ascii: "s") {
                throw ParseError(.sdp, .syntax, at: lineNumber, "line without a value")
            }

            switch type {
            case UInt8(ascii: "m"):
                media.append(try MediaDescription(mLine: value, line: lineNumber))
                inMedia = true
            case UInt8(ascii: "a"):
                let a = try SDPAttribute(value, line: lineNumber)
                if inMedia { media[media.count - 1].attributes.append(a) } else { session.attributes.append(a) }
            case UInt8(ascii: "c"):
                let c = try SDPConnection(value, line: lineNumber)
                if inMedia {
                    media[media.count - 1].connections.append(c)
                } else {
                    guard session.connection == nil else { throw duplicate(lineNumber) }
                    session.connection = c
                }
            case UInt8(ascii: "b"):
                let b = try SDPBandwidth(value, line: lineNumber)
                if inMedia { media[media.count - 1].bandwidths.append(b) } else { session.bandwidths.append(b) }
            case UInt8(ascii: "i"):
                let text = SDPText.string(value)
                if inMedia {
                    guard media[media.count - 1].information == nil else { throw duplicate(lineNumber) }
                    media[media.count - 1].information = text
                } else {
                    guard session.information == nil else { throw duplicate(lineNumber) }
                    session.information = text
                }
            case UInt8(ascii: "k"):
                let text = SDPText.string(value)
                if inMedia {
                    guard media[media.count - 1].encryptionKey == nil else { throw duplicate(lineNumber) }
                    media[media.count - 1].encryptionKey = text
                } else {
                    guard session.encryptionKey == nil else { throw duplicate(lineNumber) }
                    session.encryptionKey = text
                }
            case UInt8(ascii: "v"), UInt8(ascii: "o"), UInt8(ascii: "s"), UInt8(ascii: "t"),
                 UInt8(ascii: "r"), UInt8(ascii: "z"), UInt8(ascii: "u"), UInt8(ascii: "e"),
                 UInt8(ascii: "p"):
                guard !inMedia else {
                    throw ParseError(.sdp, .syntax, at: lineNumber, "session-level line inside a media section")
                }
                switch type {
                case UInt8(ascii: "o"):
                    guard origin == nil else { throw duplicate(lineNumber) }
                    origin = try SDPOrigin(value, line: lineNumber)
                case UInt8(ascii: "s"):
                    guard sessionName == nil else { throw duplicate(lineNumber) }
                    sessionName = SDPText.string(raw)
                case UInt8(ascii: "t"):
                    session.timing.append(try SDPTiming(value, line: lineNumber))
                case UInt8(ascii: "r"):
                    guard !session.timing.isEmpty else {
                        throw ParseError(.sdp, .syntax, at: lineNumber, "r= without t=")
                    }
                    session.timing[session.timing.count - 1].repeats.append(SDPText.string(value))
                case UInt8(ascii: "z"):
                    guard session.timeZones == nil else { throw duplicate(lineNumber) }
                    session.timeZones = SDPText.string(value)
                case UInt8(ascii: "u"):
                    guard session.uri == nil else { throw duplicate(lineNumber) }
                    session.uri = SDPText.string(value)
                case UInt8(ascii: "e"):
                    session.emails.append(SDPText.string(value))
                case UInt8(ascii: "p"):
                    session.phones.append(SDPText.string(value))
                default:  // "v"
                    throw duplicate(lineNumber)
                }
            default:
                throw ParseError(.sdp, .syntax, at: lineNumber, "unknown line type")
            }
        }
        guard sawVersion else { throw ParseError(.sdp, .syntax, at: max(lineNumber, 1), "missing v= line") }
        guard let origin else { throw ParseError(.sdp, .syntax, at: lineNumber, "missing o= line") }
        guard let sessionName else { throw ParseError(.sdp, .syntax, at: lineNumber, "missing s= line") }
        session.origin = origin
        session.sessionName = sessionName
        session.media = media
        return session
    }

    private static func duplicate(_ line: Int) -> ParseError {
        ParseError(.sdp, .syntax, at: line, "line type may appear only once here")
    }
}

extension SessionDescription {
    /// Parses a session description from text.
    public static func parse(_ text: String) throws(ParseError) -> SessionDescription {
        try SDPParser.parse(Array(text.utf8))
    }

    /// Parses a session description from UTF-8 bytes.
    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> SessionDescription {
        try SDPParser.parse(bytes)
    }

    /// Parses a session description from borrowed UTF-8 bytes (copied once).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> SessionDescription {
        try SDPParser.parse(Array(bytes))
    }
}
