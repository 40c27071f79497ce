import Testing
@testable import RTCCore

@Suite struct NackGeneratorTests {
    typealias S = StreamsTestSupport

    func generator(_ c: NackGeneratorConfiguration = NackGeneratorConfiguration()) -> NackGenerator {
        NackGenerator(senderSSRC: SSRC(1), mediaSSRC: SSRC(2), configuration: c)
    }

    func receive(_ g: inout NackGenerator, _ seqs: [UInt16], at t: Int64, keyframe: UInt16? = nil) {
        for s in seqs { g.handlePacket(SequenceNumber(s), isKeyframe: s == keyframe, now: S.ms(t)) }
    }

    /// All NACKed sequence numbers currently queued, in order, message by message.
    func drain(_ g: inout NackGenerator) -> [[UInt16]] {
        var out: [[UInt16]] = []
        while let o = g.pollOutput() {
            if let s = S.nackSequences(o) { out.append(s) } else { out.append([]) }
        }
        return out
    }

    @Test func gapIsNackedAtOnceWithTheRightPair() throws {
        var g = generator()
        receive(&g, [1, 2, 5], at: 0)
        let polled = g.pollOutput()
        let o = try #require(polled)
        guard case .nack(let n) = o else { Issue.record("expected a NACK"); return }
        #expect(n.senderSSRC == SSRC(1) && n.mediaSSRC == SSRC(2))
        #expect(n.pairs == [NackPair(packetID: SequenceNumber(3), lostBitmask: 0b1)])
        let none = g.pollOutput()
        #expect(none == nil)
        #expect(g.nextTimeout()! == (S.ms(100), .nack), "default RTT spacing")
        #expect(g.missingSequenceNumbers == [SequenceNumber(3), SequenceNumber(4)])
        // The wire bytes: PT=205 FMT=1, length 3, SSRCs, PID 3 BLP 0x0001.
        var bytes = [UInt8](repeating: 0, count: n.marshalSize)
        try bytes.withUnsafeMutableBytes { raw in
            var w = ByteWriter(raw, format: .rtcp)
            try n.write(to: &w)
        }
        #expect(bytes == S.hex("81 cd 00 03  00 00 00 01  00 00 00 02  00 03 00 01"))
    }

    @Test func retriesAreSpacedByRTTUntilRecovered() {
        var g = generator()
        receive(&g, [1, 2, 5], at: 0)
        #expect(drain(&g) == [[3, 4]])
        g.handleTimeout(now: S.ms(99))
        #expect(drain(&g).isEmpty, "early timer: nothing due")
        g.handleTimeout(now: S.ms(100))
        #expect(drain(&g) == [[3, 4]])
        g.handlePacket(SequenceNumber(3), isRetransmission: true, now: S.ms(150))
        #expect(g.statistics.recovered == 1 && g.statistics.recoveredByRetransmission == 1)
        g.roundTripTime = .milliseconds(30)
        g.handleTimeout(now: S.ms(200))
        #expect(drain(&g) == [[4]])
        #expect(g.nextTimeout()!.0 == S.ms(230))
        g.roundTripTime = .milliseconds(1)
        g.handleTimeout(now: S.ms(230))
        #expect(drain(&g) == [[4]])
        #expect(g.nextTimeout()!.0 == S.ms(240), "minimum retry interval 10 ms")
        g.handlePacket(SequenceNumber(4), now: S.ms(235))
        #expect(g.nextTimeout() == nil && g.missingCount == 0)
        #expect(g.statistics.messagesSent == 4 && g.statistics.sequenceNumbersRequested == 6)
    }

    @Test func givesUpAfterMaxRetries() {
        var g = generator(NackGeneratorConfiguration(maxRetries: 3))
        receive(&g, [10, 12], at: 0)
        var sent: [Int64] = []
        var t: Int64 = 0
        while let (due, _) = g.nextTimeout() {
            t = (due.nanoseconds / 1_000_000)
            g.handleTimeout(now: due)
            if !drain(&g).isEmpty { sent.append(t) }
            if t > 10_000 { break }
        }
        #expect(sent == [100, 200], "the first NACK went out at 0 ms on arrival")
        #expect(t == 300, "abandoned one interval after the last NACK")
        #expect(g.statistics.abandoned == 1 && g.missingCount == 0)
        // It arrives after all: not counted as recovered.
        g.handlePacket(SequenceNumber(11), now: S.ms(400))
        #expect(g.statistics.recovered == 0)
    }

    @Test func reorderingDelayAvoidsNackingReorderedPackets() {
        var g = generator(NackGeneratorConfiguration(reorderingDelay: .milliseconds(20)))
        receive(&g, [1, 3], at: 0)
        #expect(drain(&g).isEmpty)
        #expect(g.nextTimeout()!.0 == S.ms(20))
        receive(&g, [2], at: 5)
        #expect(g.nextTimeout() == nil && g.statistics.recovered == 1)
        receive(&g, [5], at: 30)
        g.handleTimeout(now: S.ms(50))
        #expect(drain(&g) == [[4]])
    }

    @Test func gapAcrossTheWrap() {
        var g = generator()
        receive(&g, [65534, 65535, 2], at: 0)
        #expect(drain(&g) == [[0, 1]])
        receive(&g, [0], at: 1)
        #expect(g.missingSequenceNumbers == [SequenceNumber(1)])
    }

    @Test func duplicatesAndOldPacketsChangeNothing() {
        var g = generator()
        receive(&g, [1, 2, 2, 1, 4, 4], at: 0)
        #expect(drain(&g) == [[3]])
        #expect(g.statistics.recovered == 0 && g.missingCount == 1)
    }

