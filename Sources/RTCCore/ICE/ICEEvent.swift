/// Something the application should know about (RFC 8445 §8, RFC 7675).
public enum ICEEvent: Sendable, Hashable {
    case stateChanged(ICEConnectionState)
    /// Media should now be sent on this pair (initial selection or a new nomination).
    case selectedPairChanged(ICESelectedPair)
    /// The full agent switched role after a role conflict (RFC 8445 §7.3.1.1, §7.2.5.1).
    case roleChanged(ICERole)
}
