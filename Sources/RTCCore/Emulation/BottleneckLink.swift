/// A trace-driven bottleneck link for congestion-control simulation, sans-IO and seeded:
/// a drop-tail FIFO with a byte limit (like `tc tbf … limit`), serialised at a capacity that
/// follows a ``CapacitySchedule``, then a fixed propagation delay, with seeded random loss
/// on the wire.
///
/// ```
/// send ─► [ FIFO ≤ queueLimitBytes ] ─► serialiser @ capacity(t) ─► loss? ─► delay ─► poll
///            drop-tail when full            (bits integrated over the schedule)
/// ```
///
/// Unlike ``NetworkEmulator`` (jitter, reordering, duplication) it models one queue exactly,
/// with a capacity that changes over time, and reports each packet's queueing delay (time
/// from enqueue to the start of its serialisation). Both rings (queue and wire) are
/// preallocated with `capacity` packets; a full queue ring drops like a full byte limit.
public struct BottleneckLink<Payload: Sendable>: Sendable {
    public struct Stats: Sendable, Equatable {
        public var sent = 0
        public var delivered = 0
        public var bytesDelivered = 0
        public var queueDropped = 0
        public var randomLost = 0
        public init() {}
    }

    /// A packet coming out of the link.
    public struct Delivery: Sendable {
        public var payload: Payload
        public var size: Int
        public var sentAt: Instant
        public var arrival: Instant
        /// Time spent waiting in the queue before serialisation started.
        public var queueDelay: Duration
    }

    struct Entry: Sendable {
        var payload: Payload?
        var size = 0
        var sentAt = Instant.zero
        var due = Instant.zero
        var queueDelay = Duration.zero
    }

    public var schedule: CapacitySchedule
    public var queueLimitBytes: Int
    public var propagationDelay: Duration
    /// Probability in [0, 1] that a serialised packet is lost on the wire.
    public var lossRate: Double
    private var rng: SeededRandom
    private var queue: [Entry]
    private var qHead = 0
    private var qCount = 0
    private var wire: [Entry]
    private var wHead = 0
    private var wCount = 0
    /// Bytes in the queue, including the packet being serialised.
    public private(set) var queuedBytes = 0
    /// When the head of the queue finishes serialising (nil: empty, or never at zero capacity).
    private var headFinish: Instant?
    private var serialiserFreeAt = Instant.zero
    public private(set) var stats = Stats()

    public init(schedule: CapacitySchedule, queueLimitBytes: Int = 50_000,
                propagationDelay: Duration = .milliseconds(20), lossRate: Double = 0, seed: UInt64 = 1,
                capacity: Int = 4096) {
        self.schedule = schedule
        self.queueLimitBytes = max(0, queueLimitBytes)
        self.propagationDelay = propagationDelay
        self.lossRate = min(max(lossRate, 0), 1)
        rng = SeededRandom(seed: seed)
        let c = max(1, capacity)
        queue = Array(repeating: Entry(), count: c)
        wire = Array(repeating: Entry(), count: c)
    }

    /// Packets waiting or serialising.
    public var queuedPackets: Int { qCount }

    /// Offers a packet to the link at `now`; false when the queue drops it (tail drop).
    @discardableResult
    public mutating func send(_ payload: Payload, size: Int, now: Instant) -> Bool {
        advance(to: now)
        stats.sent &+= 1
        let s = max(0, size)
        guard queuedBytes &+ s <= queueLimitBytes, qCount < queue.count else {
            stats.queueDropped &+= 1
            return false
        }
        var i = qHead &+ qCount
        if i >= queue.count { i &-= queue.count }
        queue[i] = Entry(payload: payload, size: s, sentAt: now)
        qCount &+= 1
        queuedBytes &+= s
        if qCount == 1 { startHead(at: now) }
        return true
    }

    private mutating func startHead(at t: Instant) {
        let start = max(t, serialiserFreeAt)
        queue[qHead].queueDelay = start - queue[qHead].sentAt
        headFinish = schedule.finishTime(bits: Int64(queue[qHead].size) &* 8, from: start)
    }

    /// Moves every packet whose serialisation finished by `now` onto the wire.
    private mutating func advance(to now: Instant) {
        while qCount > 0, let f = headFinish, f <= now {
            var e = queue[qHead]
            queue[qHead].payload = nil
            qHead = qHead &+ 1 == queue.count ? 0 : qHead &+ 1
            qCount &-= 1
            queuedBytes &-= e.size
            serialiserFreeAt = f
            if lossRate > 0, Double(rng.next() >> 11) / Double(1 << 53) < lossRate {
                stats.randomLost &+= 1
            } else if wCount < wire.count {
                e.due = f + propagationDelay
                var i = wHead &+ wCount
                if i >= wire.count { i &-= wire.count }
                wire[i] = e
                wCount &+= 1
            }
            headFinish = nil
            if qCount > 0 { startHead(at: f) }
        }
    }

    /// When the next packet comes out of the link.
    public func nextDelivery() -> Instant? {
        if wCount > 0 { return wire[wHead].due }
        if qCount > 0, let f = headFinish { return f + propagationDelay }
        return nil
    }

    /// The next packet delivered at or before `now`.
    public mutating func poll(now: Instant) -> Delivery? {
        advance(to: now)
        guard wCount > 0, wire[wHead].due <= now, let p = wire[wHead].payload else { return nil }
        let e = wire[wHead]
        wire[wHead].payload = nil
        wHead = wHead &+ 1 == wire.count ? 0 : wHead &+ 1
        wCount &-= 1
        stats.delivered &+= 1
        stats.bytesDelivered &+= e.size
        return Delivery(payload: p, size: e.size, sentAt: e.sentAt, arrival: e.due, queueDelay: e.queueDelay)
    }
}
