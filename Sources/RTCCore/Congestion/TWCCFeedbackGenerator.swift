/// Generates transport-wide congestion control feedback
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) for a media sender (a
/// publisher): records the arrival time of every packet carrying a transport-wide sequence
/// number and, every `interval` (50–100 ms), reports all sequence numbers from the first not
/// yet reported to the highest received — gaps as not received — so the sender's own
/// estimator (Chromium's, Firefox's) works through the SFU.
///
/// - Reordering within an interval is absorbed: arrivals are stored by extended sequence
///   number in a preallocated ring (`capacity` packets) and reported in sequence order.
///   A packet arriving after its number was already reported (as lost) is counted in
///   ``Stats/lateArrivals`` and not reported again.
/// - Sequence numbers wrap at 65535 (``SequenceUnwrapper``); a forward jump of more than
///   `capacity` restarts the report window at the new packet instead of reporting a huge gap.
/// - One report is split into several feedback packets when it exceeds `maxPacketSize`;
///   each carries the next feedback packet count (wrapping at 255).
///
/// Recording a packet never allocates; building feedback allocates the packets' arrays.
public struct TWCCFeedbackGenerator: Sendable {
    public struct Stats: Sendable, Equatable {
        public var packetsReceived = 0
        public var duplicates = 0
        public var lateArrivals = 0
        public var feedbackPackets = 0
        /// Sequence numbers skipped by a window restart (never reported).
        public var skipped = 0
        public init() {}
    }

    public let senderSSRC: SSRC
    public var mediaSSRC: SSRC
    public var interval: Duration
    public var maxPacketSize: Int
    private var unwrapper = SequenceUnwrapper()
    private var seqs: [Int64]
    private var arrivals: [Int64]
    private let mask: Int
    private var nextToReport: Int64?
    private var highest: Int64 = -1
    private var deadline: Instant?
    private var lastFeedback: Instant?
    /// The feedback packet count the next feedback packet will carry.
    public private(set) var feedbackPacketCount: UInt8 = 0
    private var output: [TransportWideCongestionControl] = []
    public private(set) var stats = Stats()

    /// - Parameters:
    ///   - interval: time between feedback reports (50–100 ms is typical; clamped to 10 ms–1 s).
    ///   - capacity: packets remembered, rounded up to a power of two (≥ 256).
    public init(senderSSRC: SSRC, mediaSSRC: SSRC, interval: Duration = .milliseconds(50),
                capacity: Int = 4096, maxPacketSize: Int = TWCCFeedbackBuilder.defaultMaxPacketSize) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.interval = min(max(interval, .milliseconds(10)), .seconds(1))
        self.maxPacketSize = maxPacketSize
        var c = 256
        while c < capacity, c < 1 << 20 { c <<= 1 }
        seqs = Array(repeating: -1, count: c)
        arrivals = Array(repeating: 0, count: c)
        mask = c &- 1
    }

    public var capacity: Int { seqs.count }

    /// Records a received packet's transport-wide sequence number and arrival time.
    public mutating func onPacketReceived(sequenceNumber: UInt16, arrivalTime: Instant) {
        stats.packetsReceived &+= 1
        let ext = Int64(truncatingIfNeeded: unwrapper.unwrap(SequenceNumber(sequenceNumber)))
        if let start = nextToReport {
            if ext < start {
                stats.lateArrivals &+= 1
                return
            }
            if ext &- start >= Int64(capacity) {
                // Too far ahead for the window: restart it here.
                stats.skipped &+= Int(clamping: ext &- start)
                nextToReport = ext
            }
        } else {
            nextToReport = ext
        }
        let i = Int(truncatingIfNeeded: ext) & mask
        if seqs[i] == ext {
            stats.duplicates &+= 1
            return
        }
        seqs[i] = ext
        arrivals[i] = arrivalTime.nanoseconds
        if ext > highest { highest = ext }
        if deadline == nil {
            deadline = max(arrivalTime, (lastFeedback ?? arrivalTime) + interval)
        }
    }

    /// When the next feedback is due.
    public func nextTimeout() -> (Instant, CongestionTimeoutReason)? { deadline.map { ($0, .transportFeedback) } }

    /// Builds the feedback due at `now` (then ``pollFeedback()`` returns it).
    public mutating func handleTimeout(now: Instant) {
        guard let d = deadline, now >= d else { return }
        deadline = nil
        lastFeedback = now
        buildReport()
    }

    /// Builds a report of everything unreported now, regardless of the timer.
    public mutating func flush(now: Instant) {
        deadline = nil
        lastFeedback = now
        buildReport()
    }

    /// The next feedback packet to send.
    public mutating func pollFeedback() -> TransportWideCongestionControl? {
        output.isEmpty ? nil : output.removeFirst()
    }

    private mutating func newBuilder() -> TWCCFeedbackBuilder {
        TWCCFeedbackBuilder(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC,
                            feedbackPacketCount: feedbackPacketCount, maxPacketSize: maxPacketSize)
    }

    private mutating func buildReport() {
        guard var ext = nextToReport, ext <= highest else { return }
        var b = newBuilder()
        var lastAdded = ext &- 1
        while ext <= highest {
            let i = Int(truncatingIfNeeded: ext) & mask
            let received = seqs[i] == ext
            // Only the first status of a packet needs an explicit loss; later gaps are implicit.
            if received || b.isEmpty {
                let seq = SequenceNumber(UInt16(truncatingIfNeeded: ext))
                let us: Int64? = received ? Self.floorDiv(arrivals[i], 1000) : nil
                if !b.add(seq, arrivalMicroseconds: us) {
                    emit(b)
                    b = newBuilder()
                    // The next packet starts where the last one ended, so a gap split across
                    // two packets is still reported.
                    if ext > lastAdded &+ 1 {
                        _ = b.add(SequenceNumber(UInt16(truncatingIfNeeded: lastAdded &+ 1)), arrivalMicroseconds: nil)
                    }
                    if !b.add(seq, arrivalMicroseconds: us) { break }  // fits no packet: give up
                }
                lastAdded = ext
            }
            ext &+= 1
        }
        if !b.isEmpty { emit(b) }
        nextToReport = highest &+ 1
    }

    private mutating func emit(_ b: TWCCFeedbackBuilder) {
        output.append(b.build())
        feedbackPacketCount &+= 1
        stats.feedbackPackets &+= 1
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && a < 0) ? q &- 1 : q
    }
}
