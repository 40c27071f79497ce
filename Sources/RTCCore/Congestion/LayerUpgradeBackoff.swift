/// Per-track memory of failed layer upgrades, so the allocator does not flap between two
/// layers when the higher one does not quite fit (its keyframe, or the estimate's sawtooth,
/// pushes it back down within seconds).
///
/// An upgrade followed by a downgrade within `failureWindow` (10 s) is a failure: the
/// headroom the track needs to go up doubles (10 % → 20 % → 40 %, at most `maxHeadroom`
/// 80 %). After `resetAfter` (20 s) without a failure it returns to `baseHeadroom`. Feed it
/// every allocation change; pass ``headroom(now:)`` as the track's
/// ``AllocationInput/upgradeHeadroom``.
public struct LayerUpgradeBackoff: Sendable, Hashable {
    public var baseHeadroom = 0.1
    public var maxHeadroom = 0.8
    public var failureWindow: Duration = .seconds(10)
    public var resetAfter: Duration = .seconds(20)
    public private(set) var failures = 0
    private var lastUpgrade: Instant?
    private var lastFailure: Instant?

    public init() {}

    /// The headroom the track needs now.
    public func headroom(now: Instant) -> Double {
        guard failures > 0, let f = lastFailure, now - f < resetAfter else { return baseHeadroom }
        var h = baseHeadroom
        for _ in 0..<min(failures, 8) { h *= 2 }
        return min(h, maxHeadroom)
    }

    /// Records an allocation change of the track from `old` to `new` bitrate (0: paused).
    public mutating func onChange(fromBitrate old: Int64, toBitrate new: Int64, now: Instant) {
        if let f = lastFailure, now - f >= resetAfter { failures = 0 }
        if new > old {
            lastUpgrade = now
        } else if new < old, let u = lastUpgrade, now - u < failureWindow {
            failures = min(failures &+ 1, 8)
            lastFailure = now
            lastUpgrade = nil
        }
    }
}
