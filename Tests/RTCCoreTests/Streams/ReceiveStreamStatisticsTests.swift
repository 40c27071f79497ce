import Testing
@testable import RTCCore

@Suite struct ReceiveStreamStatisticsTests {
    typealias S = StreamsTestSupport

    func report(_ st: inout ReceiveStreamStatistics, _ t: Instant) throws -> ReceptionReport {
        let r = st.receptionReport(now: t)
        return try #require(r)
    }

    /// Instants from 1000 s on, so that the arrival clock starts far from zero.
    static func at(_ ms: Int64) -> Instant { Instant(nanoseconds: 1_000_000_000_000 + ms * 1_000_000) }

    func feed(_ st: inout ReceiveStreamStatistics, _ seqs: [UInt16], ts: UInt32 = 0, at t: Int64 = 0) -> [Bool] {
        seqs.map { st.handlePacket(sequenceNumber: SequenceNumber($0), timestamp: ts, payloadLength: 100, now: Self.at(t)) }
    }

    /// RFC 3550 §A.8, by hand: 8 kHz clock, 20 ms packets (160 ticks), one arriving 5 ms late.
    ///
    /// ```
    ///  arrival ms  0     20    45    60    80
    ///  arrival     0     160   360   480   640     (ticks)
    ///  timestamp   0     160   320   480   640
    ///  transit     0     0     40    0     0
    ///  |D|         -     0     40    40    0
    ///  J×16        0     0     40    77    72      J += |D| − (J + 8) >> 4
    ///  J           0     0     2     4     4       (J×16) >> 4
    /// ```
    @Test func jitterByHand() {
        var st = ReceiveStreamStatistics(ssrc: SSRC(9), clockRate: 8000)
        let arrivals: [Int64] = [0, 20, 45, 60, 80]
        var jitters: [UInt32] = []
        for (i, a) in arrivals.enumerated() {
            st.handlePacket(sequenceNumber: SequenceNumber(UInt16(i)), timestamp: UInt32(i) * 160,
                            payloadLength: 160, now: Self.at(a))
            jitters.append(st.jitter)
        }
        #expect(jitters == [0, 0, 2, 4, 4])
    }

    @Test func retransmissionsAreLeftOutOfTheJitter() {
        var st = ReceiveStreamStatistics(ssrc: SSRC(9), clockRate: 8000)
        st.handlePacket(sequenceNumber: SequenceNumber(0), timestamp: 0, payloadLength: 1, now: Self.at(0))
        st.handlePacket(sequenceNumber: SequenceNumber(2), timestamp: 320, payloadLength: 1, now: Self.at(40))
        // Packet 1 retransmitted 500 ms late.
        st.handlePacket(sequenceNumber: SequenceNumber(1), timestamp: 160, payloadLength: 1,
                        isRetransmission: true, now: Self.at(540))
        #expect(st.jitter == 0 && st.packetsReceived == 3 && st.cumulativeLost == 0)
    }

    /// The integer §A.8 form tracks the floating-point definition J += (|D| − J) / 16.
    @Test(arguments: 0..<4)
    func jitterMatchesTheDefinition(seed: UInt64) {
        var rng = SeededRandom(seed: 0x1177 &+ seed)
        var st = ReceiveStreamStatistics(ssrc: SSRC(1), clockRate: 90_000)
        var j = 0.0
        var lastTransit: Double?
        var ts: UInt32 = UInt32(truncatingIfNeeded: rng.next())
        var sendMs: Int64 = 0
        for i in 0..<2000 {
            sendMs += 33
            ts &+= 2970
            let delayUs = Int64(rng.next() % 40_000)  // 0–40 ms network delay
            let arrivalNs = sendMs * 1_000_000 + delayUs * 1000
            let now = Instant(nanoseconds: 5_000_000_000 + arrivalNs)
            st.handlePacket(sequenceNumber: SequenceNumber(UInt16(truncatingIfNeeded: i)), timestamp: ts,
                            payloadLength: 1000, now: now)
            let arrivalTicks = Double(RTPTicks.wrappingTicks(now, clockRate: 90_000))
            let transit = arrivalTicks - Double(ts)
            if let l = lastTransit {
                var d = (transit - l).truncatingRemainder(dividingBy: 4_294_967_296)
                if d > 2_147_483_648 { d -= 4_294_967_296 }
                if d < -2_147_483_648 { d += 4_294_967_296 }
                j += (abs(d) - j) / 16
            }
            lastTransit = transit
            #expect(abs(Double(st.jitter) - j) <= 1.5, "packet \(i): \(st.jitter) vs \(j)")
        }
        #expect(st.jitter > 500)
    }

