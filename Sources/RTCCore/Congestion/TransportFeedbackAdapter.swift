/// The send history of one transport for transport-wide congestion control: the sender
/// records every packet it stamps with a transport-wide sequence number, and joins each TWCC
/// feedback packet (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) with that
/// history into ``PacketFeedback`` results in send order.
///
/// Storage is a preallocated ring indexed by the extended sequence number: recording a packet
/// and processing a feedback packet allocate nothing once the caller's result buffer has
/// grown to its working size. The ring holds the last `capacity` packets; feedback for older
/// ones (or for sequence numbers never sent) is ignored and counted in ``Stats``.
///
/// Each packet is reported at most once as received. A packet reported lost and later
/// reported received (a late arrival, or feedback packets reordered) is yielded again as
/// received; a packet reported received is never yielded again.
///
/// Arrival times: the 24-bit reference time wraps every 2^24 × 64 ms (about 12.4 days); the
/// adapter unwraps it across feedback packets so arrival times stay monotonic.
public struct TransportFeedbackAdapter: Sendable {
    /// Counters for observability and tests.
    public struct Stats: Sendable, Equatable {
        public var packetsRecorded = 0
        public var feedbackPackets = 0
        /// Statuses about sequence numbers outside the history (never sent, or overwritten).
        public var unknownReports = 0
        /// Statuses about packets already reported received (duplicate feedback).
        public var duplicateReports = 0
        public init() {}
    }

    @usableFromInline
    struct Entry: Sendable {
        var sequenceNumber: Int64 = -1
        var sendTime = Instant.zero
        var size: Int32 = 0
        var probeClusterID: Int32 = -1
        /// 0: not yet reported, 1: reported lost, 2: reported received.
        var state: UInt8 = 0
    }

    /// The default number of packets remembered: about 27 s at 300 packets/s.
    public static let defaultCapacity = 8192

    private var ring: [Entry]
    private let mask: Int
    /// Highest extended sequence number recorded, -1 before the first.
    public private(set) var highestSequenceNumber: Int64 = -1
    private var referenceUnwrapBase: Int64 = 0
    private var lastReference: Int32?
    public private(set) var stats = Stats()

    /// - Parameter capacity: packets remembered, rounded up to a power of two (minimum 64).
    public init(capacity: Int = TransportFeedbackAdapter.defaultCapacity) {
        var c = 64
        while c < capacity, c < 1 << 20 { c <<= 1 }
        ring = Array(repeating: Entry(), count: c)
        mask = c &- 1
    }

    public var capacity: Int { ring.count }

    /// Extends a wire sequence number to the value nearest the highest recorded one.
    @inlinable
    static func extend(_ seq: UInt16, near highest: Int64) -> Int64 {
        guard highest >= 0 else { return Int64(seq) }
        let low = UInt16(truncatingIfNeeded: highest)
        let forward = seq &- low
        if forward < 0x8000 { return highest &+ Int64(forward) }
        return highest &- Int64(low &- seq)
    }

    /// Records a packet the caller just sent with transport-wide sequence number `sequenceNumber`.
    ///
    /// Sequence numbers are expected in sending order; one more than half the space behind the
    /// highest is taken as a wrap forward. Returns the extended sequence number.
    @discardableResult
    public mutating func onPacketSent(sequenceNumber: UInt16, sendTime: Instant, size: Int,
                                      probeClusterID: Int? = nil) -> Int64 {
        let ext = highestSequenceNumber < 0
            ? Int64(sequenceNumber) : Self.extend(sequenceNumber, near: highestSequenceNumber)
        if ext > highestSequenceNumber { highestSequenceNumber = ext }
        let i = Int(truncatingIfNeeded: ext) & mask
        ring[i] = Entry(sequenceNumber: ext, sendTime: sendTime,
                        size: Int32(clamping: size),
                        probeClusterID: probeClusterID.map { Int32(clamping: $0) } ?? -1,
                        state: 0)
        stats.packetsRecorded &+= 1
        return ext
    }

    /// The send time recorded for an extended sequence number, if it is still in the history.
    public func sendTime(of sequenceNumber: Int64) -> Instant? {
        let e = ring[Int(truncatingIfNeeded: sequenceNumber) & mask]
        return e.sequenceNumber == sequenceNumber ? e.sendTime : nil
    }

    /// Joins a feedback packet with the history, appending the results to `results` (which it
    /// empties first, keeping its capacity) in send order.
    public mutating func onFeedback(_ feedback: TransportWideCongestionControl,
                                    into results: inout [PacketFeedback]) {
        results.removeAll(keepingCapacity: true)
        onFeedback(feedback) { results.append($0) }
    }

    /// Joins a feedback packet with the history, calling `body` for each result in send order.
    public mutating func onFeedback(_ feedback: TransportWideCongestionControl,
                                    _ body: (PacketFeedback) -> Void) {
        stats.feedbackPackets &+= 1
        guard highestSequenceNumber >= 0 else {
            stats.unknownReports &+= Int(feedback.packetStatusCount)
            return
        }
        let offset = unwrapReference(feedback.referenceTime)
        let base = Self.extend(feedback.baseSequenceNumber.rawValue, near: highestSequenceNumber)
        var it = feedback.makePacketIterator()
        var n: Int64 = 0
        while let r = it.next() {
            let ext = base &+ n
            n &+= 1
            let i = Int(truncatingIfNeeded: ext) & mask
            guard ring[i].sequenceNumber == ext else {
                stats.unknownReports &+= 1
                continue
            }
            let e = ring[i]
            var arrival: Instant?
            if let us = r.arrivalMicroseconds {
                guard e.state != 2 else {
                    stats.duplicateReports &+= 1
                    continue
                }
                ring[i].state = 2
                arrival = Instant(nanoseconds: (us &+ offset).multipliedReportingOverflow(by: 1000).partialValue)
            } else {
                // A loss after a reception (older feedback arriving late) changes nothing.
                guard e.state == 0 else {
                    stats.duplicateReports &+= 1
                    continue
                }
                ring[i].state = 1
            }
            body(PacketFeedback(sequenceNumber: ext, sendTime: e.sendTime, arrivalTime: arrival,
                                size: Int(e.size),
                                probeClusterID: e.probeClusterID >= 0 ? Int(e.probeClusterID) : nil))
        }
    }

    /// The µs to add to this feedback's times so reference times stay monotonic across the
    /// 24-bit wrap.
    private mutating func unwrapReference(_ ref: Int32) -> Int64 {
        let span: Int64 = 1 << 24
        if let last = lastReference {
            let d = Int64(ref) &- Int64(last)
            if d < -(span / 2) { referenceUnwrapBase &+= span }
            else if d > span / 2 { referenceUnwrapBase &-= span }
        }
        lastReference = ref
        return referenceUnwrapBase &* TransportWideCongestionControl.referenceTimeUnitMicroseconds
    }
}
