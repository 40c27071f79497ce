/// The connection state an ICE agent reports (the states of `RTCIceConnectionState` that a
/// single-stream agent can reach; RFC 8445 §6.1.3 and RFC 7675 for consent).
public enum ICEConnectionState: Sendable, Hashable {
    /// Created; no check sent or received yet.
    case new
    /// Checks in progress; no pair selected yet.
    case checking
    /// A pair is selected and consent is fresh.
    case connected
    /// The selected pair has had no consent (valid check or response) for the
    /// "disconnected" threshold; it may come back.
    case disconnected
    /// No pair could be found, or consent expired (RFC 7675 §5.1): stop sending; an ICE
    /// restart is needed.
    case failed
    /// Closed by the application.
    case closed
}
