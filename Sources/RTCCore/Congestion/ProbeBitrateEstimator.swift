/// Measures the bitrate a probe cluster got through, from the feedback of its packets.
///
/// For the received packets of one cluster: the send rate is the bytes sent (minus the last
/// packet) over the send-time span, the receive rate the bytes received (minus the first
/// packet) over the arrival-time span. The result is the lower of the two; when the receive
/// rate is below 90 % of the send rate the link was saturated and the result is 95 % of the
/// receive rate. A cluster is measured only once 80 % of its minimum packets and bytes were
/// received; spans over 1 s, or a receive rate more than twice the send rate (a burst
/// released from a queue), make it invalid.
///
/// Clusters live in `slotCount` (8) fixed slots; the oldest is reused.
public struct ProbeBitrateEstimator: Sendable {
    struct Cluster: Sendable {
        var id = -1
        var minPackets = 0
        var minBytes = 0
        var created = Instant.zero
        var count = 0
        var bytes = 0
        var firstSend = Instant.zero
        var lastSend = Instant.zero
        var lastSendSize = 0
        var firstArrival = Instant.zero
        var firstArrivalSize = 0
        var lastArrival = Instant.zero
        var updated = false
        var result: Double?
    }

    private var slots: [Cluster]
    /// Results produced so far (valid ones).
    public private(set) var resultsProduced = 0
    /// The latest valid result in bps.
    public private(set) var lastResult: Double?

    public init(slotCount: Int = 8) { slots = Array(repeating: Cluster(), count: max(1, slotCount)) }

    /// Registers a cluster about to be sent (its minimum sizes decide when it can be measured).
    public mutating func register(_ request: ProbeClusterRequest) {
        var oldest = 0
        for i in slots.indices {
            if slots[i].id == request.id { oldest = i; break }
            if slots[i].id < 0 { oldest = i; break }
            if slots[i].created < slots[oldest].created { oldest = i }
        }
        slots[oldest] = Cluster(id: request.id, minPackets: min(max(request.minPackets, 0), 1 << 20), minBytes: min(max(request.minBytes, 0), 1 << 30),
                                created: request.createdAt)
    }

    /// Adds one packet of a feedback batch (packets without a probe id, or lost, are ignored).
    public mutating func add(_ p: PacketFeedback) {
        guard let id = p.probeClusterID, let arrival = p.arrivalTime else { return }
        guard let i = slots.firstIndex(where: { $0.id == id }) else { return }
        var c = slots[i]
        if c.count == 0 {
            c.firstSend = p.sendTime
            c.lastSend = p.sendTime
            c.lastSendSize = p.size
            c.firstArrival = arrival
            c.firstArrivalSize = p.size
            c.lastArrival = arrival
        } else {
            if p.sendTime < c.firstSend { c.firstSend = p.sendTime }
            if p.sendTime >= c.lastSend { c.lastSend = p.sendTime; c.lastSendSize = p.size }
            if arrival < c.firstArrival { c.firstArrival = arrival; c.firstArrivalSize = p.size }
            if arrival > c.lastArrival { c.lastArrival = arrival }
        }
        c.count &+= 1
        c.bytes &+= p.size
        c.updated = true
        slots[i] = c
    }

    /// The highest valid result among the clusters updated since the last call, in bps.
    public mutating func takeResult() -> Double? {
        var best: Double?
        for i in slots.indices where slots[i].updated {
            slots[i].updated = false
            if let r = Self.measure(slots[i]) {
                slots[i].result = r
                best = max(best ?? 0, r)
            }
        }
        if let b = best {
            resultsProduced &+= 1
            lastResult = b
        }
        return best
    }

    /// The measured result of a cluster so far, if valid.
    public func result(ofCluster id: Int) -> Double? { slots.first { $0.id == id }?.result }

    static func measure(_ c: Cluster) -> Double? {
        // The minimums come from the caller's request: wrapping products cannot trap.
        guard c.count &* 5 >= c.minPackets &* 4, c.bytes &* 5 >= c.minBytes &* 4, c.count >= 2 else { return nil }
        let send = Double((c.lastSend - c.firstSend).rtcNanoseconds) / 1e9
        let recv = Double((c.lastArrival - c.firstArrival).rtcNanoseconds) / 1e9
        guard send > 0, send <= 1, recv > 0, recv <= 1 else { return nil }
        let sendRate = Double(c.bytes - c.lastSendSize) * 8 / send
        let recvRate = Double(c.bytes - c.firstArrivalSize) * 8 / recv
        guard sendRate > 0, recvRate > 0, recvRate <= 2 * sendRate else { return nil }
        if recvRate < 0.9 * sendRate { return 0.95 * recvRate }
        return min(sendRate, recvRate)
    }
}
