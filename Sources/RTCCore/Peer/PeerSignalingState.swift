/// Where a ``PeerConnection`` is in offer/answer (the two `RTCSignalingState` values an
/// exchange without provisional answers or rollback can be in; RFC 8829 §3.2).
public enum PeerSignalingState: Sendable, Hashable {
    /// No offer outstanding: a new offer may be created or answered.
    case stable
    /// This side sent an offer and waits for the answer.
    case haveLocalOffer
}
