/// The priority of a subscription in bitrate allocation, highest first.
public enum AllocationPriority: Int, Sendable, Hashable, Comparable, CaseIterable {
    case screenShare = 0
    case pinned
    case activeSpeaker
    case other

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// What one subscription is allocated: paused, or a layer (audio uses layer 0/0).
public enum AllocationTarget: Sendable, Hashable, CustomStringConvertible {
    case paused
    case layer(spatial: Int, temporal: Int)

    public var description: String {
        switch self {
        case .paused: return "paused"
        case .layer(let s, let t): return "S\(s)T\(t)"
        }
    }
}

/// One subscription as the allocator sees it.
public struct AllocationInput: Sendable, Hashable {
    /// The caller's identifier (e.g. the subscription's index), echoed in the result.
    public var id: Int
    public var kind: TrackKind
    public var priority: AllocationPriority
    /// Bitrate in bps of forwarding each choice, `[spatial][temporal]` (for simulcast: the
    /// spatial layer's stream up to that temporal layer; for SVC: everything up to it).
    /// 0 or a missing entry: the layer is not available (not received, or paused upstream).
    /// Audio: `[[bitrate]]`.
    public var layerBitrates: [[Int64]]
    /// The subscriber's caps (from `set-preferences`), nil: no cap.
    public var maxSpatial: Int?
    public var maxTemporal: Int?
    /// The subscriber paused this track itself.
    public var pausedByPreference: Bool
    /// What is allocated now (for hysteresis), nil for a new subscription.
    public var current: AllocationTarget?
    /// The headroom this track needs to go up, overriding the allocator's default (e.g. from
    /// a ``LayerUpgradeBackoff`` after failed upgrades).
    public var upgradeHeadroom: Double?

    public init(id: Int, kind: TrackKind, priority: AllocationPriority = .other, layerBitrates: [[Int64]],
                maxSpatial: Int? = nil, maxTemporal: Int? = nil, pausedByPreference: Bool = false,
                current: AllocationTarget? = nil, upgradeHeadroom: Double? = nil) {
        self.id = id
        self.kind = kind
        self.priority = priority
        self.layerBitrates = layerBitrates
        self.maxSpatial = maxSpatial
        self.maxTemporal = maxTemporal
        self.pausedByPreference = pausedByPreference
        self.current = current
        self.upgradeHeadroom = upgradeHeadroom
    }
}

/// The allocation across one subscriber's subscriptions.
public struct AllocationResult: Sendable, Hashable {
    /// One target per input, in input order.
    public var targets: [AllocationTarget]
    /// The bitrate the targets use, in bps.
    public var allocatedBitrate: Int64
    /// What the subscriber would use with every track at its preferred top layer: probing
    /// above the estimate is worth it while this exceeds it.
    public var wantedBitrate: Int64
    /// Ids of tracks below their preferred top layer or paused for lack of bandwidth (not
    /// those paused by the subscriber), in input order — for `quality` events.
    public var reducedTrackIDs: [Int]
}
