import Testing
@testable import RTCCore

@Suite struct PacketGroupDeltaTests {
    typealias S = CongestionTestSupport

    /// (send ms, arrival ms) → the deltas (send ms, arrival ms) it yields.
    func deltas(_ packets: [(Int64, Int64)]) -> [(Int64, Int64)] {
        var g = PacketGroupDelta()
        var out: [(Int64, Int64)] = []
        for (s, a) in packets {
            if let d = g.add(sendTime: S.ms(s), arrivalTime: S.ms(a), size: 100) {
                out.append((d.sendDelta.rtcNanoseconds / 1_000_000, d.arrivalDelta.rtcNanoseconds / 1_000_000))
            }
        }
        return out
    }

    @Test func groupsBySendTimeBursts() {
        // Groups {0,1,2} {10,11} {20} {30}: deltas of the last packets 11−2, 20−11.
        let d = deltas([(0, 50), (1, 51), (2, 52), (10, 60), (11, 63), (20, 75), (30, 85)])
        #expect(d.map(\.0) == [9, 9])
        #expect(d.map(\.1) == [11, 12])
    }

    @Test func queuedBurstJoinsTheGroup() {
        // 10 ms apart when sent, 1 ms apart on arrival (queued behind the first): one group.
        let d = deltas([(0, 30), (10, 31), (20, 45), (30, 55)])
        #expect(d.map(\.0) == [10])
        #expect(d.map(\.1) == [14])
    }

    @Test func reorderedPacketsAreIgnoredAndClockJumpsReset() {
        // 5 was sent before the group at 10 started: ignored.
        #expect(deltas([(0, 10), (10, 20), (5, 21), (20, 30), (30, 40)]).map(\.1) == [10, 10])
        // The arrival clock jumps back: that delta is dropped and grouping restarts.
        var g = PacketGroupDelta()
        for (s, a) in [(Int64(0), Int64(1000)), (10, 1010), (20, 1020), (30, 5)] {
            _ = g.add(sendTime: S.ms(s), arrivalTime: S.ms(a), size: 1)
        }
        _ = g.add(sendTime: S.ms(40), arrivalTime: S.ms(15), size: 1)
        #expect(g.resets == 1)
    }
}

@Suite struct TrendlineFilterTests {
    @Test func steadyGrowthGivesItsSlope() {
        var t = TrendlineFilter()
        // Each 10 ms group arrives 1 ms later than sent: delay grows 0.1 ms per ms.
        for i in 1...200 { t.update(sendDeltaMs: 10, arrivalDeltaMs: 11, arrivalTimeMs: Double(i) * 11) }
        #expect(abs(t.slope - 1.0 / 11) < 0.002)
        #expect(abs(t.modifiedTrend - 60 * 4 / 11.0) < 0.5)
    }

    @Test func noVariationNoTrendAndWindowMustFill() {
        var t = TrendlineFilter()
        for i in 1...19 { t.update(sendDeltaMs: 10, arrivalDeltaMs: 15, arrivalTimeMs: Double(i) * 15) }
        #expect(t.slope == 0)   // 19 samples: the window of 20 is not full yet
        var u = TrendlineFilter()
        for i in 1...100 { u.update(sendDeltaMs: 10, arrivalDeltaMs: 10, arrivalTimeMs: Double(i) * 10) }
        #expect(u.slope == 0 && u.modifiedTrend == 0)
    }

    @Test func nonFiniteInputIsIgnored() {
        var t = TrendlineFilter()
        t.update(sendDeltaMs: .nan, arrivalDeltaMs: 1, arrivalTimeMs: 1)
        t.update(sendDeltaMs: 1, arrivalDeltaMs: .infinity, arrivalTimeMs: 1)
        #expect(t.sampleCount == 0)
    }
}

