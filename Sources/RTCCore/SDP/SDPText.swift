/// Byte-level helpers for SDP's text grammar (RFC 8866 §9).
///
/// SDP is parsed from UTF-8 bytes, never from `Character`s: Swift treats "\r\n" and a space
/// followed by a combining mark as single graphemes, which would make splitting depend on
/// what follows a separator. Every helper here works on `ArraySlice<UInt8>` and cannot trap.
///
/// ```
///   line  = type "=" value CRLF          type: one lowercase letter
///   value = token *(SP token)             tokens split on SP (0x20); empty tokens dropped
/// ```
enum SDPText {
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let comma: UInt8 = 0x2C
    static let equals: UInt8 = 0x3D
    static let slash: UInt8 = 0x2F
    static let tilde: UInt8 = 0x7E

    typealias Bytes = ArraySlice<UInt8>

    /// Splits on `separator`, dropping empty pieces (so runs of separators count as one).
    static func split(_ s: Bytes, on separator: UInt8) -> [Bytes] {
        var out: [Bytes] = []
        var start = s.startIndex
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == separator {
                if i > start { out.append(s[start..<i]) }
                start = i + 1
            }
            i += 1
        }
        if s.endIndex > start { out.append(s[start..<s.endIndex]) }
        return out
    }

    /// Splits on `separator`, keeping empty pieces (`"a,,b"` gives three pieces).
    static func splitKeepingEmpty(_ s: Bytes, on separator: UInt8) -> [Bytes] {
        var out: [Bytes] = []
        var start = s.startIndex
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == separator {
                out.append(s[start..<i])
                start = i + 1
            }
            i += 1
        }
        out.append(s[start..<s.endIndex])
        return out
    }

    /// Splits at the first `separator`: the part before it and the part after it (nil when the
    /// separator does not occur).
    static func splitOnce(_ s: Bytes, on separator: UInt8) -> (Bytes, Bytes?) {
        guard let i = s.firstIndex(of: separator) else { return (s, nil) }
        return (s[s.startIndex..<i], s[(i + 1)..<s.endIndex])
    }

    /// Removes leading and trailing spaces and tabs.
    static func trim(_ s: Bytes) -> Bytes {
        var lo = s.startIndex
        var hi = s.endIndex
        while lo < hi, s[lo] == space || s[lo] == tab { lo += 1 }
        while hi > lo, s[hi - 1] == space || s[hi - 1] == tab { hi -= 1 }
        return s[lo..<hi]
    }

    /// The bytes as a String; invalid UTF-8 becomes U+FFFD, which writes back as valid UTF-8.
    static func string(_ s: Bytes) -> String {
        String(decoding: s, as: UTF8.self)
    }

    static func equals(_ s: Bytes, _ literal: StaticString) -> Bool {
        guard s.count == literal.utf8CodeUnitCount else { return false }
        return literal.withUTF8Buffer { lit in
            var j = s.startIndex
            for b in lit {
                if s[j] != b { return false }
                j += 1
            }
            return true
        }
    }

    /// ASCII case-insensitive comparison with a lowercase literal.
    static func equalsIgnoringCase(_ s: Bytes, _ lowercaseLiteral: StaticString) -> Bool {
        guard s.count == lowercaseLiteral.utf8CodeUnitCount else { return false }
        return lowercaseLiteral.withUTF8Buffer { lit in
            var j = s.startIndex
            for b in lit {
                let c = s[j]
                let lower = (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c
                if lower != b { return false }
                j += 1
            }
            return true
        }
    }

    /// A decimal number of 1 or more digits that fits in `T` and is at most `max`.
    /// No sign, no spaces; too many digits or a value over `max` is an error, never a trap.
    static func number<T: FixedWidthInteger & UnsignedInteger>(
        _ s: Bytes, _ type: T.Type, max: T = T.max, line: Int, _ reason: StaticString
    ) throws(ParseError) -> T {
        guard !s.isEmpty else { throw ParseError(.sdp, .syntax, at: line, reason) }
        var v: T = 0
        for c in s {
            guard c >= 0x30, c <= 0x39 else { throw ParseError(.sdp, .syntax, at: line, reason) }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(T(c &- 0x30))
            guard !o1, !o2 else { throw ParseError(.sdp, .syntax, at: line, reason) }
            v = a
        }
        guard v <= max else { throw ParseError(.sdp, .syntax, at: line, reason) }
        return v
    }

    /// An RTP payload type: a number 0...127.
    static func payloadType(_ s: Bytes, line: Int) throws(ParseError) -> PayloadType {
        PayloadType(try number(s, UInt8.self, max: 127, line: line, "payload type not 0...127"))
    }

    /// RFC 8866 §9 `token-char`: visible ASCII except the separators `"(),/:;<=>?@[\]{}`...
    /// (the RFC's list) — used for attribute names and identifiers that must survive a
    /// write → parse round trip.
    static func isTokenChar(_ c: UInt8) -> Bool {
        switch c {
        case 0x21, 0x23...0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x30...0x39, 0x41...0x5A, 0x5E...0x7E:
            return true
        default:
            return false
        }
    }

    static func isToken(_ s: Bytes) -> Bool {
        !s.isEmpty && s.allSatisfy(isTokenChar)
    }

    /// Visible ASCII (0x21...0x7E): no spaces, controls or non-ASCII.
    static func isVisible(_ s: Bytes) -> Bool {
        !s.isEmpty && s.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
    }

    /// RFC 8851 §10 `rid-id = 1*(alpha-numeric / "-" / "_")`.
    static func isRidID(_ s: Bytes) -> Bool {
        !s.isEmpty && s.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F
        }
    }

    /// A mid (RFC 8843 §15: a token) or, with `rid: true`, a rid-id (RFC 8851 §10) as an
    /// inline ``ShortID`` (at most 16 bytes, the one-byte header extension limit).
    static func shortID(_ s: Bytes, rid: Bool = false, line: Int, _ reason: StaticString) throws(ParseError) -> ShortID {
        guard rid ? isRidID(s) : isToken(s) else { throw ParseError(.sdp, .syntax, at: line, reason) }
        let id: ShortID? = s.withUnsafeBytes { ShortID(bytes: $0) }
        guard let id else { throw ParseError(.sdp, .syntax, at: line, reason) }
        return id
    }
}

extension String {
    /// The UTF-8 bytes as an array slice, for the SDP helpers.
    var sdpBytes: ArraySlice<UInt8> { ArraySlice(utf8) }

    /// ASCII lowercase (non-ASCII bytes unchanged).
    var lowercasedASCII: String {
        String(decoding: utf8.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
