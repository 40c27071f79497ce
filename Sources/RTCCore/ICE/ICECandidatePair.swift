/// One entry of the full agent's checklist (RFC 8445 §6.1.2): a local candidate (by its base,
/// the socket checks are sent from) and a remote candidate, with the pair's state.
public struct ICECandidatePair: Sendable, Hashable, CustomStringConvertible {
    /// RFC 8445 §6.1.2.6 pair states.
    public enum State: Sendable, Hashable {
        case frozen, waiting, inProgress, succeeded, failed
    }

    /// Stable identifier within one agent generation.
    public let id: Int
    public let localIndex: Int
    public let remoteIndex: Int
    /// The local candidate's base (socket address).
    public let local: TransportAddress
    public let remote: TransportAddress
    public let localPriority: UInt32
    public let remotePriority: UInt32
    /// Local and remote foundations joined (RFC 8445 §6.1.2.6).
    public let foundation: String
    public internal(set) var priority: UInt64
    public internal(set) var state: State
    /// The pair was nominated (RFC 8445 §8.1.1).
    public internal(set) var nominated: Bool = false
    /// Controlled role: the peer sent USE-CANDIDATE on this pair; nominate when our own check
    /// on it succeeds (RFC 8445 §7.3.1.5).
    var nominateOnSuccess: Bool = false

    init(id: Int, localIndex: Int, remoteIndex: Int, local: TransportAddress, remote: TransportAddress,
         localPriority: UInt32, remotePriority: UInt32, foundation: String, role: ICERole, state: State) {
        self.id = id
        self.localIndex = localIndex
        self.remoteIndex = remoteIndex
        self.local = local
        self.remote = remote
        self.localPriority = localPriority
        self.remotePriority = remotePriority
        self.foundation = foundation
        self.state = state
        self.priority = 0
        updatePriority(role: role)
    }

    mutating func updatePriority(role: ICERole) {
        priority = role == .controlling
            ? ICEPriority.pair(controlling: localPriority, controlled: remotePriority)
            : ICEPriority.pair(controlling: remotePriority, controlled: localPriority)
    }

    public var addresses: ICESelectedPair { ICESelectedPair(local: local, remote: remote) }

    public var description: String { "\(local) -> \(remote) \(state)" }
}