@Suite struct OveruseDetectorTests {
    typealias S = CongestionTestSupport

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var trends: [Double]       // modified trend per sample, 5 ms send delta each
        var raw: [Double]          // raw trend per sample
        var states: [BandwidthUsage]
        var description: String { name }
    }

    static let cases: [Case] = [
        // time over: 2.5, 7.5, 12.5 (> 10 on the third sample, count 3 > 1).
        Case(name: "sustained overuse fires on the third sample", trends: [20, 20, 20, 20],
             raw: [1, 1, 1, 1], states: [.normal, .normal, .overusing, .overusing]),
        Case(name: "a falling raw trend does not fire", trends: [20, 20, 20],
             raw: [3, 2, 1], states: [.normal, .normal, .normal]),
        Case(name: "an interruption restarts the count", trends: [20, 20, 0, 20, 20, 20],
             raw: [1, 1, 1, 1, 1, 1], states: [.normal, .normal, .normal, .normal, .normal, .overusing]),
        Case(name: "below minus the threshold is underuse", trends: [-20, 0],
             raw: [0, 0], states: [.underusing, .normal]),
    ]

    @Test(arguments: cases)
    func states(_ c: Case) {
        var d = OveruseDetector()
        var out: [BandwidthUsage] = []
        for (i, m) in c.trends.enumerated() {
            // 0.001 ms apart: the threshold barely moves.
            out.append(d.detect(modifiedTrend: m, trend: c.raw[i], sendDeltaMs: 5, samples: 10,
                                now: Instant(nanoseconds: Int64(i) * 1000)))
        }
        #expect(out == c.states)
    }

    @Test func thresholdAdapts() {
        // γ = 12.5; |m| = 20 > γ for 10 ms: γ += 0.0087 × 7.5 × 10 = 13.1525.
        var d = OveruseDetector()
        d.detect(modifiedTrend: 0, trend: 0, sendDeltaMs: 5, samples: 10, now: S.ms(0))
        d.detect(modifiedTrend: 20, trend: 0, sendDeltaMs: 5, samples: 10, now: S.ms(10))
        #expect(abs(d.threshold - 13.1525) < 1e-9)
        // |m| = 40 > γ + 15: ignored.
        d.detect(modifiedTrend: 40, trend: 0, sendDeltaMs: 5, samples: 10, now: S.ms(20))
        #expect(abs(d.threshold - 13.1525) < 1e-9)
        // Down: m = 0 for 1 ms: γ −= 0.039 × 13.1525 = 12.639...
        d.detect(modifiedTrend: 0, trend: 0, sendDeltaMs: 5, samples: 10, now: S.ms(21))
        #expect(abs(d.threshold - 13.1525 * (1 - 0.039)) < 1e-9)
        // A long quiet period clamps at 6.
        d.detect(modifiedTrend: 0, trend: 0, sendDeltaMs: 5, samples: 10, now: S.ms(1000))
        #expect(d.threshold == 6)
        // Fewer than two samples: always normal.
        var e = OveruseDetector()
        #expect(e.detect(modifiedTrend: 100, trend: 1, sendDeltaMs: 50, samples: 1, now: S.ms(0)) == .normal)
    }
}

@Suite struct AIMDRateControlTests {
    typealias S = CongestionTestSupport

    @Test func multiplicativeIncreaseFarFromCapacity() {
        var a = AIMDRateControl(startBitrate: 1_000_000)
        a.update(.normal, ackedBitrate: nil, now: S.ms(0))
        #expect(a.bitrate == 1_000_000)
        a.update(.normal, ackedBitrate: nil, now: S.ms(1000))
        #expect(abs(a.bitrate - 1_080_000) < 1)
        // A longer gap counts as at most 1 s.
        a.update(.normal, ackedBitrate: nil, now: S.ms(5000))
        #expect(abs(a.bitrate - 1_166_400) < 1)
    }

    @Test func increaseIsCappedByTheAcknowledgedBitrate() {
        var a = AIMDRateControl(startBitrate: 1_000_000)
        a.update(.normal, ackedBitrate: 500_000, now: S.ms(0))
        a.update(.normal, ackedBitrate: 500_000, now: S.ms(1000))
        #expect(a.bitrate == 1_000_000)   // above 1.5 × 500k + 10k = 760k: no increase
        var b = AIMDRateControl(startBitrate: 700_000)
        b.update(.normal, ackedBitrate: 500_000, now: S.ms(0))
        b.update(.normal, ackedBitrate: 500_000, now: S.ms(1000))
        #expect(abs(b.bitrate - 756_000) < 1)   // 700k × 1.08 = 756k < 760k
        b.update(.normal, ackedBitrate: 500_000, now: S.ms(2000))
        #expect(b.bitrate == 760_000)
    }

