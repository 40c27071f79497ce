/// What ``DTLSEndpoint/pollOutput()`` hands to the caller, in order.
public enum DTLSOutput: Sendable, Hashable {
    /// Send these bytes to the peer as one UDP datagram (one datagram exactly as OpenSSL wrote
    /// it: never merge or split them).
    case transmit([UInt8])
    case event(DTLSEvent)
}
