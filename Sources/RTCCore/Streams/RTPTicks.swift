/// Conversions between caller time (``Instant``, `Duration`) and RTP timestamp units
/// (RFC 3550 §5.1: the media clock, e.g. 90,000 Hz for video, 48,000 Hz for Opus).
/// Never traps: products that do not fit are saturated or wrapped as documented.
enum RTPTicks {
    /// `d` in ticks of a `clockRate` Hz clock, truncated toward zero and saturated to Int64.
    static func ticks(_ d: Duration, clockRate: UInt32) -> Int64 {
        let ns = d.rtcNanoseconds
        let rate = Int64(clockRate)
        let (whole, o1) = (ns / 1_000_000_000).multipliedReportingOverflow(by: rate)
        if o1 { return ns < 0 ? .min : .max }
        // |ns % 1e9| < 1e9 and rate < 2^32, so the product is below 2^62.
        let frac = (ns % 1_000_000_000) &* rate / 1_000_000_000
        let (sum, o2) = whole.addingReportingOverflow(frac)
        if o2 { return ns < 0 ? .min : .max }
        return sum
    }

    /// An instant on a free-running `clockRate` Hz clock, modulo 2^32 (for differences only,
    /// like the arrival times of RFC 3550 §A.8).
    static func wrappingTicks(_ t: Instant, clockRate: UInt32) -> UInt32 {
        let ns = t.nanoseconds
        let rate = Int64(clockRate)
        // Wrapping arithmetic: only the value modulo 2^32 matters.
        let whole = (ns / 1_000_000_000) &* rate
        let frac = (ns % 1_000_000_000) &* rate / 1_000_000_000
        return UInt32(truncatingIfNeeded: whole &+ frac)
    }

    /// `ticks` of a `clockRate` Hz clock as a duration (nil for a zero clock rate).
    static func duration(ticks: Int64, clockRate: UInt32) -> Duration? {
        guard clockRate > 0 else { return nil }
        let rate = Int64(clockRate)
        let secs = ticks / rate
        let rem = ticks % rate
        return .seconds(secs) + .nanoseconds(rem &* 1_000_000_000 / rate)
    }
}
