/// Maps the caller's monotonic ``Instant`` to NTP wall-clock time (RFC 3550 §4), as sender
/// reports need (RFC 3550 §6.4.1): RTCCore never reads a clock, so the caller says what
/// wall-clock time ``Instant/zero`` stands for.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                 seconds since 1900-01-01 00:00 UTC            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                 fraction of a second (1/2^32 s)               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///           compact form (LSR, DLSR): the middle 32 bits, 16.16 seconds
/// ```
public struct NTPClock: Sendable, Hashable {
    /// Nanoseconds from the NTP epoch (1900) to ``Instant/zero``.
    public var ntpNanosecondsAtZero: Int64

    /// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
    public static let unixEpochOffsetSeconds: Int64 = 2_208_988_800

    public init(ntpNanosecondsAtZero: Int64) {
        self.ntpNanosecondsAtZero = ntpNanosecondsAtZero
    }

    /// From the Unix time (nanoseconds since 1970) that ``Instant/zero`` stands for.
    public init(unixNanosecondsAtZero: Int64) {
        let (v, o) = unixNanosecondsAtZero.addingReportingOverflow(Self.unixEpochOffsetSeconds &* 1_000_000_000)
        self.ntpNanosecondsAtZero = o ? .max : v
    }

    /// The 64-bit NTP timestamp of `t` (0 before 1900; saturated in 2262).
    public func ntpTime(at t: Instant) -> UInt64 {
        let (total, o) = ntpNanosecondsAtZero.addingReportingOverflow(t.nanoseconds)
        if o { return t.nanoseconds > 0 ? .max : 0 }
        guard total > 0 else { return 0 }
        let secs = UInt64(total / 1_000_000_000)
        // (ns % 1e9) << 32 < 1e9 × 2^32 ≈ 4.3e18 < 2^63.
        let frac = (UInt64(total % 1_000_000_000) << 32) / 1_000_000_000
        return secs << 32 | frac
    }

    /// The middle 32 bits of ``ntpTime(at:)`` (units of 1/65536 s).
    public func compactNTPTime(at t: Instant) -> UInt32 {
        UInt32(truncatingIfNeeded: ntpTime(at: t) >> 16)
    }

    /// A duration in the compact 16.16 form (DLSR), saturated to UInt32.
    public static func compact(_ d: Duration) -> UInt32 {
        let t = RTPTicks.ticks(d, clockRate: 65_536)
        return UInt32(clamping: t)
    }

    /// A compact 16.16 value as a duration.
    public static func duration(compact v: UInt32) -> Duration {
        .nanoseconds((Int64(v) &* 1_000_000_000) >> 16)
    }
}
