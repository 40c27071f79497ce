/// A link capacity over time: piecewise constant, each point holding from its time until the
/// next (the first also before it). Built from steps or a trace of (time, kbps) lines.
public struct CapacitySchedule: Sendable, Equatable {
    /// Offsets from the schedule's origin, ascending.
    public private(set) var times: [Duration]
    /// Capacity in bps from the matching time.
    public private(set) var bitrates: [Int64]
    public var origin: Instant

    /// - Parameter steps: (offset from `origin`, bps); sorted here, negative rates become 0.
    public init(steps: [(Duration, Int64)], origin: Instant = .zero) {
        let sorted = steps.sorted { $0.0 < $1.0 }
        times = sorted.map(\.0)
        bitrates = sorted.map { max(0, $0.1) }
        if times.isEmpty {
            times = [.zero]
            bitrates = [0]
        }
        self.origin = origin
    }

    /// A constant capacity.
    public static func constant(_ bps: Int64) -> CapacitySchedule { CapacitySchedule(steps: [(.zero, bps)]) }

    /// Parses a trace: one `milliseconds kbps` pair per line; `#` starts a comment; blank
    /// lines are skipped. Throws ``CapacityTraceError`` on a malformed line.
    public init(trace text: String, origin: Instant = .zero) throws(CapacityTraceError) {
        var steps: [(Duration, Int64)] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," })
            if fields.isEmpty { continue }
            guard fields.count == 2, let ms = Int64(fields[0]), let kbps = Int64(fields[1]), ms >= 0, kbps >= 0,
                  ms < Int64.max / 1_000_000, kbps < Int64.max / 1000
            else { throw CapacityTraceError(line: n + 1) }
            steps.append((.milliseconds(ms), kbps * 1000))
        }
        self.init(steps: steps, origin: origin)
    }

    private func index(at t: Instant) -> Int {
        let off = t - origin
        var lo = 0
        var hi = times.count - 1
        // The last index whose time ≤ off (0 when before all).
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if times[mid] <= off { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// Capacity at `t`, in bps.
    public func bitrate(at t: Instant) -> Int64 { bitrates[index(at: t)] }

    /// The first change strictly after `t`.
    public func nextChange(after t: Instant) -> Instant? {
        let i = index(at: t)
        var j = i + 1
        while j < times.count {
            let at = origin + times[j]
            if at > t { return at }
            j += 1
        }
        return nil
    }

    /// When `bits` finish serialising if started at `start`; nil if never (zero capacity forever).
    public func finishTime(bits: Int64, from start: Instant) -> Instant? {
        var t = start
        var remaining = Double(max(0, bits))
        for _ in 0..<100_000 {
            let rate = Double(bitrate(at: t))
            let next = nextChange(after: t)
            if rate > 0 {
                let needed = remaining / rate * 1e9
                if let n = next {
                    let span = Double((n - t).rtcNanoseconds)
                    if needed <= span { return t + .nanoseconds(Int64(needed.rounded(.up))) }
                    remaining -= rate * span / 1e9
                } else {
                    return t + .nanoseconds(Int64(min(needed.rounded(.up), 9e18)))
                }
            }
            guard let n = next else { return nil }
            t = n
        }
        return nil
    }
}

/// A capacity trace line that is not `milliseconds kbps` (non-negative integers).
public struct CapacityTraceError: Error, Sendable, Hashable {
    /// 1-based line number.
    public var line: Int
}