    /// RFC 3550 §A.3 by hand: 1…10 without 4 and 7, then 11…20, then duplicates.
    @Test func lossAndFractionByHand() throws {
        var st = ReceiveStreamStatistics(ssrc: SSRC(0x0102_0304), clockRate: 90_000)
        let none = st.receptionReport(now: Self.at(0))
        #expect(none == nil, "nothing received yet")
        _ = feed(&st, [1, 2, 3, 5, 6, 8, 9, 10])
        var r = try report(&st, Self.at(0))
        // expected 10, received 8: lost 2, fraction (2 << 8) / 10 = 51.
        #expect(r.fractionLost == 51 && r.cumulativeLost == 2 && r.extendedHighestSequence == 10)
        #expect(st.expected == 10)
        _ = feed(&st, Array(11...20))
        r = try report(&st, Self.at(0))
        #expect(r.fractionLost == 0 && r.cumulativeLost == 2 && r.extendedHighestSequence == 20)
        _ = feed(&st, [20, 20, 21, 22, 23, 24, 25])
        r = try report(&st, Self.at(0))
        // Interval: expected 5, received 7 → lost −2 → fraction 0; cumulative 2 − 2 = 0.
        #expect(r.fractionLost == 0 && r.cumulativeLost == 0)
        _ = feed(&st, [25, 25, 25])
        r = try report(&st, Self.at(0))
        #expect(r.fractionLost == 0 && r.cumulativeLost == -3, "duplicates make it negative (§6.4.1)")
        // Half of an interval lost: 26, 28, 30, 32 received of 26…32 (7 expected, 3 lost).
        _ = feed(&st, [26, 28, 30, 32])
        r = try report(&st, Self.at(0))
        #expect(r.fractionLost == UInt8((3 << 8) / 7) && r.cumulativeLost == 0)
    }

