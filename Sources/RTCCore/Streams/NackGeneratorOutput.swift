/// What a ``NackGenerator`` asks its owner to do.
public enum NackGeneratorOutput: Sendable, Hashable {
    /// Send this generic NACK (RFC 4585 §6.2.1) to the media sender.
    case nack(TransportLayerNack)
    /// Too much is lost to repair with NACKs: ask the media sender for a keyframe (through the
    /// stream's ``KeyframeRequestThrottle``).
    case keyframeRequest
}