    @Test func decreaseThenAdditiveIncrease() {
        var a = AIMDRateControl(startBitrate: 1_000_000)
        a.update(.overusing, ackedBitrate: 800_000, now: S.ms(1000))
        #expect(abs(a.bitrate - 680_000) < 1e-6)
        #expect(a.state == .hold && a.linkCapacity.estimate == 800_000)
        // Underuse holds.
        a.update(.underusing, ackedBitrate: 700_000, now: S.ms(1500))
        #expect(abs(a.bitrate - 680_000) < 1e-6)
        // Normal 1 s later: additive. 680k/30 = 22,667 bits per frame in 3 packets = 7,556 bits
        // per packet per 0.3 s response time (200 ms RTT + 100 ms) = 25,185 bps per second.
        a.update(.normal, ackedBitrate: 700_000, now: S.ms(2500))
        #expect(abs(a.bitrate - (680_000 + 680_000 / 30.0 / 3 / 0.3)) < 1)
    }

    @Test func decreaseNeverRaisesAndIsSpaced() {
        var a = AIMDRateControl(startBitrate: 500_000)
        a.rtt = .milliseconds(100)
        a.update(.overusing, ackedBitrate: 900_000, now: S.ms(0))
        #expect(a.bitrate == 500_000)   // 0.85 × 900k > 500k: unchanged
        #expect(!a.timeToReduceFurther(now: S.ms(50), ackedBitrate: 400_000))
        #expect(a.timeToReduceFurther(now: S.ms(100), ackedBitrate: 400_000))
        #expect(a.timeToReduceFurther(now: S.ms(50), ackedBitrate: 200_000))  // acked < half
    }
}

@Suite struct DelayBasedEstimatorTests {
    typealias S = CongestionTestSupport

    /// Sends 1200-byte packets at `sendRate` through a bottleneck of `capacity` for
    /// `seconds`, feeding feedback every 50 ms; returns (first overuse ms, final estimate).
    func run(sendRate: Double, capacity: Double, seconds: Int, start: Double) -> (Int64?, Double) {
        var e = DelayBasedEstimator(startBitrate: start)
        let interval = 1200 * 8 / sendRate * 1e9
        var t = 0.0
        var linkFree = 0.0
        var firstOveruse: Int64?
        var nextFeedback = 50e6
        var acked = 0.0
        var batch: [PacketFeedback] = []
        var seq: Int64 = 0
        while t < Double(seconds) * 1e9 {
            let arrival = max(t, linkFree) + 1200 * 8 / capacity * 1e9
            linkFree = arrival
            batch.append(PacketFeedback(sequenceNumber: seq, sendTime: Instant(nanoseconds: Int64(t)),
                                        arrivalTime: Instant(nanoseconds: Int64(arrival + 20e6)), size: 1200))
            seq += 1
            t += interval
            if t >= nextFeedback {
                for p in batch { e.addPacket(p) }
                acked = min(sendRate, capacity)
                let u = e.finishFeedback(ackedBitrate: acked, probeBitrate: nil, now: Instant(nanoseconds: Int64(t)))
                if u.usage == .overusing, firstOveruse == nil { firstOveruse = Int64(t / 1e6) }
                batch.removeAll()
                nextFeedback += 50e6
            }
        }
        return (firstOveruse, e.bitrate)
    }

    @Test func detectsOveruseOfABottleneck() {
        let (first, estimate) = run(sendRate: 1_500_000, capacity: 1_000_000, seconds: 3, start: 1_500_000)
        #expect(first != nil && first! < 600)
        #expect(estimate <= 0.85 * 1_000_000 + 1)
    }

    @Test func underCapacityStaysNormalAndIncreases() {
        let (first, estimate) = run(sendRate: 800_000, capacity: 1_000_000, seconds: 5, start: 800_000)
        #expect(first == nil)
        #expect(estimate > 1_000_000)  // 8 %/s for ~5 s, capped at 1.5 × 800k + 10k
        #expect(estimate <= 1_210_000)
    }

    @Test func probeResultRaisesAtOnce() {
        var e = DelayBasedEstimator(startBitrate: 300_000)
        let u = e.finishFeedback(ackedBitrate: 300_000, probeBitrate: 1_200_000, now: S.ms(100))
        #expect(u.fromProbe && e.bitrate == 1_200_000)
        let v = e.finishFeedback(ackedBitrate: 300_000, probeBitrate: 900_000, now: S.ms(200))
        #expect(!v.fromProbe && e.bitrate == 1_200_000)   // a lower probe never lowers it
    }
}
