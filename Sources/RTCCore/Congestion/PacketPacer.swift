/// A sans-IO pacer for one transport's egress (a subscriber's downlink): the caller enqueues
/// packet handles, and the pacer says which to send when so bursts (a keyframe fanned out,
/// retransmissions) leave at the pacing rate instead of filling the bottleneck queue.
///
/// - Tokens are the caller's (an index into its egress buffer); the pacer only keeps
///   (token, size, priority, enqueue time) in four preallocated rings, one per priority,
///   served strictly in order: audio > retransmission > video > padding. Enqueue and poll
///   never allocate; a full ring refuses the packet (`enqueue` returns false).
/// - Budget: a media debt in bytes drains at the pacing rate (libwebrtc uses 2.5 × the
///   target); a packet may leave while the debt is within `burst` (5 ms) of the rate.
/// - Queue-time limit: when the queue would take longer than `maxQueueTime` to drain at the
///   pacing rate, the rate is raised to drain it in that time.
/// - Padding: with a padding rate set and nothing queued, ``poll(now:)`` asks the caller for
///   padding (`.padding(size:)`) so media plus padding reaches that rate.
/// - Probes: ``startProbe(_:)`` makes the pacer send at the cluster's rate — queued media
///   first, padding when the queue is empty — tagging each packet with the cluster id,
///   until the cluster's minimum packets and bytes have been sent.
public struct PacketPacer: Sendable {
    public enum Priority: Int, Sendable, Hashable, CaseIterable {
        case audio = 0, retransmission, video, padding
    }

    /// What to send next.
    public enum Output: Sendable, Hashable {
        /// Send the caller's packet `token`.
        case packet(token: Int, size: Int, priority: Priority, probeClusterID: Int?)
        /// Send `size` bytes of padding (or RTX of old packets, at the caller's choice).
        case padding(size: Int, probeClusterID: Int?)
    }

    public struct Configuration: Sendable, Equatable {
        /// Packets each priority ring holds.
        public var queueCapacity: Int
        public var burst: Duration
        public var maxQueueTime: Duration
        /// Size of one padding request.
        public var paddingSize: Int
        public init(queueCapacity: Int = 2048, burst: Duration = .milliseconds(5),
                    maxQueueTime: Duration = .seconds(1), paddingSize: Int = 1200) {
            self.queueCapacity = max(1, queueCapacity)
            self.burst = burst
            self.maxQueueTime = maxQueueTime
            self.paddingSize = max(1, paddingSize)
        }
    }

    public struct Stats: Sendable, Equatable {
        public var packetsSent = 0
        public var bytesSent = 0
        public var paddingBytes = 0
        public var probeBytes = 0
        public var probesCompleted = 0
        public var refused = 0
        public init() {}
    }

    struct Ring: Sendable {
        var tokens: [Int]
        var sizes: [Int32]
        var times: [Int64]
        var head = 0
        var count = 0
        var bytes = 0
        init(capacity: Int) {
            tokens = Array(repeating: 0, count: capacity)
            sizes = Array(repeating: 0, count: capacity)
            times = Array(repeating: 0, count: capacity)
        }
        mutating func push(_ token: Int, _ size: Int, _ t: Int64) -> Bool {
            guard count < tokens.count else { return false }
            var i = head &+ count
            if i >= tokens.count { i &-= tokens.count }
            tokens[i] = token
            sizes[i] = Int32(clamping: size)
            times[i] = t
            count &+= 1
            bytes &+= Int(sizes[i])
            return true
        }
        mutating func pop() -> (Int, Int) {
            let r = (tokens[head], Int(sizes[head]))
            bytes &-= r.1
            head = head &+ 1 == tokens.count ? 0 : head &+ 1
            count &-= 1
            return r
        }
    }

    struct ActiveProbe: Sendable {
        var request: ProbeClusterRequest
        var packets = 0
        var bytes = 0
        var debt = 0.0
    }

    public let configuration: Configuration
    private var queues: [Ring]
    private var pacingRate: Double
    private var paddingRate = 0.0
    private var debt = 0.0
    private var paddingDebt = 0.0
    private var lastUpdate: Instant?
    private var probes: [ActiveProbe] = []
    public private(set) var stats = Stats()

    public init(pacingBitrate: Int64 = 1_000_000, configuration: Configuration = .init()) {
        self.configuration = configuration
        queues = Priority.allCases.map { _ in Ring(capacity: configuration.queueCapacity) }
        pacingRate = Double(max(1000, pacingBitrate))
        probes.reserveCapacity(4)
    }

    /// Sets the pacing rate (bps), e.g. 2.5 × the target bitrate.
    public mutating func setPacingBitrate(_ bps: Int64) { pacingRate = Double(max(1000, bps)) }
    /// Sets the rate media plus padding should reach when the queue is empty (0: no padding).
    public mutating func setPaddingBitrate(_ bps: Int64) {
        paddingRate = Double(max(0, bps))
        paddingDebt = min(paddingDebt, paddingRate / 8 * 0.2)
    }

    /// Starts sending a probe cluster (after the ones already running; at most 4 wait).
    public mutating func startProbe(_ request: ProbeClusterRequest) {
        guard probes.count < 4, request.bitrate > 0 else { return }
        probes.append(ActiveProbe(request: request))
    }

    public var queuedPackets: Int { queues.reduce(0) { $0 &+ $1.count } }
    public var queuedBytes: Int { queues.reduce(0) { $0 &+ $1.bytes } }
    public var isProbing: Bool { !probes.isEmpty }

