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
        var best: Int?
        for (i, t) in lastPacketAt.enumerated() {
            if let p = preferred, i > p { break }
            if let t, now - t <= activeWindow { best = i }
        }
        if best == nil, let p = preferred {
            // Nothing at or below the preference is active: take the lowest active layer.
            for (i, t) in lastPacketAt.enumerated() where i > p {
                if let t, now - t <= activeWindow { return i }
            }
        }
        return best
    }
}
