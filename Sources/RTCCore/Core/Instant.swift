/// A point in time on the caller's clock, in nanoseconds from an arbitrary origin.
///
/// RTCCore never reads a clock: the server passes real monotonic time, tests and rtc-bench
/// pass virtual time. Arithmetic saturates instead of trapping.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    public static let zero = Instant(nanoseconds: 0)

    @inlinable
    public static func + (a: Instant, d: Duration) -> Instant {
        let (r, o) = a.nanoseconds.addingReportingOverflow(d.rtcNanoseconds)
        return Instant(nanoseconds: o ? (d.rtcNanoseconds > 0 ? .max : .min) : r)
    }

    @inlinable
    public static func - (a: Instant, d: Duration) -> Instant {
        a + Duration.nanoseconds(0 &- d.rtcNanoseconds)
    }

    @inlinable
    public static func - (a: Instant, b: Instant) -> Duration {
        let (r, o) = a.nanoseconds.subtractingReportingOverflow(b.nanoseconds)
        return .nanoseconds(o ? (a.nanoseconds > b.nanoseconds ? Int64.max : Int64.min) : r)
    }

    @inlinable
    public static func < (a: Instant, b: Instant) -> Bool { a.nanoseconds < b.nanoseconds }

    public var description: String { "\(Double(nanoseconds) / 1e6)ms" }
}

extension Duration {
    /// The duration in whole nanoseconds, saturated to Int64.
    @inlinable
    public var rtcNanoseconds: Int64 {
        let (s, atto) = components
        let (ns, o1) = s.multipliedReportingOverflow(by: 1_000_000_000)
        if o1 { return s > 0 ? .max : .min }
        let (r, o2) = ns.addingReportingOverflow(atto / 1_000_000_000)
        if o2 { return s > 0 ? .max : .min }
        return r
    }
}
