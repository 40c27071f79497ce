/// What the delay-based detector concludes about the path (draft-ietf-rmcat-gcc-02 §5.4).
public enum BandwidthUsage: Sendable, Hashable {
    /// Queueing delay is stable.
    case normal
    /// Queueing delay is growing: the sender exceeds the bottleneck.
    case overusing
    /// Queueing delay is shrinking: a queue drains.
    case underusing
}
