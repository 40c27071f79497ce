/// A local socket address the caller listens on, and optionally the address announced for it
/// (a 1:1 NAT's public address, `sfu-server --announce`). Checks and responses are sent from
/// `base`; candidates advertise `advertised`.
public struct ICEHostAddress: Hashable, Sendable, CustomStringConvertible {
    public var base: TransportAddress
    public var announced: TransportAddress?

    public init(base: TransportAddress, announced: TransportAddress? = nil) {
        self.base = base
        self.announced = announced
    }

    /// The address put in the candidate.
    public var advertised: TransportAddress { announced ?? base }

    public var description: String {
        announced.map { "\(base) as \($0)" } ?? base.description
    }

    /// Host candidates for `addresses` (component 1, UDP), with RFC 8445 §5.1.1.3 foundations
    /// (same type, base IP and transport share one) and RFC 8421 local preferences.
    public static func hostCandidates(_ addresses: [ICEHostAddress], component: UInt16 = 1) -> [ICECandidate] {
        var v4 = 0, v6 = 0
        return addresses.map { a in
            let isV6 = a.advertised.isIPv6
            let index = isV6 ? v6 : v4
            if isV6 { v6 += 1 } else { v4 += 1 }
            let prio = ICEPriority.candidate(
                type: .host, localPreference: ICEPriority.hostLocalPreference(isIPv6: isV6, index: index),
                component: component)
            return ICECandidate(foundation: foundation(type: .host, base: a.base.ip), component: component,
                                priority: prio, address: a.advertised, type: .host)
        }
    }

    /// A foundation string derived from the candidate type, base IP and transport.
    static func foundation(type: ICECandidateType, base: IPAddress) -> String {
        let key = Array("\(type) \(base) udp".utf8)
        return String(key.withUnsafeBytes { CRC32.checksum($0) })
    }
}