    /// How long the oldest queued packet has waited.
    public func queueDelay(now: Instant) -> Duration {
        var oldest: Int64?
        for q in queues where q.count > 0 { oldest = min(oldest ?? .max, q.times[q.head]) }
        guard let o = oldest else { return .zero }
        return now - Instant(nanoseconds: o)
    }

    /// The time the queue needs at the current rate.
    public var expectedQueueTime: Duration {
        .nanoseconds(Int64(min(Double(queuedBytes) * 8 / effectiveRate * 1e9, 1e15)))
    }

    /// The pacing rate, raised to drain the queue within ``Configuration/maxQueueTime``.
    /// The oldest packet's wait is subtracted from the limit, so the raised rate holds while
    /// the queue drains (the oldest packet leaves within the limit, less one millisecond).
    public var effectiveRate: Double {
        let bytes = queuedBytes
        guard bytes > 0 else { return pacingRate }
        let waited = lastUpdate.map { queueDelay(now: $0) } ?? .zero
        let remaining = Double((configuration.maxQueueTime - waited).rtcNanoseconds) / 1e9
        return max(pacingRate, Double(bytes) * 8 / max(remaining, 0.001))
    }

    /// Queues a packet; false (and counted) when its priority ring is full.
    @discardableResult
    public mutating func enqueue(token: Int, size: Int, priority: Priority, now: Instant) -> Bool {
        advance(to: now)
        guard queues[priority.rawValue].push(token, max(0, size), now.nanoseconds) else {
            stats.refused &+= 1
            return false
        }
        return true
    }

    private var burstBytes: Double { effectiveRate / 8 * Double(configuration.burst.rtcNanoseconds) / 1e9 }

    private mutating func advance(to now: Instant) {
        guard let last = lastUpdate else {
            lastUpdate = now
            return
        }
        guard now > last else { return }
        let dt = Double((now - last).rtcNanoseconds) / 1e9
        debt = max(0, debt - effectiveRate / 8 * dt)
        paddingDebt = max(0, paddingDebt - paddingRate / 8 * dt)
        // Media sent while padding was off (or far above the padding rate) must not postpone
        // padding for long: the debt holds at most 200 ms of the padding rate.
        paddingDebt = min(paddingDebt, paddingRate / 8 * 0.2)
        if !probes.isEmpty { probes[0].debt = max(0, probes[0].debt - Double(probes[0].request.bitrate) / 8 * dt) }
        lastUpdate = now
    }

    private var highestQueue: Int? {
        for i in queues.indices where queues[i].count > 0 { return i }
        return nil
    }

    /// When ``poll(now:)`` will next have something to send (may be in the past: send now).
    public func nextSendTime() -> Instant? {
        let base = lastUpdate ?? .zero
        func after(_ excess: Double, rate: Double) -> Instant {
            guard excess > 0, rate > 0 else { return base }
            return base + .nanoseconds(Int64(min(excess * 8 / rate * 1e9, 1e15)) &+ 1)
        }
        if let p = probes.first {
            return after(p.debt, rate: Double(p.request.bitrate))
        }
        if highestQueue != nil { return after(debt - burstBytes, rate: effectiveRate) }
        if paddingRate > 0 {
            let a = after(debt - burstBytes, rate: effectiveRate)
            let b = after(paddingDebt, rate: paddingRate)
            return max(a, b)
        }
        return nil
    }

    /// The pacer's deadline in the sans-IO shape.
    public func nextTimeout() -> (Instant, CongestionTimeoutReason)? { nextSendTime().map { ($0, .pacer) } }

    /// The next thing to send at `now`, or nil if nothing is due.
    public mutating func poll(now: Instant) -> Output? {
        advance(to: now)
        if !probes.isEmpty {
            guard probes[0].debt <= 0 else { return nil }
            let id = probes[0].request.id
            var out: Output
            var size: Int
            if let q = highestQueue {
                let (token, s) = queues[q].pop()
                size = s
                out = .packet(token: token, size: s, priority: Priority(rawValue: q) ?? .video, probeClusterID: id)
            } else {
                let remaining = probes[0].request.minBytes &- probes[0].bytes
                let perPacket = probes[0].request.minBytes / max(1, probes[0].request.minPackets)
                size = min(configuration.paddingSize, max(remaining, perPacket, 50))
                out = .padding(size: size, probeClusterID: id)
                stats.paddingBytes &+= size
            }
            probes[0].debt += Double(size)
            probes[0].packets &+= 1
            probes[0].bytes &+= size
            paddingDebt += Double(size)
            stats.probeBytes &+= size
            account(size)
            if probes[0].packets >= probes[0].request.minPackets, probes[0].bytes >= probes[0].request.minBytes {
                probes.removeFirst()
                stats.probesCompleted &+= 1
            }
            return out
        }
        if let q = highestQueue {
            guard debt <= burstBytes else { return nil }
            let (token, size) = queues[q].pop()
            debt += Double(size)
            paddingDebt += Double(size)
            account(size)
            return .packet(token: token, size: size, priority: Priority(rawValue: q) ?? .video, probeClusterID: nil)
        }
        if paddingRate > 0, paddingDebt <= 0, debt <= burstBytes {
            let size = configuration.paddingSize
            debt += Double(size)
            paddingDebt += Double(size)
            stats.paddingBytes &+= size
            account(size)
            return .padding(size: size, probeClusterID: nil)
        }
        return nil
    }

    private mutating func account(_ size: Int) {
        stats.packetsSent &+= 1
        stats.bytesSent &+= size
    }
}
