import Testing
@testable import RTCCore

@Suite struct ProbeBitrateEstimatorTests {
    typealias S = CongestionTestSupport

    /// Five 1000-byte packets of cluster 1 sent every 8 ms and received every `recvGap` ms.
    func measure(count: Int = 5, sendGap: Int64 = 8, recvGap: Double) -> Double? {
        var e = ProbeBitrateEstimator()
        e.register(ProbeClusterRequest(id: 1, bitrate: 1_000_000, minPackets: 5, minBytes: 1875, createdAt: S.ms(0)))
        for i in 0..<count {
            e.add(PacketFeedback(sequenceNumber: Int64(i), sendTime: S.ms(Int64(i) * sendGap),
                                 arrivalTime: S.us(Int64(50_000 + Double(i) * recvGap * 1000)), size: 1000,
                                 probeClusterID: 1))
        }
        return e.takeResult()
    }

    @Test func unsaturatedLinkGivesTheSendRate() {
        // 4 × 8000 bits over 32 ms both ways.
        #expect(measure(recvGap: 8).map { abs($0 - 1_000_000) < 1 } == true)
    }

    @Test func saturatedLinkGives95PercentOfTheReceiveRate() {
        // Received over 64 ms: 500 kbps < 90 % of 1 Mbps.
        #expect(measure(recvGap: 16).map { abs($0 - 475_000) < 1 } == true)
        // Received slightly slower (31.9 kbps less, within 90 %): the lower of the two.
        #expect(measure(recvGap: 8.5).map { abs($0 - 32_000 / 0.034) < 1 } == true)
    }

    @Test func invalidClusters() {
        #expect(measure(count: 3, recvGap: 8) == nil)              // 3 of 5 packets: < 80 %
        #expect(measure(recvGap: 2.5) == nil)                      // released from a queue: 3.2 Mbps > 2×
        #expect(measure(sendGap: 300, recvGap: 300) == nil)        // spans 1.2 s
        var e = ProbeBitrateEstimator()
        e.add(PacketFeedback(sequenceNumber: 0, sendTime: S.ms(0), arrivalTime: S.ms(1), size: 1000, probeClusterID: 9))
        #expect(e.takeResult() == nil)                              // never registered
    }

    @Test func resultIsReportedOncePerUpdate() {
        var e = ProbeBitrateEstimator()
        e.register(ProbeClusterRequest(id: 3, bitrate: 1_000_000, minPackets: 2, minBytes: 100, createdAt: S.ms(0)))
        e.add(PacketFeedback(sequenceNumber: 0, sendTime: S.ms(0), arrivalTime: S.ms(10), size: 1000, probeClusterID: 3))
        e.add(PacketFeedback(sequenceNumber: 1, sendTime: S.ms(8), arrivalTime: S.ms(18), size: 1000, probeClusterID: 3))
        #expect(e.takeResult() != nil)
        #expect(e.takeResult() == nil)
        #expect(e.result(ofCluster: 3) == 1_000_000)
    }
}

@Suite struct ProbeControllerTests {
    typealias S = CongestionTestSupport

    func drain(_ p: inout ProbeController) -> [Int64] {
        var out: [Int64] = []
        while let r = p.pollRequest() { out.append(r.bitrate) }
        return out
    }

    @Test func initialProbesAtThreeAndSixTimes() {
        var p = ProbeController()
        p.start(startBitrate: 300_000, now: S.ms(0))
        var reqs: [ProbeClusterRequest] = []
        while let r = p.pollRequest() { reqs.append(r) }
        #expect(reqs.map(\.bitrate) == [900_000, 1_800_000])
        #expect(reqs.map(\.minBytes) == [1687, 3375])   // 15 ms worth
        #expect(reqs.map(\.minPackets) == [5, 5])
        #expect(Set(reqs.map(\.id)).count == 2)
    }

    @Test func probeFurtherAfterASuccessfulProbe() {
        var p = ProbeController()
        p.start(startBitrate: 300_000, now: S.ms(0))
        _ = drain(&p)
        p.onEstimate(1_500_000, calm: true, fromProbe: true, now: S.ms(200))   // ≥ 70 % of 1.8 M
        #expect(drain(&p) == [3_000_000])
        p.onEstimate(1_000_000, calm: true, fromProbe: true, now: S.ms(400))   // < 70 % of 3 M: stop
        #expect(drain(&p).isEmpty)
    }

    @Test func periodicProbeWhileTheAllocationIsCapped() {
        var p = ProbeController()
        p.start(startBitrate: 500_000, now: S.ms(0))
        _ = drain(&p)
        p.onEstimate(500_000, calm: true, fromProbe: false, now: S.ms(1100))
        p.handleTimeout(now: S.ms(1100))            // the start probe's result timed out
        #expect(drain(&p).isEmpty)                  // nothing wanted above the estimate
        p.setMaxWantedBitrate(2_000_000, now: S.ms(1200))
        #expect(drain(&p) == [1_000_000])           // a new demand: probe at once, 2×
        p.handleTimeout(now: S.ms(2300))            // result timed out
        #expect(drain(&p).isEmpty)
        #expect(p.nextTimeout() == S.ms(4200))      // 3 s after the last probe
        p.handleTimeout(now: S.ms(4200))
        #expect(drain(&p) == [1_000_000])
        // Capped by 1.3 × wanted.
        p.onEstimate(1_500_000, calm: true, fromProbe: false, now: S.ms(5300))
        p.handleTimeout(now: S.ms(7200))
        #expect(drain(&p) == [2_600_000])
        // Not while the delay detector is not calm.
        p.onEstimate(1_500_000, calm: false, fromProbe: false, now: S.ms(8000))
        p.handleTimeout(now: S.ms(11_000))
        #expect(drain(&p).isEmpty)
    }

    @Test func recoveryProbeAfterALargeDrop() {
        var p = ProbeController()
        p.start(startBitrate: 2_000_000, now: S.ms(0))
        _ = drain(&p)
        p.handleTimeout(now: S.ms(1000))
        p.onEstimate(2_000_000, calm: true, fromProbe: false, now: S.ms(5000))
        p.onEstimate(900_000, calm: false, fromProbe: false, now: S.ms(10_000))   // < 66 %
        p.onEstimate(900_000, calm: true, fromProbe: false, now: S.ms(10_500))
        p.handleTimeout(now: S.ms(11_000))
        #expect(drain(&p).isEmpty)                        // calm for 0.5 s only
        #expect(p.nextTimeout() == S.ms(11_500))
        p.handleTimeout(now: S.ms(11_500))
        #expect(drain(&p) == [1_700_000])                 // 0.85 × 2 M
    }

    @Test func everyDeadlineIsConsumed() {
        // Wanted above the estimate but the maximum bitrate leaves no room above it: no probe
        // can be made, yet the deadline must move on (a caller polls by deadlines).
        var p = ProbeController(maxBitrate: 1_020_000)
        p.start(startBitrate: 1_000_000, now: S.ms(0))
        _ = drain(&p)
        p.handleTimeout(now: S.ms(1000))
        p.onEstimate(1_000_000, calm: true, fromProbe: false, now: S.ms(1000))
        p.setMaxWantedBitrate(2_000_000, now: S.ms(1000))
        var now = S.ms(1000)
        for _ in 0..<10 {
            guard let t = p.nextTimeout() else { break }
            now = max(t, now)   // a deadline in the past is due at once
            p.handleTimeout(now: now)
            #expect(p.nextTimeout().map { $0 > now } ?? true)
        }
        #expect(drain(&p).isEmpty)
    }
}

