/// The `imageattr` attribute (RFC 6236 §3.1): the picture sizes an endpoint sends or wants to
/// receive for a payload type.
///
/// ```
///   a=imageattr:97 send [x=1280,y=720] [x=[320:16:640],y=[180:9:360],q=0.5] recv *
///               |  |    `-- sets, most preferred first: x/y a value, [min:step:max] or
///               |  |        [min:max] range, or [a,b,…] list; then sar=, par=, q=
///               |  `------- direction: send or recv (each at most once), then sets or *
///               `---------- payload type, or * for all
/// ```
/// Held in a section as an unknown attribute; read it with
/// ``MediaDescription/imageAttributes``.
public struct SDPImageAttr: Hashable, Sendable {
    /// The payload type it applies to (nil: `*`, every one).
    public var payloadType: PayloadType?
    /// `send` sets (nil: no `send` part).
    public var send: SetList?
    /// `recv` sets (nil: no `recv` part).
    public var recv: SetList?

    public enum SetList: Hashable, Sendable {
        /// `*`: any size.
        case any
        case sets([ImageSet])
    }

    /// One `[x=…,y=…]` set.
    public struct ImageSet: Hashable, Sendable {
        public var x: Range
        public var y: Range
        /// `sar=`, `par=` as written (nil: absent).
        public var sampleAspectRatio: String?
        public var pictureAspectRatio: String?
        /// `q=` preference, 0...1 (default 0.5).
        public var preference: Double?

        public init(x: Range, y: Range, sampleAspectRatio: String? = nil, pictureAspectRatio: String? = nil,
                    preference: Double? = nil) {
            self.x = x
            self.y = y
            self.sampleAspectRatio = sampleAspectRatio
            self.pictureAspectRatio = pictureAspectRatio
            self.preference = preference
        }
    }

    /// A width or height: one value, a stepped range or a list.
    public enum Range: Hashable, Sendable {
        case value(Int)
        case range(min: Int, step: Int, max: Int)
        case list([Int])

        public var maximum: Int {
            switch self {
            case .value(let v): return v
            case .range(_, _, let m): return m
            case .list(let l): return l.max() ?? 0
            }
        }

        public var minimum: Int {
            switch self {
            case .value(let v): return v
            case .range(let m, _, _): return m
            case .list(let l): return l.min() ?? 0
            }
        }
    }

    public init(payloadType: PayloadType?, send: SetList? = nil, recv: SetList? = nil) {
        self.payloadType = payloadType
        self.send = send
        self.recv = recv
    }

    /// The largest size a set list allows (by area), nil for `*` or nothing.
    public static func largest(_ list: SetList?) -> VideoResolution? {
        guard case .sets(let sets)? = list else { return nil }
        var best: VideoResolution?
        for s in sets {
            let r = VideoResolution(width: s.x.maximum, height: s.y.maximum)
            if best.map({ r.width * r.height > $0.width * $0.height }) ?? true { best = r }
        }
        return best
    }

    /// Parses the attribute value (the text after `imageattr:`).
    ///
    /// - Throws: `.sdp` `.syntax` for anything outside the grammar.
    public init(parsing value: String) throws(ParseError) {
        var p = Scanner(Array(value.utf8))
        p.skipSpaces()
        if p.take(UInt8(ascii: "*")) {
            payloadType = nil
        } else {
            guard let pt = p.integer(), pt <= 127 else { throw Self.error("imageattr: bad payload type") }
            payloadType = PayloadType(rawValue: UInt8(pt))
        }
        var send: SetList?
        var recv: SetList?
        while true {
            p.skipSpaces()
            if p.atEnd { break }
            let isSend: Bool
            if p.take(word: "send") { isSend = true } else if p.take(word: "recv") { isSend = false } else {
                throw Self.error("imageattr: expected send or recv")
            }
            guard (isSend ? send : recv) == nil else { throw Self.error("imageattr: direction given twice") }
            p.skipSpaces()
            let list: SetList
            if p.take(UInt8(ascii: "*")) {
                list = .any
            } else {
                var sets: [ImageSet] = []
                while p.peek == UInt8(ascii: "[") {
                    sets.append(try Self.parseSet(&p))
                    p.skipSpaces()
                }
                guard !sets.isEmpty else { throw Self.error("imageattr: no set") }
                list = .sets(sets)
            }
            if isSend { send = list } else { recv = list }
        }
        guard send != nil || recv != nil else { throw Self.error("imageattr: no send or recv part") }
        self.send = send
        self.recv = recv
    }

