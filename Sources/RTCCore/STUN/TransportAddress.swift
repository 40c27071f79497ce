/// An IP address and UDP/TCP port: the "transport address" of RFC 8489 §3 and RFC 8445 §3.
///
/// A plain value (no Foundation, no heap) used for candidates, STUN mapped addresses and as
/// the key that identifies a remote peer. Text form: `127.0.0.1:5000` and `[::1]:5000`.
public struct TransportAddress: Hashable, Sendable, CustomStringConvertible,
    LosslessStringConvertible
{
    public var ip: IPAddress
    public var port: UInt16

    @inlinable
    public init(ip: IPAddress, port: UInt16) {
        self.ip = ip
        self.port = port
    }

    /// An IPv4 address from a big-endian `UInt32` (`0x7F00_0001` is 127.0.0.1).
    @inlinable
    public init(ipv4: UInt32, port: UInt16) {
        self.init(ip: .v4(ipv4), port: port)
    }

    /// An IPv6 address from its two big-endian 64-bit halves.
    @inlinable
    public init(ipv6Hi: UInt64, lo: UInt64, port: UInt16) {
        self.init(ip: .v6(hi: ipv6Hi, lo: lo), port: port)
    }

    public var isIPv4: Bool { ip.isIPv4 }
    public var isIPv6: Bool { ip.isIPv6 }

    /// `127.0.0.1:5000` or `[::1]:5000`.
    public var description: String {
        switch ip {
        case .v4: return "\(ip):\(port)"
        case .v6: return "[\(ip)]:\(port)"
        }
    }

    /// Parses `a.b.c.d:port` or `[ipv6]:port`; nil on anything else (including a missing
    /// port, a port above 65535, or an IPv6 address without brackets).
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        guard let colon = utf8.lastIndex(of: 0x3A), colon > 0, colon + 1 < utf8.count else {
            return nil
        }
        var port: UInt32 = 0
        for c in utf8[(colon + 1)...] {
            guard c >= 0x30, c <= 0x39 else { return nil }
            port = port * 10 + UInt32(c - 0x30)
            guard port <= 0xFFFF else { return nil }
        }
        guard utf8.count - colon - 1 <= 5 else { return nil }
        let host = utf8[..<colon]
        let ip: IPAddress?
        if host.first == 0x5B {  // "["
            guard host.count >= 3, host.last == 0x5D else { return nil }
            ip = IPAddress(String(decoding: host.dropFirst().dropLast(), as: UTF8.self))
            guard ip?.isIPv6 == true else { return nil }
        } else {
            ip = IPAddress(String(decoding: host, as: UTF8.self))
            guard ip?.isIPv4 == true else { return nil }
        }
        guard let ip else { return nil }
        self.init(ip: ip, port: UInt16(port))
    }
}
