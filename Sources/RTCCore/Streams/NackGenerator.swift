/// The receiver side of RTP retransmission: watches the sequence numbers arriving on one
/// media stream, and schedules generic NACKs (RFC 4585 §6.2.1) for the gaps, repeated with
/// RTT-based spacing until the packet arrives or the retries are spent (RFC 4585 §3.2 leaves
/// the timing to the receiver; RFC 4588 §7 for RTX).
///
/// ```
///  arrivals:   100 101 ... 104 105 ...       103(rtx)
///  loss list:           {102,103}  send NACK {102,103} at once, again each RTT:
///  timeline:   t0       t1: NACK   t1+RTT: NACK {102,103}   103 arrives -> {102} ...
///                                  after maxRetries: 102 abandoned
///  NACK FCI:   | PID = 102 | BLP = 0b0000000000000001 |   (103 = PID + 1)
/// ```
///
/// Sans-IO with the three verbs: ``handlePacket(_:isKeyframe:isRetransmission:now:)`` and
/// ``handleTimeout(now:)`` take input, ``pollOutput()`` returns messages to send,
/// ``nextTimeout()`` the next deadline (O(1)). Losses are forgotten when more than
/// `maxPacketAge` sequence numbers or `maxLossAge` old; when more than `maxListSize` are
/// missing, losses before the first keyframe after the oldest loss are dropped, and if that
/// is not enough the list is cleared and a keyframe request is suggested.
///
/// Per packet, nothing is allocated once the loss list's capacity is reserved (at init);
/// emitting a NACK builds a ``TransportLayerNack`` (an array of pairs).
public struct NackGenerator: Sendable {
    /// SSRC written as the NACK's packet sender.
    public let senderSSRC: SSRC
    /// SSRC of the media stream being repaired.
    public let mediaSSRC: SSRC
    public var configuration: NackGeneratorConfiguration
    /// Round-trip time to the media sender, when known (spacing of retries).
    public var roundTripTime: Duration?
    public private(set) var statistics = NackStatistics()

    private var unwrapper = SequenceUnwrapper()
    private var highest: UInt64?
    /// Missing packets, ascending by extended sequence number.
    private var losses: [NackLossEntry] = []
    /// First packets of recent keyframes, ascending (at most ``keyframeMemory``).
    private var keyframes: [UInt64] = []
    private var outputs = OutputQueue<NackGeneratorOutput>()
    /// A lower bound of the earliest `due` in `losses` (nil when empty).
    private var earliestDue: Instant?

    static let keyframeMemory = 16

