/// Reception statistics of one incoming RTP stream (one SSRC), as RFC 3550 defines them for
/// reception report blocks (§6.4.1): sequence validation and the extended highest sequence
/// number (§A.1), expected and lost packets and the fraction lost per report interval (§A.3),
/// interarrival jitter (§A.8), and LSR/DLSR from the sender reports received (§6.4.1).
///
/// ```
///  report block built by receptionReport(now:)
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |                 SSRC_n (SSRC of source being reported)        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | fraction lost |  cumulative number of packets lost (signed 24) |  A.3
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   cycles (16)                 |   highest seq (16)            |  A.1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                interarrival jitter (RTP units)                |  A.8
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         last SR (LSR)                         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |              delay since last SR (DLSR, 1/65536 s)            |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// ```
///
/// Sequence validation follows §A.1 (MAX_DROPOUT 3000, MAX_MISORDER 100): a jump beyond
/// them is ignored unless the next packet follows it, which restarts the counts (a sender
/// restart). `probation` (MIN_SEQUENTIAL, default 0) is the number of sequential packets
/// needed before a new source is counted; SRTP already authenticates the source, so WebRTC
/// receivers usually need none. Duplicates count as received (the cumulative loss can go
/// negative, §6.4.1). Jitter uses the integer form of §A.8 over valid packets in arrival
/// order, leaving out retransmissions (their timestamps are old) and the first packet.
/// No heap; O(1) per packet.
public struct ReceiveStreamStatistics: Sendable {
    public let ssrc: SSRC
    /// RTP clock rate in Hz (the unit of the jitter).
    public let clockRate: UInt32
    /// Sequential packets needed before a new source is valid (§A.1 MIN_SEQUENTIAL).
    public let probation: Int

    static let maxDropout: UInt16 = 3000
    static let maxMisorder: UInt16 = 100
    static let sequenceModulus: UInt32 = 1 << 16

    private var started = false
    private var probationLeft = 0
    private var maxSeq: UInt16 = 0
    /// Shifted count of sequence number cycles (multiples of 2^16).
    private var cycles: UInt64 = 0
    private var baseSeq: UInt32 = 0
    private var badSeq: UInt32 = sequenceModulus &+ 1
    private var received: UInt64 = 0
    private var expectedPrior: Int64 = 0
    private var receivedPrior: UInt64 = 0
    /// Relative transit time of the previous packet (§A.8), when one was seen.
    private var transit: UInt32?
    /// Jitter × 16 (§A.8 integer form).
    private var jitterScaled: UInt32 = 0
    private var lastSR: UInt32 = 0
    private var lastSRAt: Instant?

    /// Packets accepted as valid (duplicates included), since the last restart.
    public var packetsReceived: UInt64 { received }
    /// All packets handled, payload bytes of valid ones, and the time of the last one.
    public private(set) var packetsHandled: UInt64 = 0
    public private(set) var payloadBytesReceived: UInt64 = 0
    public private(set) var lastPacketAt: Instant?

    public init(ssrc: SSRC, clockRate: UInt32, probation: Int = 0) {
        self.ssrc = ssrc
        self.clockRate = clockRate
        self.probation = max(probation, 0)
    }

    // MARK: - Values

    /// Whether the source is valid (past probation) and has counted packets.
    public var isValid: Bool { started && probationLeft == 0 && received > 0 }

    /// Extended highest sequence number received (§A.1: cycles and max_seq).
    public var extendedHighestSequence: UInt32 { UInt32(truncatingIfNeeded: cycles &+ UInt64(maxSeq)) }

    /// Packets expected: extended highest − base + 1 (§A.3).
    public var expected: Int64 {
        guard isValid else { return 0 }
        return Int64(cycles &+ UInt64(maxSeq)) &- Int64(baseSeq) &+ 1
    }

    /// Cumulative packets lost: expected − received, clamped to the signed 24-bit range of the
    /// report block (§6.4.1).
    public var cumulativeLost: Int32 {
        let lost = expected &- Int64(min(received, UInt64(Int64.max)))
        let r = ReceptionReport.cumulativeLostRange
        return Int32(min(max(lost, Int64(r.lowerBound)), Int64(r.upperBound)))
    }

    /// Interarrival jitter in RTP timestamp units (§A.8).
    public var jitter: UInt32 { jitterScaled >> 4 }

    // MARK: - Input

