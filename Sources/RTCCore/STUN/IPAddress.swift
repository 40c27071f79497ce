/// An IPv4 or IPv6 address held inline (no Foundation, no heap).
///
/// IPv4 is a big-endian `UInt32` (`192.0.2.1` is `0xC000_0201`); IPv6 is two big-endian
/// halves. The text form follows RFC 5952 (lowercase, longest zero run as `::`, IPv4-mapped
/// addresses as `::ffff:a.b.c.d`); the parser accepts RFC 4291 §2.2 text forms.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    case v4(UInt32)
    case v6(hi: UInt64, lo: UInt64)

    /// 127.0.0.1
    public static let loopbackV4 = IPAddress.v4(0x7F00_0001)
    /// ::1
    public static let loopbackV6 = IPAddress.v6(hi: 0, lo: 1)

    /// Builds from 4 or 16 raw network-order bytes; nil for any other length.
    public init?(bytes: UnsafeRawBufferPointer) {
        switch bytes.count {
        case 4:
            self = .v4(bytes.rtcU32(at: 0))
        case 16:
            let hi = UInt64(bytes.rtcU32(at: 0)) << 32 | UInt64(bytes.rtcU32(at: 4))
            let lo = UInt64(bytes.rtcU32(at: 8)) << 32 | UInt64(bytes.rtcU32(at: 12))
            self = .v6(hi: hi, lo: lo)
        default:
            return nil
        }
    }

    public var isIPv4: Bool {
        if case .v4 = self { return true }
        return false
    }

    public var isIPv6: Bool { !isIPv4 }

    /// True for 127.0.0.0/8 and ::1.
    public var isLoopback: Bool {
        switch self {
        case .v4(let a): return a >> 24 == 127
        case .v6(let hi, let lo): return hi == 0 && lo == 1
        }
    }

    /// True for IPv6 link-local addresses (fe80::/10) and IPv4 169.254.0.0/16.
    public var isLinkLocal: Bool {
        switch self {
        case .v4(let a): return a >> 16 == 0xA9FE
        case .v6(let hi, _): return hi >> 54 == 0x3FA
        }
    }

    /// The network-order bytes (4 or 16). Allocates; for the control plane.
    public var octets: [UInt8] {
        switch self {
        case .v4(let a):
            return (0..<4).map { UInt8(truncatingIfNeeded: a >> (24 - 8 * UInt32($0))) }
        case .v6(let hi, let lo):
            return (0..<8).map { UInt8(truncatingIfNeeded: hi >> (56 - 8 * UInt64($0))) }
                + (0..<8).map { UInt8(truncatingIfNeeded: lo >> (56 - 8 * UInt64($0))) }
        }
    }

    // MARK: Text form

    public var description: String {
        switch self {
        case .v4(let a):
            return Self.dotted(a)
        case .v6(let hi, let lo):
            let groups: [UInt16] = (0..<4).map { UInt16(truncatingIfNeeded: hi >> (48 - 16 * UInt64($0))) }
                + (0..<4).map { UInt16(truncatingIfNeeded: lo >> (48 - 16 * UInt64($0))) }
            // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
            if hi == 0, lo >> 32 == 0xFFFF {
                return "::ffff:" + Self.dotted(UInt32(truncatingIfNeeded: lo))
            }
            // RFC 5952 §4.2: the longest run (at least two) of zero groups becomes "::";
            // the first one wins a tie.
            var bestStart = -1
            var bestLen = 0
            var i = 0
            while i < 8 {
                if groups[i] == 0 {
                    var j = i
                    while j < 8, groups[j] == 0 { j += 1 }
                    if j - i > bestLen { bestStart = i; bestLen = j - i }
                    i = j
                } else {
                    i += 1
                }
            }
            if bestLen < 2 { bestStart = -1 }
            var out = ""
            i = 0
            while i < 8 {
                if i == bestStart {
                    out += "::"
                    i += bestLen
                    continue
                }
                if !out.isEmpty, !out.hasSuffix(":") { out += ":" }
                out += String(groups[i], radix: 16)
                i += 1
            }
            return out
        }
    }

    private static func dotted(_ a: UInt32) -> String {
        "\(a >> 24).\(a >> 16 & 0xFF).\(a >> 8 & 0xFF).\(a & 0xFF)"
    }

    /// Parses `a.b.c.d` or an RFC 4291 IPv6 text form (with `::` and an optional trailing
    /// dotted quad). A zone (`%eth0`) is refused. Returns nil on anything else.
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        if let v4 = Self.parseV4(utf8[...]) {
            self = .v4(v4)
        } else if let (hi, lo) = Self.parseV6(utf8[...]) {
            self = .v6(hi: hi, lo: lo)
        } else {
            return nil
        }
    }

    private static func parseV4(_ s: ArraySlice<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        var current: UInt32 = 0
        var digits = 0
        for c in s {
            if c >= 0x30, c <= 0x39 {
                current = current * 10 + UInt32(c - 0x30)
                digits += 1
                if digits > 3 || current > 255 { return nil }
            } else if c == 0x2E {  // "."
                if digits == 0 { return nil }
                value = value << 8 | current
                parts += 1
                current = 0
                digits = 0
            } else {
                return nil
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        return value << 8 | current
    }

    private static func hexValue(_ c: UInt8) -> UInt16? {
        switch c {
        case 0x30...0x39: return UInt16(c - 0x30)
        case 0x41...0x46: return UInt16(c - 0x41 + 10)
        case 0x61...0x66: return UInt16(c - 0x61 + 10)
        default: return nil
        }
    }

    private static func parseV6(_ s: ArraySlice<UInt8>) -> (UInt64, UInt64)? {
        guard s.count >= 2, s.count <= 45 else { return nil }
        var head: [UInt16]
        var tail: [UInt16] = []
        let compressed: Bool
        if let r = findDoubleColon(s) {
            // "head::tail": at most one "::"; a dotted quad may end the tail (or the head
            // when the tail is empty, which RFC 4291 does not allow, so it is refused).
            let right = s[(r + 2)...]
            guard findDoubleColon(right) == nil,
                  let h = splitGroups(s[s.startIndex..<r]), let t = splitGroups(right),
                  let parsedHead = parseGroups(h, allowV4Last: false),
                  let parsedTail = parseGroups(t, allowV4Last: true) else { return nil }
            head = parsedHead
            tail = parsedTail
            compressed = true
        } else {
            guard let g = splitGroups(s), let parsed = parseGroups(g, allowV4Last: true) else {
                return nil
            }
            head = parsed
            compressed = false
        }
        let total = head.count + tail.count
        guard compressed ? total <= 7 : total == 8 else { return nil }
        head += [UInt16](repeating: 0, count: 8 - total)
        head += tail
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        for i in 0..<4 { hi = hi << 16 | UInt64(head[i]) }
        for i in 4..<8 { lo = lo << 16 | UInt64(head[i]) }
        return (hi, lo)
    }

    private static func findDoubleColon(_ s: ArraySlice<UInt8>) -> Int? {
        var i = s.startIndex
        while i + 1 < s.endIndex {
            if s[i] == 0x3A, s[i + 1] == 0x3A { return i }
            i += 1
        }
        return nil
    }

    /// Splits on ":"; an empty input gives no groups, an empty group is an error.
    private static func splitGroups(_ s: ArraySlice<UInt8>) -> [ArraySlice<UInt8>]? {
        if s.isEmpty { return [] }
        var out: [ArraySlice<UInt8>] = []
        var start = s.startIndex
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == 0x3A {
                if i == start { return nil }
                out.append(s[start..<i])
                start = i + 1
            }
            i += 1
        }
        if start == s.endIndex { return nil }
        out.append(s[start..<s.endIndex])
        return out
    }

    private static func parseGroups(_ groups: [ArraySlice<UInt8>], allowV4Last: Bool) -> [UInt16]? {
        var out: [UInt16] = []
        for (n, g) in groups.enumerated() {
            if n == groups.count - 1, allowV4Last, g.contains(0x2E) {
                guard let v4 = parseV4(g) else { return nil }
                out.append(UInt16(truncatingIfNeeded: v4 >> 16))
                out.append(UInt16(truncatingIfNeeded: v4))
                continue
            }
            guard g.count >= 1, g.count <= 4 else { return nil }
            var v: UInt16 = 0
            for c in g {
                guard let d = hexValue(c) else { return nil }
                v = v << 4 | d
            }
            out.append(v)
        }
        return out
    }
}
