import Testing
@testable import RTCCore

@Suite struct SendSideBandwidthEstimatorTests {
    typealias S = CongestionTestSupport

    /// A tiny loop: 1200-byte packets at `rate` through a `capacity` bottleneck (20 ms one
    /// way), every `lossEvery`-th packet lost, feedback every 50 ms.
    struct Loop {
        var bwe: SendSideBandwidthEstimator
        var seq: UInt16 = 0
        var t: Int64 = 0          // µs
        var linkFree: Int64 = 0   // µs
        var pending: [(UInt16, Int64?)] = []
        var nextFeedback: Int64 = 50_000

        init(start: Int64) { bwe = SendSideBandwidthEstimator(configuration: .init(startBitrate: start)) }

        mutating func run(rate: Double, capacity: Double, until end: Int64, lossEvery: Int = 0,
                          feedback: Bool = true) {
            while t < end {
                let tx = Int64(1200 * 8 / capacity * 1e6)
                let arrival = max(t, linkFree) + tx
                linkFree = arrival
                let lost = lossEvery > 0 && Int(seq) % lossEvery == 0
                bwe.onPacketSent(sequenceNumber: seq, size: 1200, now: S.us(t))
                pending.append((seq, lost ? nil : arrival + 20_000))
                seq &+= 1
                t += Int64(1200 * 8 / rate * 1e6)
                if t >= nextFeedback {
                    if feedback {
                        bwe.onFeedback(S.feedback(pending), now: S.us(t + 20_000))
                    }
                    pending.removeAll()
                    nextFeedback += 50_000
                }
                if let (due, _) = bwe.nextTimeout(), due <= S.us(t) { bwe.handleTimeout(now: S.us(t)) }
            }
        }
    }

    @Test func startsWithInitialProbes() {
        var b = SendSideBandwidthEstimator(configuration: .init(startBitrate: 500_000))
        b.onPacketSent(sequenceNumber: 0, size: 100, now: S.ms(0))
        #expect(b.pollProbeCluster()?.bitrate == 1_500_000)
        #expect(b.pollProbeCluster()?.bitrate == 3_000_000)
        #expect(b.pollProbeCluster() == nil)
        #expect(b.targetBitrate == 500_000)
    }

    @Test func growsBelowCapacityAndBacksOffAboveIt() {
        var l = Loop(start: 800_000)
        l.run(rate: 800_000, capacity: 2_000_000, until: 3_000_000)
        #expect(l.bwe.targetBitrate > 900_000)
        #expect(l.bwe.state.usage == .normal)
        #expect(l.bwe.acknowledgedBitrate.map { abs($0 - 800_000) < 40_000 } == true)
        // Now send 1.5 Mbps into 1 Mbps: the target falls to ≈ 0.85 × what gets through.
        l.run(rate: 1_500_000, capacity: 1_000_000, until: 5_000_000)
        #expect(l.bwe.targetBitrate < 1_000_000)
        #expect(l.bwe.targetBitrate > 700_000)
        #expect(l.bwe.state.limitedBy == .delay)
    }

    @Test func heavyLossLimitsAndLightLossDoesNot() {
        var heavy = Loop(start: 1_000_000)
        heavy.run(rate: 1_000_000, capacity: 10_000_000, until: 2_000_000, lossEvery: 4)   // 25 %
        #expect(heavy.bwe.state.limitedBy == .loss)
        #expect(heavy.bwe.targetBitrate < 800_000)
        #expect(abs(heavy.bwe.lossFraction - 0.25) < 0.05)
        var light = Loop(start: 1_000_000)
        light.run(rate: 1_000_000, capacity: 10_000_000, until: 2_000_000, lossEvery: 50)   // 2 %
        #expect(light.bwe.lossLimit == nil)
        #expect(light.bwe.targetBitrate >= 1_000_000)
    }

    @Test func feedbackTimeoutHalvesTheTarget() {
        var l = Loop(start: 1_000_000)
        l.run(rate: 1_000_000, capacity: 10_000_000, until: 500_000)
        let before = l.bwe.targetBitrate
        let last = l.t
        l.run(rate: 1_000_000, capacity: 10_000_000, until: 2_700_000, feedback: false)
        // Cuts at ≈ last feedback + 1 s and + 2 s.
        #expect(l.bwe.targetBitrate <= before / 4 + 1)
        #expect(l.bwe.state.limitedBy == .feedbackTimeout)
        #expect(last < 600_000)
    }

    @Test func aProbeClusterRaisesTheTargetAtOnce() {
        var b = SendSideBandwidthEstimator(configuration: .init(startBitrate: 300_000))
        b.onPacketSent(sequenceNumber: 0, size: 1000, now: S.ms(0))
        let probe = b.pollProbeCluster()!   // 900 kbps
        // Ten 1000-byte probe packets every 4 ms = 2 Mbps... sent at 900 kbps: every 8.9 ms.
        var reports: [(UInt16, Int64?)] = [(0, 10_000)]
        for i in 1...10 {
            let sent = Int64(i) * 8_888
            b.onPacketSent(sequenceNumber: UInt16(i), size: 1000, probeClusterID: probe.id, now: S.us(sent))
            reports.append((UInt16(i), sent + 10_000))
        }
        b.onFeedback(S.feedback(reports), now: S.ms(150))
        #expect(abs(Double(b.targetBitrate) - 900_000) < 30_000)
        #expect(b.probeEstimator.resultsProduced == 1)
    }

    @Test func queueDelayLowersTheAllocatableBitrateAndStopsPadding() {
        var l = Loop(start: 1_000_000)
        l.run(rate: 1_000_000, capacity: 10_000_000, until: 1_000_000)
        #expect(l.bwe.queueDelay < .milliseconds(2))
        #expect(l.bwe.isPaddingAllowed)
        let acked = Double(l.bwe.acknowledgedBitrate!)
        #expect(l.bwe.allocatableBitrate == min(l.bwe.targetBitrate, Int64(acked * 1.1)))
        // 1.5 Mbps into 1 Mbps for 300 ms: a standing queue builds.
        l.run(rate: 1_500_000, capacity: 1_000_000, until: 1_300_000)
        let q = l.bwe.queueDelay
        #expect(q > .milliseconds(60))
        #expect(!l.bwe.isPaddingAllowed)
        // Lowered by the excess delay × acked / 0.5 s.
        let a = Double(l.bwe.acknowledgedBitrate!)
        let excess = min(Double((q - .milliseconds(20)).rtcNanoseconds) / 1e9 / 0.5, 0.5)
        let expected = max(0, min(Double(l.bwe.targetBitrate), a * 1.1) - excess * a)
        #expect(abs(Double(l.bwe.allocatableBitrate) - expected) <= 1)
    }
}