    /// Handles a received RTP packet of this stream.
    ///
    /// - Parameters:
    ///   - isRetransmission: the packet was recovered through RTX (left out of the jitter).
    /// - Returns: whether the packet is valid per §A.1 (false during probation and for a jump
    ///   that is not confirmed yet).
    @discardableResult
    public mutating func handlePacket(
        sequenceNumber: SequenceNumber, timestamp: UInt32, payloadLength: Int,
        isRetransmission: Bool = false, now: Instant
    ) -> Bool {
        packetsHandled &+= 1
        lastPacketAt = now
        let seq = sequenceNumber.rawValue
        if !started {
            started = true
            initSequence(seq)
            if probation == 0 {
                // Valid at once. (§A.1's max_seq = seq − 1 start would count a false cycle
                // for a first sequence number of 0 without probation.)
                received = 1
            } else {
                maxSeq = seq &- 1
                probationLeft = probation
                guard updateSequence(seq) else { return false }
            }
        } else if !updateSequence(seq) {
            return false
        }
        payloadBytesReceived &+= UInt64(max(payloadLength, 0))
        if !isRetransmission { updateJitter(timestamp: timestamp, now: now) }
        return true
    }

    /// Handles a received RTP packet given its parsed header.
    @discardableResult
    public mutating func handlePacket(
        _ header: RTPHeader, isRetransmission: Bool = false, now: Instant
    ) -> Bool {
        handlePacket(sequenceNumber: header.sequenceNumber, timestamp: header.timestamp,
                     payloadLength: header.payloadLength, isRetransmission: isRetransmission, now: now)
    }

    /// Records a sender report from this source, for LSR and DLSR.
    public mutating func handleSenderReport(ntpTime: UInt64, now: Instant) {
        lastSR = UInt32(truncatingIfNeeded: ntpTime >> 16)
        lastSRAt = now
    }

    /// Records a sender report from this source, for LSR and DLSR.
    public mutating func handle(senderReport: SenderReport, now: Instant) {
        handleSenderReport(ntpTime: senderReport.ntpTime, now: now)
    }

    // MARK: - Report

    /// The reception report block for this source at `now`, starting a new interval for the
    /// fraction lost (§A.3). Nil until the source is valid.
    public mutating func receptionReport(now: Instant) -> ReceptionReport? {
        guard isValid else { return nil }
        let exp = expected
        let expectedInterval = exp &- expectedPrior
        expectedPrior = exp
        let receivedInterval = Int64(truncatingIfNeeded: received &- receivedPrior)
        receivedPrior = received
        let lostInterval = expectedInterval &- receivedInterval
        var fraction: UInt8 = 0
        if expectedInterval > 0 && lostInterval > 0 {
            // lostInterval ≤ expectedInterval, so the quotient is at most 256; 256 only when
            // nothing at all was received, reported as 255.
            fraction = UInt8(clamping: (lostInterval << 8) / expectedInterval)
        }
        var dlsr: UInt32 = 0
        if let at = lastSRAt { dlsr = NTPClock.compact(now - at) }
        return ReceptionReport(
            ssrc: ssrc, fractionLost: fraction, cumulativeLost: cumulativeLost,
            extendedHighestSequence: extendedHighestSequence, jitter: jitter,
            lastSenderReport: lastSR, delaySinceLastSenderReport: lastSRAt == nil ? 0 : dlsr)
    }

    // MARK: - RFC 3550 §A.1, §A.8

    private mutating func initSequence(_ seq: UInt16) {
        baseSeq = UInt32(seq)
        maxSeq = seq
        badSeq = Self.sequenceModulus &+ 1
        cycles = 0
        received = 0
        receivedPrior = 0
        expectedPrior = 0
        transit = nil
    }

    private mutating func updateSequence(_ seq: UInt16) -> Bool {
        let udelta = seq &- maxSeq
        if probationLeft > 0 {
            if seq == maxSeq &+ 1 {
                probationLeft &-= 1
                maxSeq = seq
                if probationLeft == 0 {
                    initSequence(seq)
                    received &+= 1
                    return true
                }
            } else {
                probationLeft = max(probation &- 1, 0)
                maxSeq = seq
            }
            return false
        } else if udelta < Self.maxDropout {
            // In order, with a permissible gap.
            if seq < maxSeq { cycles &+= UInt64(Self.sequenceModulus) }
            maxSeq = seq
        } else if UInt32(udelta) <= Self.sequenceModulus &- UInt32(Self.maxMisorder) {
            // A very large jump: a restart if the next packet follows it.
            if UInt32(seq) == badSeq {
                initSequence(seq)
            } else {
                badSeq = (UInt32(seq) &+ 1) & (Self.sequenceModulus &- 1)
                return false
            }
        }
        // Else: a duplicate or a reordered packet.
        received &+= 1
        return true
    }

    private mutating func updateJitter(timestamp: UInt32, now: Instant) {
        let arrival = RTPTicks.wrappingTicks(now, clockRate: clockRate)
        let t = arrival &- timestamp
        defer { transit = t }
        guard let previous = transit else { return }
        // Clamped so that the scaled jitter (converging to 16 × |D|) stays below 2^31 even
        // for hostile timestamps.
        let d = min(Int32(bitPattern: t &- previous).magnitude, 0x07FF_FFFF)
        // J += (|D| − J) / 16, kept scaled by 16 (§A.8).
        jitterScaled = jitterScaled &+ d &- ((jitterScaled &+ 8) >> 4)
    }
}
