/// A seeded, sans-IO network link for deterministic tests and benchmarks.
///
/// Datagrams sent into the link come out after a base delay plus jitter, and may be lost,
/// duplicated or reordered, each with its own probability; an optional bottleneck rate with a
/// bounded queue (drop-tail) emulates a tbf-limited link. Like every RTCCore component it never
/// reads a clock: `send(_:now:)` enqueues, `poll(now:)` yields what is due, `nextTimeout()`
/// says when the next datagram is due.
public struct NetworkEmulator<Payload>: Sendable where Payload: Sendable {
    public typealias Conditions = LinkConditions

    public struct Stats: Sendable, Equatable {
        public var sent = 0
        public var delivered = 0
        public var lost = 0
        public var duplicated = 0
        public var reordered = 0
        public var queueDropped = 0
    }

    private struct Entry: Sendable {
        var due: Instant
        var order: UInt64
        var payload: Payload
    }

    public var conditions: Conditions
    public private(set) var stats = Stats()
    private var rng: SeededRandom
    private var queue: [Entry] = []   // kept sorted by (due, order)
    private var order: UInt64 = 0
    /// When the bottleneck finishes serialising what it has accepted so far.
    private var bottleneckFreeAt = Instant.zero
    private var bottleneckBacklog: [(done: Instant, bytes: Int)] = []

    public init(conditions: Conditions = .init(), seed: UInt64) {
        self.conditions = conditions
        self.rng = SeededRandom(seed: seed)
    }

    private mutating func chance(_ p: Double) -> Bool {
        guard p > 0 else { return false }
        return Double(rng.next() >> 11) / Double(1 << 53) < p
    }

    private mutating func jitter() -> Duration {
        let j = conditions.jitter.rtcNanoseconds
        guard j > 0 else { return .zero }
        return .nanoseconds(Int64(rng.next() % UInt64(j + 1)))
    }

    /// Sends a datagram of `size` bytes into the link at `now`.
    public mutating func send(_ payload: Payload, size: Int, now: Instant) {
        stats.sent += 1
        if chance(conditions.loss) {
            stats.lost += 1
            return
        }
        var departure = now
        if let rate = conditions.rateBitsPerSecond, rate > 0 {
            bottleneckBacklog.removeAll { $0.done <= now }
            let queued = bottleneckBacklog.reduce(0) { $0 + $1.bytes }
            if queued + size > conditions.queueLimitBytes {
                stats.queueDropped += 1
                return
            }
            let start = max(now, bottleneckFreeAt)
            let txNanos = Int64(size) * 8 * 1_000_000_000 / Int64(rate)
            departure = start + .nanoseconds(txNanos)
            bottleneckFreeAt = departure
            bottleneckBacklog.append((departure, size))
        }
        var due = departure + conditions.delay + jitter()
        if chance(conditions.reorder) {
            stats.reordered += 1
            due = due + conditions.reorderDelay
        }
        insert(Entry(due: due, order: nextOrder(), payload: payload))
        if chance(conditions.duplication) {
            stats.duplicated += 1
            insert(Entry(due: due + jitter(), order: nextOrder(), payload: payload))
        }
    }

    private mutating func nextOrder() -> UInt64 {
        order &+= 1
        return order
    }

    private mutating func insert(_ e: Entry) {
        // Binary search for the first entry that is due after `e`.
        var lo = 0
        var hi = queue.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let m = queue[mid]
            if m.due < e.due || (m.due == e.due && m.order < e.order) { lo = mid + 1 } else { hi = mid }
        }
        queue.insert(e, at: lo)
    }

    /// The next datagram due at or before `now`, if any.
    public mutating func poll(now: Instant) -> Payload? {
        guard let first = queue.first, first.due <= now else { return nil }
        queue.removeFirst()
        stats.delivered += 1
        return first.payload
    }

    /// When the next datagram is due.
    public func nextTimeout() -> Instant? { queue.first?.due }

    public var inFlight: Int { queue.count }
}

/// Conditions of one direction of an emulated link.
public struct LinkConditions: Sendable, Equatable {
    public var delay: Duration
    /// Uniform extra delay in [0, jitter].
    public var jitter: Duration
    /// Probability in [0, 1] that a datagram is dropped.
    public var loss: Double
    /// Probability that a datagram is delivered twice.
    public var duplication: Double
    /// Probability that a datagram is held back by an extra `reorderDelay`.
    public var reorder: Double
    public var reorderDelay: Duration
    /// Bottleneck rate in bits per second (nil: unlimited).
    public var rateBitsPerSecond: Int?
    /// Queue limit in bytes at the bottleneck (drop-tail).
    public var queueLimitBytes: Int

    public init(delay: Duration = .milliseconds(10), jitter: Duration = .zero,
                loss: Double = 0, duplication: Double = 0, reorder: Double = 0,
                reorderDelay: Duration = .milliseconds(15), rateBitsPerSecond: Int? = nil,
                queueLimitBytes: Int = 64 * 1024)
    {
        self.delay = delay
        self.jitter = jitter
        self.loss = loss
        self.duplication = duplication
        self.reorder = reorder
        self.reorderDelay = reorderDelay
        self.rateBitsPerSecond = rateBitsPerSecond
        self.queueLimitBytes = queueLimitBytes
    }

    public static let perfect = LinkConditions(delay: .zero)
}

