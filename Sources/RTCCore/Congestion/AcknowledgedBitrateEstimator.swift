/// The throughput of acknowledged packets: bytes reported received by transport-wide
/// feedback over a sliding window of arrival time (receiver clock).
///
/// It is what the path demonstrably carries: AIMD decreases to a fraction of it and limits
/// increases by it. The window (default 350 ms) is short enough to follow a capacity drop
/// within one or two feedback intervals and long enough to span several frames.
///
/// The samples live in a preallocated ring of `capacity` packets; when it is full the
/// oldest sample is dropped early and the rate is taken over the span still held (so
/// above `capacity` packets per window the estimate rests on fewer samples, never on a
/// wrong span).
public struct AcknowledgedBitrateEstimator: Sendable {
    public let window: Duration
    private var times: [Int64]
    private var sizes: [Int32]
    private var head = 0
    private var count = 0
    private var sum = 0
    private var firstArrival: Int64?
    private var latest: Int64 = .min

    public init(window: Duration = .milliseconds(350), capacity: Int = 4096) {
        self.window = window
        let c = max(16, capacity)
        times = Array(repeating: 0, count: c)
        sizes = Array(repeating: 0, count: c)
    }

    /// Adds one acknowledged packet. Arrivals earlier than the latest are counted at the latest.
    public mutating func add(arrivalTime: Instant, size: Int) {
        let t = max(arrivalTime.nanoseconds, latest)
        latest = t
        if firstArrival == nil { firstArrival = t }
        if count == times.count { evictOne() }
        let i = (head &+ count) % times.count
        times[i] = t
        sizes[i] = Int32(clamping: max(0, size))
        sum &+= Int(sizes[i])
        count &+= 1
        let w = window.rtcNanoseconds
        while count > 0, times[head] <= t &- w { evictOne() }
    }

    /// Adds the received packets of a feedback batch.
    public mutating func add(_ packets: [PacketFeedback]) {
        for p in packets { if let a = p.arrivalTime { add(arrivalTime: a, size: p.size) } }
    }

    private mutating func evictOne() {
        sum &-= Int(sizes[head])
        head = head &+ 1 == times.count ? 0 : head &+ 1
        count &-= 1
    }

    /// The acknowledged bitrate in bps; nil until 100 ms of arrivals have been seen.
    public var bitrate: Double? {
        guard let first = firstArrival else { return nil }
        let w = window.rtcNanoseconds
        var span = w
        if latest &- first < w { span = latest &- first }
        if count == times.count, count > 0 { span = min(span, latest &- times[head]) }
        guard span >= 100_000_000 else { return nil }
        return Double(sum) * 8 / (Double(span) / 1e9)
    }

    /// Forgets everything (e.g. after a long pause in sending).
    public mutating func reset() {
        head = 0
        count = 0
        sum = 0
        firstArrival = nil
        latest = .min
    }
}
