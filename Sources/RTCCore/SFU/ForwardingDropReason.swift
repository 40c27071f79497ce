/// Why the router did not forward a packet to a subscription. Every drop is named and counted.
public enum ForwardingDropReason: Int, Sendable, Hashable, CaseIterable {
    /// The subscription waits for a keyframe (start, or a layer switch) and this is not one.
    case notAKeyframe
    /// The packet belongs to a simulcast layer other than the one this subscription receives.
    case layerNotSelected
    /// The subscriber paused the track, or the host muted it.
    case paused
    /// A packet with no payload (padding or a bandwidth probe) is not forwarded.
    case padding
    /// Older than the rewriter's reorder window, or a duplicate.
    case stale
    /// The rewritten packet did not fit the egress buffer.
    case rewriteFailed
    /// No egress room was left for this copy (the caller did not drain the router's output).
    case egressFull
    /// A VP8 temporal layer above what the subscriber wants (`maxFps`).
    case temporalLayerNotSelected
}

/// Counters per ``ForwardingDropReason``, indexed without a dictionary.
public struct ForwardingDrops: Sendable, Hashable {
    public var counts = [UInt64](repeating: 0, count: ForwardingDropReason.allCases.count)
    public init() {}

    @inlinable
    public mutating func count(_ r: ForwardingDropReason) { counts[r.rawValue] &+= 1 }

    public subscript(_ r: ForwardingDropReason) -> UInt64 { counts[r.rawValue] }

    public var total: UInt64 { counts.reduce(0, &+) }

    public mutating func add(_ other: ForwardingDrops) {
        for i in counts.indices { counts[i] &+= other.counts[i] }
    }
}