    public init(
        senderSSRC: SSRC, mediaSSRC: SSRC,
        configuration: NackGeneratorConfiguration = NackGeneratorConfiguration()
    ) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.configuration = configuration
        losses.reserveCapacity(max(configuration.maxListSize, 0) &* 2 &+ 1)
        keyframes.reserveCapacity(Self.keyframeMemory &+ 1)
        outputs.reserveCapacity(4)
    }

    /// Number of packets currently missing and tracked.
    public var missingCount: Int { losses.count }

    /// The missing sequence numbers, ascending (allocates; for inspection and tests).
    public var missingSequenceNumbers: [SequenceNumber] {
        losses.map { SequenceNumber(UInt16(truncatingIfNeeded: $0.sequence)) }
    }

    /// The highest extended sequence number received.
    public var highestSequence: UInt64? { highest }

    // MARK: - Input

    /// A packet of the media stream arrived (after SRTP, and after RTX unwrapping with
    /// `isRetransmission` set). `isKeyframe` marks the first packet of a keyframe.
    public mutating func handlePacket(
        _ seq: SequenceNumber, isKeyframe: Bool = false, isRetransmission: Bool = false, now: Instant
    ) {
        let ext = unwrapper.unwrap(seq)
        guard let h = highest else {
            highest = ext
            if isKeyframe { noteKeyframe(ext) }
            return
        }
        if ext > h {
            let gap = ext &- h &- 1
            if gap > 0 && configuration.maxRetries > 0 {
                if gap > UInt64(max(configuration.maxListSize, 0)) {
                    // More missing in one jump than we may track: NACK cannot repair this.
                    statistics.abandoned &+= losses.count &+ Int(min(gap, UInt64(Int.max / 2)))
                    losses.removeAll(keepingCapacity: true)
                    suggestKeyframe()
                } else {
                    let due = now + configuration.reorderingDelay
                    var s = h &+ 1
                    while s < ext {
                        losses.append(NackLossEntry(sequence: s, retries: 0, due: due, since: now))
                        s &+= 1
                    }
                    earliestDue = min(earliestDue ?? due, due)
                }
            }
            highest = ext
            if isKeyframe { noteKeyframe(ext) }
            forgetOlderThan(ext)
            if losses.count > configuration.maxListSize { handleOverflow() }
        } else {
            if let i = index(of: ext) {
                losses.remove(at: i)
                statistics.recovered &+= 1
                if isRetransmission { statistics.recoveredByRetransmission &+= 1 }
            }
            if isKeyframe { noteKeyframe(ext) }
        }
        sendDue(now: now)
    }

    /// The timer from ``nextTimeout()`` fired (calling it early or late is harmless).
    public mutating func handleTimeout(now: Instant) {
        sendDue(now: now)
    }

    // MARK: - Output

    /// Whether ``pollOutput()`` has something (a cheap check for the per-packet path).
    public var hasOutput: Bool { !outputs.isEmpty }

    /// There is output to poll or a loss being tracked (its retry timer may need arming).
    @inlinable public var needsService: Bool { hasOutput || missingCount > 0 }

    /// The next message to send, if any. O(1).
    public mutating func pollOutput() -> NackGeneratorOutput? {
        outputs.pop()
    }

    /// When the next NACK is due. O(1).
    public func nextTimeout() -> (Instant, StreamTimeoutReason)? {
        guard !losses.isEmpty, let d = earliestDue else { return nil }
        return (d, .nack)
    }

    // MARK: - Internals

    /// Whether `seq` is currently tracked as missing (a retransmission of it repairs a loss;
    /// one of a packet that arrived is a duplicate). O(log n), no state change.
    public func isMissing(_ seq: SequenceNumber) -> Bool {
        guard let h = highest, !losses.isEmpty else { return false }
        // The extended value nearest the highest seen (serial arithmetic, RFC 1982).
        let delta = Int64(Int16(bitPattern: seq.rawValue &- UInt16(truncatingIfNeeded: h)))
        let ext = Int64(bitPattern: h) &+ delta
        guard ext >= 0 else { return false }
        return index(of: UInt64(ext)) != nil
    }

    /// Binary search for an extended sequence number in `losses`.
    private func index(of ext: UInt64) -> Int? {
        var lo = 0
        var hi = losses.count
        while lo < hi {
            let mid = lo &+ (hi &- lo) / 2
            let v = losses[mid].sequence
            if v == ext { return mid }
            if v < ext { lo = mid &+ 1 } else { hi = mid }
        }
        return nil
    }

    private mutating func noteKeyframe(_ ext: UInt64) {
        var i = keyframes.count
        while i > 0 && keyframes[i &- 1] > ext { i &-= 1 }
        if i > 0 && keyframes[i &- 1] == ext { return }
        keyframes.insert(ext, at: i)
        if keyframes.count > Self.keyframeMemory { keyframes.removeFirst() }
    }

    private mutating func suggestKeyframe() {
        statistics.keyframeRequests &+= 1
        outputs.push(.keyframeRequest)
    }

    /// Forgets losses (and keyframes) more than `maxPacketAge` behind `newest`.
    private mutating func forgetOlderThan(_ newest: UInt64) {
        let age = UInt64(max(configuration.maxPacketAge, 0))
        guard newest > age else { return }
        let limit = newest &- age
        var n = 0
        while n < losses.count && losses[n].sequence < limit { n &+= 1 }
        if n > 0 {
            losses.removeFirst(n)
            statistics.abandoned &+= n
        }
        while let k = keyframes.first, k < limit { keyframes.removeFirst() }
    }

    /// Cuts the list back under `maxListSize`: first by dropping losses that precede a
    /// received keyframe (the decoder restarts there), else by clearing it and suggesting a
    /// keyframe request.
    private mutating func handleOverflow() {
        while losses.count > configuration.maxListSize {
            guard let oldest = losses.first?.sequence,
                  let k = keyframes.first(where: { $0 > oldest }) else {
                statistics.abandoned &+= losses.count
                losses.removeAll(keepingCapacity: true)
                suggestKeyframe()
                return
            }
            var n = 0
            while n < losses.count && losses[n].sequence < k { n &+= 1 }
            losses.removeFirst(n)
            statistics.abandoned &+= n
        }
    }

    /// Sends a NACK for every loss that is due, reschedules or abandons them.
    private mutating func sendDue(now: Instant) {
        guard let e = earliestDue, e <= now else { return }
        guard !losses.isEmpty else {
            earliestDue = nil
            return
        }
        let interval = max(roundTripTime ?? configuration.defaultRTT, configuration.minRetryInterval)
        let maxRetries = configuration.maxRetries
        var due: [SequenceNumber] = []
        var next: Instant?
        var w = 0
        for r in 0..<losses.count {
            var entry = losses[r]
            if now - entry.since > configuration.maxLossAge
                || (entry.retries >= maxRetries && entry.due <= now) {
                // Too old, or its last NACK had a retry interval to be answered.
                statistics.abandoned &+= 1
                continue
            }
            if entry.due <= now {
                due.append(SequenceNumber(UInt16(truncatingIfNeeded: entry.sequence)))
                entry.retries &+= 1
                entry.due = now + interval
            }
            next = min(next ?? entry.due, entry.due)
            losses[w] = entry
            w &+= 1
        }
        losses.removeLast(losses.count &- w)
        earliestDue = next
        guard !due.isEmpty else { return }
        statistics.sequenceNumbersRequested &+= due.count
        let all = TransportLayerNack(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, lostSequenceNumbers: due)
        let per = max(configuration.maxPairsPerMessage, 1)
        var start = 0
        while start < all.pairs.count {
            let end = min(start &+ per, all.pairs.count)
            outputs.push(.nack(TransportLayerNack(
                senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, pairs: Array(all.pairs[start..<end]))))
            statistics.messagesSent &+= 1
            start = end
        }
    }
}
