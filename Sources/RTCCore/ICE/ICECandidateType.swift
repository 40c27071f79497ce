/// The type of an ICE candidate (RFC 8445 §5.1.1, RFC 8839 §5.1 `cand-type`).
public enum ICECandidateType: Hashable, Sendable, CustomStringConvertible {
    /// An address on a local interface (or the 1:1-NAT address announced for it).
    case host
    /// Server reflexive: the address a STUN server saw.
    case serverReflexive
    /// Peer reflexive: an address learned from a connectivity check.
    case peerReflexive
    /// An address on a TURN server.
    case relay
    /// A type this implementation does not know (the grammar allows any token).
    case other(String)

    /// The RFC 8839 token.
    public var description: String {
        switch self {
        case .host: return "host"
        case .serverReflexive: return "srflx"
        case .peerReflexive: return "prflx"
        case .relay: return "relay"
        case .other(let t): return t
        }
    }

    public init(token: String) {
        switch token {
        case "host": self = .host
        case "srflx": self = .serverReflexive
        case "prflx": self = .peerReflexive
        case "relay": self = .relay
        default: self = .other(token)
        }
    }

    /// RFC 8445 §5.1.2.2 recommended type preference (0...126).
    public var typePreference: UInt32 {
        switch self {
        case .host: return 126
        case .peerReflexive: return 110
        case .serverReflexive: return 100
        case .relay, .other: return 0
        }
    }
}
