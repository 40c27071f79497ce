/// The pair of transport addresses media flows on: `local` is the address of the socket
/// (the candidate's base) and `remote` the peer's address.
public struct ICESelectedPair: Hashable, Sendable, CustomStringConvertible {
    public var local: TransportAddress
    public var remote: TransportAddress

    public init(local: TransportAddress, remote: TransportAddress) {
        self.local = local
        self.remote = remote
    }

    public var description: String { "\(local) <-> \(remote)" }
}
