/// Groups packets into send-time bursts and yields the delay variation between consecutive
/// groups (draft-ietf-rmcat-gcc-02 §5.2, "pre-filtering").
///
/// A group is the packets sent within `burstDuration` (5 ms) of the group's first packet. A
/// packet that arrives within 5 ms of the previous one with a negative propagation delta
/// (it was queued behind the group) joins the current group too, as long as the group spans
/// less than 100 ms of arrival time: the channel delivered them as one burst.
///
/// When a packet starts a new group, the group before it is complete and the delta between
/// it and the group before that is returned: the send-time difference and the arrival-time
/// difference of the groups' last packets. Packets sent before the current group started
/// (reordered) are ignored. A delta with an arrival difference beyond `maxDelta` (3 s) or
/// negative (the remote clock jumped, or reordering) resets the grouping.
public struct PacketGroupDelta: Sendable {
    /// One inter-group measurement.
    public struct Delta: Sendable, Equatable {
        /// Send-time difference between the last packets of two consecutive groups.
        public var sendDelta: Duration
        /// Arrival-time difference between the last packets of the same groups.
        public var arrivalDelta: Duration
        /// Arrival time of the later group's last packet (receiver clock).
        public var arrivalTime: Instant
        /// Bytes in the later group.
        public var groupSize: Int
    }

    struct Group: Sendable {
        var firstSend: Instant
        var lastSend: Instant
        var firstArrival: Instant
        var lastArrival: Instant
        var size: Int
    }

    public var burstDuration: Duration
    public var maxBurstSpan: Duration
    public var maxDelta: Duration
    private var current: Group?
    private var previous: Group?
    /// Deltas rejected since the last good one (clock jumps, reordering).
    public private(set) var resets = 0

    public init(burstDuration: Duration = .milliseconds(5), maxBurstSpan: Duration = .milliseconds(100),
                maxDelta: Duration = .seconds(3)) {
        self.burstDuration = burstDuration
        self.maxBurstSpan = maxBurstSpan
        self.maxDelta = maxDelta
    }

    /// Adds one received packet (in send order); returns a delta when it completes a group.
    public mutating func add(sendTime: Instant, arrivalTime: Instant, size: Int) -> Delta? {
        guard var cur = current else {
            current = Group(firstSend: sendTime, lastSend: sendTime, firstArrival: arrivalTime,
                            lastArrival: arrivalTime, size: size)
            return nil
        }
        if sendTime < cur.firstSend { return nil }
        if belongs(sendTime: sendTime, arrivalTime: arrivalTime, to: cur) {
            if sendTime > cur.lastSend { cur.lastSend = sendTime }
            if arrivalTime > cur.lastArrival { cur.lastArrival = arrivalTime }
            cur.size &+= size
            current = cur
            return nil
        }
        var out: Delta?
        if let prev = previous {
            let send = cur.lastSend - prev.lastSend
            let arrival = cur.lastArrival - prev.lastArrival
            if arrival < .zero || arrival - send > maxDelta || send > maxDelta {
                resets &+= 1
                previous = nil
                current = Group(firstSend: sendTime, lastSend: sendTime, firstArrival: arrivalTime,
                                lastArrival: arrivalTime, size: size)
                return nil
            }
            out = Delta(sendDelta: send, arrivalDelta: arrival, arrivalTime: cur.lastArrival,
                        groupSize: cur.size)
        }
        previous = cur
        current = Group(firstSend: sendTime, lastSend: sendTime, firstArrival: arrivalTime,
                        lastArrival: arrivalTime, size: size)
        return out
    }

    private func belongs(sendTime: Instant, arrivalTime: Instant, to g: Group) -> Bool {
        if sendTime - g.firstSend <= burstDuration { return true }
        // Burst: arrived right behind the group, and later sent than it was received apart.
        let arrivalDelta = arrivalTime - g.lastArrival
        let propagation = arrivalDelta - (sendTime - g.lastSend)
        return propagation < .zero && arrivalDelta >= .zero && arrivalDelta <= burstDuration
            && arrivalTime - g.firstArrival < maxBurstSpan
    }

    /// Forgets all groups.
    public mutating func reset() {
        current = nil
        previous = nil
    }
}
