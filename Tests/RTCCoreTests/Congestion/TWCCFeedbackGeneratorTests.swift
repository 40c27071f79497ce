import Testing
@testable import RTCCore

@Suite struct TWCCFeedbackGeneratorTests {
    typealias S = CongestionTestSupport

    func generator(maxPacketSize: Int = 1200) -> TWCCFeedbackGenerator {
        TWCCFeedbackGenerator(senderSSRC: SSRC(1), mediaSSRC: SSRC(2), maxPacketSize: maxPacketSize)
    }

    func drain(_ g: inout TWCCFeedbackGenerator) -> [TransportWideCongestionControl] {
        var out: [TransportWideCongestionControl] = []
        while let f = g.pollFeedback() { out.append(f) }
        return out
    }

    @Test func reportsInOrderWithGapsAndReordering() {
        var g = generator()
        #expect(g.nextTimeout() == nil)
        for (seq, ms) in [(UInt16(0), Int64(10)), (1, 11), (2, 12), (4, 14), (3, 15), (6, 17)] {
            g.onPacketReceived(sequenceNumber: seq, arrivalTime: S.ms(ms))
        }
        #expect(g.nextTimeout()! == (S.ms(60), .transportFeedback))
        g.handleTimeout(now: S.ms(59))
        #expect(drain(&g).isEmpty)
        g.handleTimeout(now: S.ms(60))
        let f = drain(&g)
        #expect(f.count == 1)
        #expect(f[0].baseSequenceNumber == SequenceNumber(0) && f[0].packetStatusCount == 7)
        #expect(f[0].feedbackPacketCount == 0)
        let r = f[0].packetResults()
        #expect(r.map(\.arrivalMicroseconds) == [10_000, 11_000, 12_000, 15_000, 14_000, nil, 17_000])
        #expect(g.nextTimeout() == nil)
        // Next interval: 5 arrives late (already reported lost), 7 and 8 are new.
        g.onPacketReceived(sequenceNumber: 5, arrivalTime: S.ms(70))
        g.onPacketReceived(sequenceNumber: 8, arrivalTime: S.ms(71))
        g.onPacketReceived(sequenceNumber: 8, arrivalTime: S.ms(72))
        #expect(g.stats.lateArrivals == 1 && g.stats.duplicates == 1)
        #expect(g.nextTimeout()!.0 == S.ms(110))
        g.handleTimeout(now: S.ms(110))
        let f2 = drain(&g)
        #expect(f2.count == 1 && f2[0].feedbackPacketCount == 1)
        #expect(f2[0].packetResults().map(\.sequenceNumber.rawValue) == [7, 8])
        #expect(f2[0].packetResults().map(\.isReceived) == [false, true])
    }

    @Test func sequenceNumbersWrap() {
        var g = generator()
        for (i, s) in [UInt16(65534), 65535, 0, 1].enumerated() {
            g.onPacketReceived(sequenceNumber: s, arrivalTime: S.ms(Int64(i)))
        }
        g.flush(now: S.ms(10))
        let f = drain(&g)
        #expect(f.count == 1 && f[0].baseSequenceNumber == SequenceNumber(65534) && f[0].packetStatusCount == 4)
    }

    @Test func largeReportsAreSplitWithoutLosingStatuses() {
        var g = generator(maxPacketSize: 64)
        var expected: [TWCCPacketResult] = []
        var arrival: Int64 = 1_000_000
        for i in 0..<300 {
            arrival += Int64((i * 7919) % 40 + 1) * 250   // varied deltas: vector chunks
            if i % 3 == 1 {
                expected.append(TWCCPacketResult(sequenceNumber: SequenceNumber(UInt16(i)), arrivalMicroseconds: nil))
                continue
            }
            g.onPacketReceived(sequenceNumber: UInt16(i), arrivalTime: S.us(arrival))
            expected.append(TWCCPacketResult(sequenceNumber: SequenceNumber(UInt16(i)), arrivalMicroseconds: arrival))
        }
        g.flush(now: S.ms(2000))
        let f = drain(&g)
        #expect(f.count > 3)
        #expect(f.map(\.feedbackPacketCount) == (0..<f.count).map { UInt8($0) })
        // Every packet fits the cap once written.
        #expect(f.allSatisfy { $0.marshalSize <= 64 })
        #expect(f.flatMap { $0.packetResults() } == expected)
    }

    @Test func aHugeJumpRestartsTheWindow() {
        var g = generator()
        g.onPacketReceived(sequenceNumber: 0, arrivalTime: S.ms(0))
        g.flush(now: S.ms(1))
        _ = drain(&g)
        g.onPacketReceived(sequenceNumber: 10_000, arrivalTime: S.ms(2))
        g.flush(now: S.ms(3))
        let f = drain(&g)
        #expect(f.count == 1 && f[0].packetStatusCount == 1 && f[0].baseSequenceNumber == SequenceNumber(10_000))
        #expect(g.stats.skipped == 9_999)
    }
}
