/// Builds transport-wide congestion control feedback
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) from packet arrivals, choosing
/// the chunk encoding as it goes.
///
/// Feed packets in ascending transport sequence order with ``add(_:arrivalMicroseconds:)``;
/// gaps are reported as not received. `add` returns false — and leaves the builder unchanged —
/// when the packet cannot go into this feedback packet: its sequence number is not after the
/// last one added (serial order, so 65535 → 0 continues), the status count would pass 65,535,
/// its receive delta does not fit 16 signed bits of 250 µs (±8.19 s), or the packet would
/// grow past `maxPacketSize`. Then ``build()`` this one and start the next
/// (``build(senderSSRC:mediaSSRC:firstFeedbackPacketCount:packets:maxPacketSize:)`` does that).
///
/// Encoding: statuses are collected into one pending chunk that stays a run while the
/// symbol repeats (up to 8191), turns into a 1-bit vector while there are at most 14
/// statuses and no large delta, or a 2-bit vector of 7. When the next status does not fit,
/// the pending chunk is emitted whole (every chunk but the last is full, so none of its
/// symbols are padding). The last chunk may be partly used; the status count says how much.
///
/// Time: the reference time is the first received packet's arrival rounded down to 64 ms;
/// every delta is rounded to 250 µs relative to the previous *encoded* arrival, so rounding
/// errors never accumulate (each reported time is within 125 µs of the true one).
public struct TWCCFeedbackBuilder: Sendable {
    public let senderSSRC: SSRC
    public let mediaSSRC: SSRC
    public let feedbackPacketCount: UInt8
    public let maxPacketSize: Int

    /// The largest RTCP packet the 16-bit length field allows.
    public static let maxRTCPPacketSize = 65_536 * 4
    /// A default that keeps the feedback inside one datagram with room for SRTCP.
    public static let defaultMaxPacketSize = 1_200

    public private(set) var baseSequenceNumber = SequenceNumber(0)
    /// Number of statuses so far (received, lost and gaps).
    public private(set) var statusCount = 0
    var referenceTime: Int32 = 0
    var hasReference = false
    /// Encoded arrival time of the last received packet, in µs.
    var lastTime: Int64 = 0
    var chunks: [TWCCPacketStatusChunk] = []
    var deltas: [Int16] = []
    var deltaBytes = 0
    var pending = PendingChunk()

