/// What ``ICEAgent/pollOutput()`` and ``ICELiteAgent/pollOutput()`` return.
public enum ICEOutput: Sendable, Hashable {
    case transmit(ICETransmit)
    case event(ICEEvent)
}
