/// Allocates one subscriber's available bitrate across its subscriptions: a pure, table-tested
/// policy (the two-phase allocation of mediasoup, with hysteresis).
///
/// 1. Audio first: every audio track not paused by the subscriber gets its bitrate, even
///    beyond the estimate (audio is kept when video is paused).
/// 2. Video, in priority order (screen share, pinned, active speaker, other; input order
///    within a priority): each gets its lowest available layer if it fits, else it is paused.
/// 3. Raise: within each priority class, highest class first, tracks take turns going one
///    rung up their ladder while the increment fits; a class is raised as far as it can go
///    before the next class is.
///
/// A track's ladder is its available layers within the subscriber's caps in (spatial,
/// temporal) order, keeping only rungs that cost more than the one before (a higher spatial
/// layer cheaper than the lower layer's top temporal layer is skipped).
///
/// Hysteresis: a step to a rung costing more than the track's current allocation (and a
/// resume from paused, or a new track's first layer) needs `headroom` (10 %) of the new
/// rung's bitrate free beyond its cost; staying at or below the current allocation needs
/// only the cost less `keepTolerance` (10 %) of the current rung's bitrate: a track keeps its
/// layer while the estimate is within 10 % below it (a transient dip, a keyframe's overuse)
/// and drops it below that. An estimate wobbling around a layer's bitrate does not flap.
/// A track's own ``AllocationInput/upgradeHeadroom`` (from ``LayerUpgradeBackoff``) replaces
/// the default headroom, so a layer that could not be held is not retried at every wobble.
public enum BitrateAllocator {
    /// The rungs of one track.
    struct Ladder {
        var rungs: [(spatial: Int, temporal: Int, bitrate: Int64)] = []
        init(_ input: AllocationInput) {
            let maxS = input.maxSpatial ?? Int.max
            let maxT = input.maxTemporal ?? Int.max
            var last: Int64 = 0
            for (s, row) in input.layerBitrates.enumerated() where s <= maxS {
                for (t, b) in row.enumerated() where t <= maxT && b > 0 && b > last {
                    rungs.append((s, t, b))
                    last = b
                }
            }
        }
    }

    /// Caller-supplied factors are clamped to 0…10 (NaN: 0) so no conversion can trap.
    static func clampFactor(_ x: Double) -> Double { x.isFinite ? min(max(x, 0), 10) : 0 }

    static func cost(of target: AllocationTarget?, in input: AllocationInput) -> Int64 {
        guard case .layer(let s, let t)? = target, s >= 0, t >= 0, s < input.layerBitrates.count,
              t < input.layerBitrates[s].count else { return 0 }
        return max(0, input.layerBitrates[s][t])
    }

    /// Allocates `available` bps across `tracks`.
    public static func allocate(available: Int64, tracks: [AllocationInput], headroom: Double = 0.1,
                                keepTolerance: Double = 0.1) -> AllocationResult {
        var targets = [AllocationTarget](repeating: .paused, count: tracks.count)
        var remaining = available
        var allocated: Int64 = 0
        var wanted: Int64 = 0
        var ladders: [Ladder] = []
        var rung = [Int](repeating: -1, count: tracks.count)
        ladders.reserveCapacity(tracks.count)
        for t in tracks { ladders.append(Ladder(t)) }

        func needed(_ i: Int, rungIndex r: Int) -> Int64 {
            let b = ladders[i].rungs[r].bitrate
            let prev = rung[i] >= 0 ? ladders[i].rungs[rung[i]].bitrate : 0
            let increment = b &- prev
            let currentCost = cost(of: tracks[i].current, in: tracks[i])
            let isUp = b > currentCost || tracks[i].current == nil || tracks[i].current == .paused
            if isUp { return increment &+ Int64(Double(b) * clampFactor(tracks[i].upgradeHeadroom ?? headroom)) }
            return b == currentCost ? increment &- Int64(Double(b) * clampFactor(keepTolerance)) : increment
        }

        // 1. Audio.
        for (i, t) in tracks.enumerated() where t.kind == .audio && !t.pausedByPreference {
            guard let top = ladders[i].rungs.last else { continue }
            let r = ladders[i].rungs.count - 1
            rung[i] = r
            targets[i] = .layer(spatial: top.spatial, temporal: top.temporal)
            remaining &-= top.bitrate
            allocated &+= top.bitrate
            wanted &+= top.bitrate
        }
        // Video in priority order, stable.
        let order = tracks.indices.filter { tracks[$0].kind == .video && !tracks[$0].pausedByPreference }
            .sorted { (tracks[$0].priority, $0) < (tracks[$1].priority, $1) }
        for i in order { wanted &+= ladders[i].rungs.last?.bitrate ?? 0 }
        // 2. Lowest layers.
        for i in order where !ladders[i].rungs.isEmpty {
            let n = needed(i, rungIndex: 0)
            if remaining >= n {
                rung[i] = 0
                remaining &-= ladders[i].rungs[0].bitrate
            }
        }
        // 3. Raise, class by class, round-robin inside a class.
        var start = 0
        while start < order.count {
            var end = start
            while end < order.count, tracks[order[end]].priority == tracks[order[start]].priority { end += 1 }
            var raised = true
            while raised {
                raised = false
                for i in order[start..<end] where rung[i] >= 0 && rung[i] + 1 < ladders[i].rungs.count {
                    let r = rung[i] + 1
                    if remaining >= needed(i, rungIndex: r) {
                        remaining &-= ladders[i].rungs[r].bitrate &- ladders[i].rungs[rung[i]].bitrate
                        rung[i] = r
                        raised = true
                    }
                }
            }
            start = end
        }
        var reduced: [Int] = []
        for i in tracks.indices where tracks[i].kind == .video && !tracks[i].pausedByPreference {
            if rung[i] >= 0 {
                let x = ladders[i].rungs[rung[i]]
                targets[i] = .layer(spatial: x.spatial, temporal: x.temporal)
                allocated &+= x.bitrate
                if rung[i] < ladders[i].rungs.count - 1 { reduced.append(tracks[i].id) }
            } else if !ladders[i].rungs.isEmpty {
                reduced.append(tracks[i].id)
            }
        }
        return AllocationResult(targets: targets, allocatedBitrate: allocated, wantedBitrate: wanted,
                                reducedTrackIDs: reduced)
    }
}