    /// The block the statistics produce, as bytes (RFC 3550 §6.4.1 layout).
    @Test func reportBlockBytes() throws {
        var st = ReceiveStreamStatistics(ssrc: SSRC(0x0102_0304), clockRate: 8000)
        for (i, seq) in [1, 2, 3, 5, 6, 8, 9, 10].enumerated() {
            st.handlePacket(sequenceNumber: SequenceNumber(UInt16(seq)), timestamp: UInt32(seq) * 160,
                            payloadLength: 160, now: Self.at(Int64(seq) * 20 + (i == 2 ? 5 : 0)))
        }
        st.handleSenderReport(ntpTime: 0xAAAA_BBBB_CCCC_DDDD, now: Self.at(100))
        let r = try report(&st, Self.at(1600))
        var bytes = [UInt8](repeating: 0, count: ReceptionReport.size)
        try bytes.withUnsafeMutableBytes { raw in
            var w = ByteWriter(raw, format: .rtcp)
            try r.write(to: &w)
        }
        // Jitter (§A.8): transits 0 0 40 0 0 0 0 0 (seq 3 arrives 5 ms = 40 ticks late), so
        // |D| = 0 40 40 0 0 0 0 and J×16 = 0 40 77 72 67 63 59: J = 59 >> 4 = 3.
        #expect(bytes == S.hex("""
            01 02 03 04   # SSRC of the source
            33            # fraction lost 51/256 (2 of 10)
            00 00 02      # cumulative lost 2
            00 00 00 0a   # extended highest sequence number 10
            00 00 00 03   # interarrival jitter 3
            bb bb cc cc   # LSR: middle 32 bits of the SR's NTP time
            00 01 80 00   # DLSR: 1.5 s × 65536
            """))
    }

    @Test func sequenceWrapCountsCycles() throws {
        var st = ReceiveStreamStatistics(ssrc: SSRC(1), clockRate: 90_000)
        _ = feed(&st, [65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3, 4, 5])
        let r = try report(&st, Self.at(0))
        #expect(r.extendedHighestSequence == 65536 + 5 && r.cumulativeLost == 0 && st.expected == 12)
        // A reordered packet from before the wrap does not move the cycle count.
        _ = feed(&st, [65533])
        #expect(st.extendedHighestSequence == 65541 && st.cumulativeLost == -1)
    }

    struct ValidationCase: CustomStringConvertible, Sendable {
        var name: String
        var probation: Int
        var seqs: [UInt16]
        var valid: [Bool]
        var extendedHighest: UInt32
        var expected: Int64
        var lost: Int32
        var description: String { name }
    }

    /// RFC 3550 §A.1 decisions (MAX_DROPOUT 3000, MAX_MISORDER 100, MIN_SEQUENTIAL).
    static let validation: [ValidationCase] = [
        ValidationCase(name: "stray jump is ignored", probation: 0, seqs: [100, 101, 5000, 102],
                       valid: [true, true, false, true], extendedHighest: 102, expected: 3, lost: 0),
        ValidationCase(name: "two sequential packets after a jump restart the source", probation: 0,
                       seqs: [100, 101, 5000, 5001, 5002], valid: [true, true, false, true, true],
                       extendedHighest: 5002, expected: 2, lost: 0),
        ValidationCase(name: "gap just under MAX_DROPOUT is in order", probation: 0, seqs: [100, 3099],
                       valid: [true, true], extendedHighest: 3099, expected: 3000, lost: 2998),
        ValidationCase(name: "gap of MAX_DROPOUT is a jump", probation: 0, seqs: [100, 3100],
                       valid: [true, false], extendedHighest: 100, expected: 1, lost: 0),
        ValidationCase(name: "misordered within MAX_MISORDER counts", probation: 0, seqs: [100, 101, 2],
                       valid: [true, true, true], extendedHighest: 101, expected: 2, lost: -1),
        ValidationCase(name: "misordered by MAX_MISORDER is a jump", probation: 0, seqs: [101, 1],
                       valid: [true, false], extendedHighest: 101, expected: 1, lost: 0),
        ValidationCase(name: "first sequence number 0 is no cycle", probation: 0, seqs: [0, 1, 65535],
                       valid: [true, true, true], extendedHighest: 1, expected: 2, lost: -1),
        ValidationCase(name: "probation: the second sequential packet is the base", probation: 2,
                       seqs: [10, 11, 12], valid: [false, true, true], extendedHighest: 12, expected: 2, lost: 0),
        ValidationCase(name: "probation restarts on a non-sequential packet", probation: 2,
                       seqs: [10, 20, 21, 23], valid: [false, false, true, true], extendedHighest: 23,
                       expected: 3, lost: 1),
        ValidationCase(name: "probation across the wrap", probation: 3, seqs: [65534, 65535, 0, 1],
                       valid: [false, false, true, true], extendedHighest: 1, expected: 2, lost: 0),
    ]

    @Test(arguments: validation)
    func sequenceValidation(_ c: ValidationCase) {
        var st = ReceiveStreamStatistics(ssrc: SSRC(1), clockRate: 90_000, probation: c.probation)
        let valid = feed(&st, c.seqs)
        #expect(valid == c.valid)
        #expect(st.extendedHighestSequence == c.extendedHighest)
        #expect(st.expected == c.expected)
        #expect(st.cumulativeLost == c.lost)
    }

    @Test func cumulativeLossClampsTo24Bits() {
        var st = ReceiveStreamStatistics(ssrc: SSRC(1), clockRate: 90_000)
        var seq: UInt16 = 0
        for _ in 0..<2801 {
            st.handlePacket(sequenceNumber: SequenceNumber(seq), timestamp: 0, payloadLength: 0, now: Self.at(0))
            seq &+= 2999
        }
        // 2800 steps lose 2998 each: 8,394,400 > 2^23 − 1.
        #expect(st.cumulativeLost == 0x7F_FFFF)
        #expect(st.expected == 2800 * 2999 + 1)
    }

    @Test func noSenderReportMeansZeroLSR() throws {
        var st = ReceiveStreamStatistics(ssrc: SSRC(1), clockRate: 90_000)
        _ = feed(&st, [1])
        let r = try report(&st, Self.at(5000))
        #expect(r.lastSenderReport == 0 && r.delaySinceLastSenderReport == 0)
        st.handle(senderReport: SenderReport(ssrc: SSRC(1), ntpTime: 0x0000_1234_5678_0000), now: Self.at(5000))
        let r2 = try report(&st, Self.at(5250))
        #expect(r2.lastSenderReport == 0x1234_5678 && r2.delaySinceLastSenderReport == 16384)
    }

    @Test func countersAndHeaderOverload() throws {
        var st = ReceiveStreamStatistics(ssrc: SSRC(1), clockRate: 90_000)
        let bytes = S.packet(seq: 7, ts: 99, payload: [1, 2, 3, 4, 5])
        let h = try bytes.withUnsafeBytes { try RTPHeader.parse($0) }
        let valid = st.handlePacket(h, now: Self.at(3))
        #expect(valid)
        #expect(st.payloadBytesReceived == 5 && st.packetsHandled == 1 && st.lastPacketAt == Self.at(3))
        #expect(st.isValid)
    }

    /// Hostile input (random sequence numbers and timestamps) never traps and keeps the
    /// values in range.
    @Test func randomInputNeverTraps() {
        var rng = SeededRandom(seed: 0xF022)
        var st = ReceiveStreamStatistics(ssrc: SSRC(1), clockRate: 90_000, probation: 1)
        for i in 0..<20000 {
            st.handlePacket(sequenceNumber: SequenceNumber(UInt16(truncatingIfNeeded: rng.next())),
                            timestamp: UInt32(truncatingIfNeeded: rng.next()), payloadLength: Int(rng.next() % 2000),
                            isRetransmission: rng.next() % 10 == 0,
                            now: Instant(nanoseconds: Int64(bitPattern: rng.next())))
            if i % 100 == 0 {
                if let r = st.receptionReport(now: Instant(nanoseconds: Int64(bitPattern: rng.next()))) {
                    #expect(ReceptionReport.cumulativeLostRange.contains(r.cumulativeLost))
                }
                st.handleSenderReport(ntpTime: rng.next(), now: Instant(nanoseconds: Int64(bitPattern: rng.next())))
            }
        }
        #expect(st.jitter < 1 << 28)
    }
}
