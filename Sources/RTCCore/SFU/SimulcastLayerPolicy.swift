/// Which simulcast layer a subscription should receive: a pure function of what arrives and
/// what the subscriber asked for, table-tested (mediasoup's preferred/target/current, without
/// the timers).
///
/// Until congestion control lands the policy is "the highest layer that arrives": a layer is
/// active when a packet of it arrived within `activeWindow`; the target is the highest active
/// layer not above the subscriber's preference.
public enum SimulcastLayerPolicy {
    public static let activeWindow: Duration = .milliseconds(1_000)

    /// - Parameters:
    ///   - lastPacketAt: per layer, lowest first, when its last packet arrived (nil: never).
    ///   - preferred: the highest layer the subscriber wants (nil: no limit).
    /// - Returns: the target layer index, or nil when no layer is active.
    public static func target(lastPacketAt: [Instant?], preferred: Int?, now: Instant) -> Int? {
        target(active: activeLayers(lastPacketAt: lastPacketAt, now: now), layerCount: lastPacketAt.count,
               preferred: preferred)
    }

    /// The layers (bit i: layer i, at most 64) whose last packet arrived within `activeWindow`.
    @inlinable
    public static func activeLayers(lastPacketAt: [Instant?], now: Instant) -> UInt64 {
        var mask: UInt64 = 0
        for (i, t) in lastPacketAt.prefix(64).enumerated() {
            if let t, now - t <= activeWindow { mask |= 1 << UInt64(i) }
        }
        return mask
    }

    /// As ``target(lastPacketAt:preferred:now:)``, from the active layers' bit mask (computed
    /// once per packet, then asked per subscription).
    @inlinable
    public static func target(active: UInt64, layerCount: Int, preferred: Int?) -> Int? {
        guard active != 0 else { return nil }
        let n = min(max(layerCount, 0), 64)
        let usable = n == 64 ? active : active & ((1 << UInt64(n)) &- 1)
        guard usable != 0 else { return nil }
        guard let p = preferred, p < n &- 1 else { return 63 &- usable.leadingZeroBitCount }
        // The highest active layer at or below the preference, else the lowest active above it.
        let atOrBelow = p < 0 ? 0 : usable & ((2 << UInt64(p)) &- 1)
        if atOrBelow != 0 { return 63 &- atOrBelow.leadingZeroBitCount }
        return usable.trailingZeroBitCount
    }

    /// The highest temporal layer that keeps the frame rate at or below `maxFps`, for a
    /// stream at `frameRate` with `temporalLayers` dyadic layers (L1T2/L1T3: each layer
    /// doubles the rate; TID 0 alone is `frameRate / 2^(n-1)`). nil: all layers.
    public static func temporalLayer(maxFps: Double?, frameRate: Double, temporalLayers: Int = 3) -> Int? {
        guard let maxFps, temporalLayers > 1, frameRate > 0 else { return nil }
        var rate = frameRate
        var tid = temporalLayers - 1
        // Allow 10% over the limit for timing jitter in the measured rate.
        while tid > 0, rate > maxFps * 1.1 {
            rate /= 2
            tid -= 1
        }
        return tid == temporalLayers - 1 ? nil : tid
    }

    /// Dynacast: the layers (lowest first) some subscription wants. The lowest layer is always
    /// wanted (a new subscriber starts on it at once, and it is the fallback); each active
    /// subscription wants its preferred layer (the top one when it has no preference).
    /// - Parameter preferences: per active (not paused) subscription, its preferred layer.
    public static func wantedLayers(layerCount: Int, preferences: [Int?]) -> [Bool] {
        let n = max(1, layerCount)
        var wanted = [Bool](repeating: false, count: n)
        wanted[0] = true
        for p in preferences { wanted[min(max(p ?? n - 1, 0), n - 1)] = true }
        return wanted
    }

    /// The layer for a view of `maxWidth` × `maxHeight` pixels: the lowest layer at least 90%
    /// as large as the view in both dimensions (a sharp picture without pulling more than
    /// needed), else the top layer. Layer sizes come from keyframes; an unknown size is taken
    /// as the usual simulcast ladder (each layer half the next one's height, the top 720p).
    /// - Returns: the layer index, or nil for "the top" (no view size given).
    public static func layer(maxWidth: Int?, maxHeight: Int?, sizes: [(width: Int, height: Int)?]) -> Int? {
        guard maxWidth != nil || maxHeight != nil, !sizes.isEmpty else { return nil }
        let n = sizes.count
        for (i, size) in sizes.enumerated() {
            let s = size ?? (width: 1280 >> (n - 1 - i), height: 720 >> (n - 1 - i))
            let tallEnough = maxHeight.map { Double(s.height) >= Double($0) * 0.9 } ?? true
            let wideEnough = maxWidth.map { Double(s.width) >= Double($0) * 0.9 } ?? true
            if tallEnough && wideEnough { return i }
        }
        return n - 1
    }
}