    @Test func oneJumpLargerThanTheListAsksForAKeyframe() {
        var g = generator(NackGeneratorConfiguration(maxListSize: 100))
        receive(&g, [1, 3], at: 0)
        #expect(drain(&g) == [[2]])
        receive(&g, [200], at: 10)
        let first = g.pollOutput()
        let second = g.pollOutput()
        #expect(first == .keyframeRequest)
        #expect(second == nil && g.missingCount == 0 && g.nextTimeout() == nil)
        #expect(g.statistics.keyframeRequests == 1 && g.statistics.abandoned == 1 + 196)
    }

    @Test func overflowCutsBackToAKeyframe() {
        var g = generator(NackGeneratorConfiguration(maxListSize: 10))
        receive(&g, [1, 6], at: 0)              // 2...5 missing
        #expect(drain(&g) == [[2, 3, 4, 5]])
        receive(&g, [7], at: 1, keyframe: 7)    // a keyframe starts at 7
        receive(&g, [15], at: 2)                // 8...14 missing: 11 in all
        #expect(g.missingSequenceNumbers.map(\.rawValue) == Array(8...14))
        #expect(drain(&g) == [Array(8...14)], "no keyframe request: the keyframe made 2...5 useless")
        #expect(g.statistics.keyframeRequests == 0 && g.statistics.abandoned == 4)
    }

    @Test func overflowWithoutAKeyframeClearsAndAsks() {
        var g = generator(NackGeneratorConfiguration(maxListSize: 10))
        receive(&g, [1, 7], at: 0)
        receive(&g, [14], at: 1)
        let outs = drain(&g)
        #expect(outs == [[2, 3, 4, 5, 6], []], "second output is the keyframe request")
        #expect(g.missingCount == 0 && g.statistics.keyframeRequests == 1)
    }

    @Test func forgetsLossesTooFarBehind() {
        var g = generator(NackGeneratorConfiguration(maxPacketAge: 10))
        receive(&g, [1, 3], at: 0)
        receive(&g, [20], at: 1)
        #expect(g.missingSequenceNumbers.map(\.rawValue) == Array(10...19))
        #expect(g.statistics.abandoned == 1 + 6)
    }

    @Test func forgetsLossesTooOldInTime() {
        var g = generator(NackGeneratorConfiguration(defaultRTT: .seconds(1), maxLossAge: .milliseconds(1500)))
        receive(&g, [1, 3], at: 0)
        #expect(drain(&g) == [[2]])
        g.handleTimeout(now: S.ms(1000))
        #expect(drain(&g) == [[2]])
        g.handleTimeout(now: S.ms(2000))
        #expect(drain(&g).isEmpty && g.missingCount == 0 && g.statistics.abandoned == 1)
    }

    @Test func splitsLongListsIntoSeveralMessages() {
        var g = generator(NackGeneratorConfiguration(maxPairsPerMessage: 2))
        // Losses 2, 20, 40, 60, 80: one pair each (more than 16 apart).
        var seqs: [UInt16] = [1]
        for s: UInt16 in 3...81 where ![20, 40, 60, 80].contains(s) { seqs.append(s) }
        receive(&g, seqs, at: 0)
        #expect(g.missingCount == 5)
        // Each gap was NACKed as it appeared; wait for the retry to see them together.
        _ = drain(&g)
        g.handleTimeout(now: S.ms(100))
        #expect(drain(&g) == [[2, 20], [40, 60], [80]])
    }

    @Test func noRetriesMeansNoTracking() {
        var g = generator(NackGeneratorConfiguration(maxRetries: 0))
        receive(&g, [1, 5], at: 0)
        let polled = g.pollOutput()
        #expect(polled == nil && g.missingCount == 0 && g.nextTimeout() == nil)
    }

    /// A lossy, reordering path driven by seeded randomness: NACKs never name a packet that
    /// was received before the NACK went out; every loss is eventually recovered or
    /// abandoned; retransmissions arrive after the RTT.
    @Test(arguments: 0..<6)
    func lossyPath(seed: UInt64) {
        var rng = SeededRandom(seed: 0xBAD_9A7 &+ seed)
        var g = generator(NackGeneratorConfiguration(maxRetries: 8))
        g.roundTripTime = .milliseconds(60)
        var received = Set<UInt16>()
        var inFlight: [(due: Int64, seq: UInt16, rtx: Bool)] = []
        var seq = UInt16(truncatingIfNeeded: rng.next())
        var now: Int64 = 0
        var requested = 0

        func poll(at t: Int64) {
            while let o = g.pollOutput() {
                guard let seqs = S.nackSequences(o) else { continue }
                for s in seqs {
                    #expect(!received.contains(s))
                    requested += 1
                    // The retransmission arrives one RTT later, unless lost again (30%).
                    if rng.next() % 100 >= 30 { inFlight.append((t + 60, s, true)) }
                }
            }
        }

        for _ in 0..<3000 {
            now += 5
            if rng.next() % 100 >= 8 {
                // Delivered with 0–30 ms of jitter (reordering).
                inFlight.append((now + Int64(rng.next() % 30), seq, false))
            }
            seq &+= 1
            inFlight.sort { $0.due < $1.due }
            while let f = inFlight.first, f.due <= now {
                inFlight.removeFirst()
                received.insert(f.seq)
                g.handlePacket(SequenceNumber(f.seq), isRetransmission: f.rtx, now: S.ms(f.due))
                poll(at: f.due)
            }
            g.handleTimeout(now: S.ms(now))
            poll(at: now)
        }
        let st = g.statistics
        #expect(st.recoveredByRetransmission > 50)
        #expect(st.recovered > st.recoveredByRetransmission, "reordered packets too")
        #expect(g.missingCount < 40, "only recent losses still tracked")
        #expect(st.sequenceNumbersRequested == requested)
    }
}