    public init(
        senderSSRC: SSRC, mediaSSRC: SSRC, feedbackPacketCount: UInt8,
        maxPacketSize: Int = TWCCFeedbackBuilder.defaultMaxPacketSize
    ) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.feedbackPacketCount = feedbackPacketCount
        self.maxPacketSize = min(maxPacketSize, Self.maxRTCPPacketSize)
    }

    public var isEmpty: Bool { statusCount == 0 }

    /// Size of the packet ``build()`` would produce now.
    public var encodedSize: Int {
        RTCPHeader.paddedSize(
            TransportWideCongestionControl.fixedSize
                &+ 2 &* (chunks.count &+ (pending.count > 0 ? 1 : 0)) &+ deltaBytes)
    }

    /// Adds one packet result; see ``add(_:arrivalMicroseconds:)``.
    public mutating func add(_ result: TWCCPacketResult) -> Bool {
        add(result.sequenceNumber, arrivalMicroseconds: result.arrivalMicroseconds)
    }

    /// Adds a packet (received at `arrivalMicroseconds`, or lost when nil). Returns false and
    /// changes nothing when it does not fit this feedback packet.
    public mutating func add(_ sequenceNumber: SequenceNumber, arrivalMicroseconds: Int64?) -> Bool {
        var missing = 0
        if statusCount > 0 {
            let next = baseSequenceNumber.rawValue &+ UInt16(truncatingIfNeeded: statusCount)
            let gap = sequenceNumber.rawValue &- next
            guard gap < 0x8000 else { return false }  // a duplicate or older sequence number
            missing = Int(gap)
        }
        guard statusCount &+ missing < Int(UInt16.max) else { return false }

        var reference = (referenceTime, hasReference, lastTime)
        var delta: Int16?
        if let t = arrivalMicroseconds {
            if !reference.1 {
                let unit = TransportWideCongestionControl.referenceTimeUnitMicroseconds
                let ref = Self.floorDiv(t, unit)
                // Keep the low 24 bits, read as signed: the wire field (it wraps).
                reference = (Int32(truncatingIfNeeded: (ref << 40) >> 40), true, ref &* unit)
            }
            let (diff, overflow) = t.subtractingReportingOverflow(reference.2)
            guard !overflow, diff > -(1 << 40), diff < 1 << 40 else { return false }
            let tick = TransportWideCongestionControl.deltaTickMicroseconds
            let ticks = Self.floorDiv(diff &+ tick / 2, tick)
            guard ticks >= Int64(Int16.min), ticks <= Int64(Int16.max) else { return false }
            delta = Int16(ticks)
        }

        let saved = (pending, chunks.count, baseSequenceNumber)
        if statusCount == 0 { baseSequenceNumber = sequenceNumber }
        for _ in 0..<missing { addStatus(.notReceived) }
        var addedDeltaBytes = 0
        if let d = delta {
            let status = TWCCPacketStatus.received(deltaTicks: d)
            addStatus(status)
            addedDeltaBytes = status.deltaSize
        } else {
            addStatus(.notReceived)
        }
        deltaBytes &+= addedDeltaBytes
        if encodedSize > maxPacketSize {
            deltaBytes &-= addedDeltaBytes
            pending = saved.0
            chunks.removeLast(chunks.count &- saved.1)
            baseSequenceNumber = saved.2
            return false
        }
        statusCount &+= missing &+ 1
        if let d = delta {
            deltas.append(d)
            reference.2 &+= Int64(d) &* TransportWideCongestionControl.deltaTickMicroseconds
            (referenceTime, hasReference, lastTime) = reference
        }
        return true
    }

    /// The feedback packet for everything added so far.
    public func build() -> TransportWideCongestionControl {
        var all = chunks
        if let last = pending.finalChunk() { all.append(last) }
        return TransportWideCongestionControl(
            senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, baseSequenceNumber: baseSequenceNumber,
            packetStatusCount: UInt16(truncatingIfNeeded: statusCount),
            referenceTime: hasReference ? referenceTime : 0,
            feedbackPacketCount: feedbackPacketCount, chunks: all, receiveDeltas: deltas)
    }

    /// Splits packet results (ascending transport sequence order) into as many feedback
    /// packets as needed, numbering them from `firstFeedbackPacketCount`. A new packet starts
    /// whenever one does not fit (see ``add(_:arrivalMicroseconds:)``); a result that fits no
    /// packet at all (a `maxPacketSize` below 24 bytes) is dropped.
    public static func build<S: Sequence>(
        senderSSRC: SSRC, mediaSSRC: SSRC, firstFeedbackPacketCount: UInt8, packets: S,
        maxPacketSize: Int = TWCCFeedbackBuilder.defaultMaxPacketSize
    ) -> [TransportWideCongestionControl] where S.Element == TWCCPacketResult {
        var out: [TransportWideCongestionControl] = []
        var count = firstFeedbackPacketCount
        var b = TWCCFeedbackBuilder(
            senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, feedbackPacketCount: count,
            maxPacketSize: maxPacketSize)
        for p in packets {
            if b.add(p) || b.isEmpty { continue }
            out.append(b.build())
            count &+= 1
            b = TWCCFeedbackBuilder(
                senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, feedbackPacketCount: count,
                maxPacketSize: maxPacketSize)
            _ = b.add(p)
        }
        if !b.isEmpty { out.append(b.build()) }
        return out
    }

    mutating func addStatus(_ s: TWCCPacketStatus) {
        // At most two rounds: after an emit the pending chunk is empty or holds < 7 statuses,
        // and either accepts any status.
        while !pending.canAdd(s.rawValue) {
            chunks.append(pending.emit())
        }
        pending.add(s.rawValue)
    }

    /// Floor division for a positive divisor.
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && a < 0) ? q &- 1 : q
    }

    /// The statuses not yet emitted as a chunk: a run (all equal, ≤ 8191) or the start of a
    /// vector (≤ 14 symbols, stored 2 bits each, first symbol in the low bits).
    struct PendingChunk: Sendable {
        var count = 0
        var bits: UInt32 = 0
        var allSame = true
        var hasLarge = false
        var first: UInt8 = 0

        func symbol(_ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: bits >> UInt32(2 &* i)) & 3 }

        func canAdd(_ s: UInt8) -> Bool {
            if count == 0 { return true }
            if allSame, s == first { return count < TWCCPacketStatusChunk.maxRunLength }
            if count < TWCCPacketStatusChunk.twoBitCapacity { return true }
            return count < TWCCPacketStatusChunk.oneBitCapacity && !hasLarge && s < 2
        }

        mutating func add(_ s: UInt8) {
            if count < TWCCPacketStatusChunk.oneBitCapacity { bits |= UInt32(s) << UInt32(2 &* count) }
            if count == 0 { first = s } else if s != first { allSame = false }
            if s == 2 { hasLarge = true }
            count &+= 1
        }

        /// A 1-bit vector of the first `n` (≤ 14) symbols, all 0 or 1.
        func oneBitVector(_ n: Int) -> TWCCPacketStatusChunk {
            var v: UInt16 = 0x8000
            for i in 0..<min(n, TWCCPacketStatusChunk.oneBitCapacity) {
                v |= UInt16(symbol(i) & 1) << UInt16(13 &- i)
            }
            return TWCCPacketStatusChunk(rawValue: v)
        }

        /// A 2-bit vector of the first `n` (≤ 7) symbols.
        func twoBitVector(_ n: Int) -> TWCCPacketStatusChunk {
            var v: UInt16 = 0xC000
            for i in 0..<min(n, TWCCPacketStatusChunk.twoBitCapacity) {
                v |= UInt16(symbol(i)) << UInt16(12 &- 2 &* i)
            }
            return TWCCPacketStatusChunk(rawValue: v)
        }

        /// A run chunk of all `count` statuses (`count` ≤ 8191, kept so by `canAdd`).
        func run() -> TWCCPacketStatusChunk {
            TWCCPacketStatusChunk(rawValue: UInt16(first & 3) << 13 | UInt16(truncatingIfNeeded: count) & 0x1FFF)
        }

        /// Emits a full chunk from the front. Called only when `canAdd` failed, so the pending
        /// statuses are a run, 14 one-bit symbols, or at least 7 mixed ones: every symbol of
        /// the emitted chunk is a real status.
        mutating func emit() -> TWCCPacketStatusChunk {
            if allSame {
                let c = run()
                self = PendingChunk()
                return c
            }
            if count == TWCCPacketStatusChunk.oneBitCapacity, !hasLarge {
                let c = oneBitVector(count)
                self = PendingChunk()
                return c
            }
            let n = min(count, TWCCPacketStatusChunk.twoBitCapacity)
            let c = twoBitVector(n)
            var rest = PendingChunk()
            for i in n..<count { rest.add(symbol(i)) }
            self = rest
            return c
        }

        /// The last chunk (may be partly used), nil when nothing is pending.
        func finalChunk() -> TWCCPacketStatusChunk? {
            guard count > 0 else { return nil }
            if allSame { return run() }
            return hasLarge ? twoBitVector(count) : oneBitVector(count)
        }
    }
}