    static func error(_ reason: StaticString) -> ParseError { ParseError(.sdp, .syntax, at: 0, reason) }

    static func parseSet(_ p: inout Scanner) throws(ParseError) -> ImageSet {
        guard p.take(UInt8(ascii: "[")) else { throw error("imageattr: expected [") }
        var x: Range?
        var y: Range?
        var set = ImageSet(x: .value(0), y: .value(0))
        repeat {
            let key = p.word()
            guard p.take(UInt8(ascii: "=")) else { throw error("imageattr: expected =") }
            switch key {
            case "x": x = try parseRange(&p)
            case "y": y = try parseRange(&p)
            case "sar": set.sampleAspectRatio = p.rawValue()
            case "par": set.pictureAspectRatio = p.rawValue()
            case "q":
                guard let q = Double(p.rawValue()), q >= 0, q <= 1 else { throw error("imageattr: bad q") }
                set.preference = q
            default: throw error("imageattr: unknown set parameter")
            }
        } while p.take(UInt8(ascii: ","))
        guard p.take(UInt8(ascii: "]")), let x, let y else { throw error("imageattr: set without x and y") }
        set.x = x
        set.y = y
        return set
    }

    static func parseRange(_ p: inout Scanner) throws(ParseError) -> Range {
        if !p.take(UInt8(ascii: "[")) {
            guard let v = p.integer(), v > 0 else { throw error("imageattr: bad size") }
            return .value(v)
        }
        guard let first = p.integer(), first > 0 else { throw error("imageattr: bad size") }
        if p.take(UInt8(ascii: ":")) {
            guard let second = p.integer(), second > 0 else { throw error("imageattr: bad range") }
            var range = Range.range(min: first, step: 1, max: second)
            if p.take(UInt8(ascii: ":")) {
                guard let third = p.integer(), third > 0 else { throw error("imageattr: bad range") }
                range = .range(min: first, step: second, max: third)
            }
            guard p.take(UInt8(ascii: "]")), range.minimum <= range.maximum else { throw error("imageattr: bad range") }
            return range
        }
        var list = [first]
        while p.take(UInt8(ascii: ",")) {
            guard let v = p.integer(), v > 0 else { throw error("imageattr: bad list") }
            list.append(v)
        }
        guard p.take(UInt8(ascii: "]")) else { throw error("imageattr: expected ]") }
        return .list(list)
    }

    /// A cursor over the attribute's bytes.
    struct Scanner {
        let b: [UInt8]
        var i = 0
        init(_ b: [UInt8]) { self.b = b }
        var atEnd: Bool { i >= b.count }
        var peek: UInt8? { i < b.count ? b[i] : nil }
        mutating func skipSpaces() { while let c = peek, c == 0x20 || c == 0x09 { i += 1 } }
        mutating func take(_ c: UInt8) -> Bool {
            guard peek == c else { return false }
            i += 1
            return true
        }
        mutating func take(word: String) -> Bool {
            let w = Array(word.utf8)
            guard i + w.count <= b.count, Array(b[i..<(i + w.count)]) == w else { return false }
            i += w.count
            return true
        }
        /// A decimal integer of at most 9 digits.
        mutating func integer() -> Int? {
            var v = 0
            var n = 0
            while let c = peek, c >= 0x30, c <= 0x39, n < 9 {
                v = v * 10 + Int(c - 0x30)
                n += 1
                i += 1
            }
            if let c = peek, c >= 0x30, c <= 0x39 { return nil }
            return n > 0 ? v : nil
        }
        mutating func word() -> String {
            let start = i
            while let c = peek, (c >= 0x61 && c <= 0x7A) { i += 1 }
            return String(decoding: b[start..<i], as: UTF8.self)
        }
        /// A value up to the next ',' or ']' outside brackets.
        mutating func rawValue() -> String {
            let start = i
            var depth = 0
            while let c = peek {
                if c == UInt8(ascii: "[") { depth += 1 } else if c == UInt8(ascii: "]") {
                    if depth == 0 { break }
                    depth -= 1
                } else if c == UInt8(ascii: ","), depth == 0 { break }
                i += 1
            }
            return String(decoding: b[start..<i], as: UTF8.self)
        }
    }
}
