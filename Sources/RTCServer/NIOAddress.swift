import NIOCore
import RTCCore

#if canImport(Glibc)
import Glibc
#endif

/// Conversions between NIO's `SocketAddress` and RTCCore's `TransportAddress` without going
/// through strings (no allocation on the receive path).
extension TransportAddress {
    init?(_ address: SocketAddress) {
        switch address {
        case .v4(let a):
            let ip = UInt32(bigEndian: a.address.sin_addr.s_addr)
            self.init(ipv4: ip, port: UInt16(bigEndian: a.address.sin_port))
        case .v6(let a):
            var sin6 = a.address
            let (hi, lo) = withUnsafeBytes(of: &sin6.sin6_addr) { raw -> (UInt64, UInt64) in
                var hi: UInt64 = 0
                var lo: UInt64 = 0
                for i in 0..<8 { hi = hi << 8 | UInt64(raw[i]) }
                for i in 8..<16 { lo = lo << 8 | UInt64(raw[i]) }
                return (hi, lo)
            }
            self.init(ipv6Hi: hi, lo: lo, port: UInt16(bigEndian: a.address.sin6_port))
        case .unixDomainSocket:
            return nil
        }
    }

    /// The NIO socket address (built from the textual form; done once per peer, not per packet).
    var socketAddress: SocketAddress? {
        try? SocketAddress(ipAddress: ip.description, port: Int(port))
    }
}
