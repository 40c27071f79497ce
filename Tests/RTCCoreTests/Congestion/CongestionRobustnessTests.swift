import Testing
@testable import RTCCore

/// Arbitrary, hostile inputs: nothing may trap, and outputs stay within their bounds.
@Suite struct CongestionRobustnessTests {
    static func chance(_ r: inout SeededRandom, _ p: Double) -> Bool { Double(r.next() >> 11) / Double(1 << 53) < p }

    /// A random, well-formed feedback packet about arbitrary sequence numbers and times.
    static func randomFeedback(_ r: inout SeededRandom) -> TransportWideCongestionControl {
        let base = UInt16(truncatingIfNeeded: r.next())
        var t = Int64(bitPattern: r.next() >> 20) - (1 << 42)
        var results: [TWCCPacketResult] = []
        for i in 0..<Int(r.next() % 200) {
            t += Int64(r.next() % 20_000) - 2_000
            results.append(TWCCPacketResult(sequenceNumber: SequenceNumber(base &+ UInt16(i)),
                                            arrivalMicroseconds: Self.chance(&r, 0.3) ? nil : t))
        }
        var fb = TWCCFeedbackBuilder.build(senderSSRC: SSRC(1), mediaSSRC: SSRC(2),
                                           firstFeedbackPacketCount: 0, packets: results).first
            ?? TWCCFeedbackBuilder(senderSSRC: SSRC(1), mediaSSRC: SSRC(2), feedbackPacketCount: 0).build()
        fb.referenceTime = Int32(truncatingIfNeeded: r.next() % (1 << 24)) - (1 << 23)
        return fb
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func sendSideEstimatorSurvivesArbitraryInput(seed: UInt64) {
        var r = SeededRandom(seed: seed)
        var bwe = SendSideBandwidthEstimator(configuration: .init(historyCapacity: 256))
        var now = Instant(nanoseconds: Int64(bitPattern: r.next() >> 4))
        for _ in 0..<3000 {
            switch r.next() % 6 {
            case 0, 1, 2:
                bwe.onPacketSent(sequenceNumber: UInt16(truncatingIfNeeded: r.next()), size: Int(r.next() % 70_000) - 100,
                                 probeClusterID: Self.chance(&r, 0.2) ? Int(r.next() % 8) : nil, now: now)
            case 3:
                bwe.onFeedback(Self.randomFeedback(&r), now: now)
            case 4:
                bwe.onRTT(.nanoseconds(Int64(r.next() % 10_000_000_000)), now: now)
                bwe.setMaxWantedBitrate(Int64(r.next() % 100_000_000), now: now)
            default:
                bwe.handleTimeout(now: now)
                while bwe.pollProbeCluster() != nil {}
            }
            // Time mostly moves forward, sometimes jumps or goes back.
            now = now + .nanoseconds(Int64(r.next() % 50_000_000) - (Self.chance(&r, 0.05) ? 40_000_000 : 0))
            let c = bwe.configuration
            #expect(bwe.targetBitrate >= c.minBitrate && bwe.targetBitrate <= c.maxBitrate)
            #expect(bwe.allocatableBitrate >= 0 && bwe.allocatableBitrate <= bwe.targetBitrate)
        }
    }

    @Test func receiversAndPacerSurviveArbitraryInput() {
        var r = SeededRandom(seed: 99)
        var gen = TWCCFeedbackGenerator(senderSSRC: SSRC(1), mediaSSRC: SSRC(2), capacity: 256, maxPacketSize: 100)
        var remb = ReceiveSideBandwidthEstimator()
        var pacer = PacketPacer(pacingBitrate: Int64(r.next() % 10_000_000), configuration: .init(queueCapacity: 64))
        var link = BottleneckLink<Int>(schedule: .init(steps: [(.zero, 0), (.milliseconds(5), 1_000_000)]),
                                       queueLimitBytes: 5000, lossRate: 0.5, capacity: 16)
        var now = Instant.zero
        for i in 0..<5000 {
            gen.onPacketReceived(sequenceNumber: UInt16(truncatingIfNeeded: r.next()), arrivalTime: now)
            if let (t, _) = gen.nextTimeout(), t <= now { gen.handleTimeout(now: now) }
            while let f = gen.pollFeedback() { #expect(f.marshalSize <= 100) }
            remb.onPacket(arrivalTime: now, absoluteSendTime: UInt32(truncatingIfNeeded: r.next()), size: Int(r.next() % 2000))
            _ = remb.pollREMB(now: now)
            pacer.enqueue(token: i, size: Int(r.next() % 3000) - 10, priority: PacketPacer.Priority(rawValue: Int(r.next() % 4))!, now: now)
            if Self.chance(&r, 0.01) {
                pacer.startProbe(ProbeClusterRequest(id: i, bitrate: Int64(r.next() % 5_000_000), minPackets: Int(r.next() % 10),
                                                     minBytes: Int(r.next() % 10_000), createdAt: now))
            }
            pacer.setPaddingBitrate(Int64(r.next() % 1_000_000) - 1000)
            while let o = pacer.poll(now: now) {
                if case .packet(let token, let size, _, _) = o { link.send(token, size: size, now: now) }
            }
            while link.poll(now: now) != nil {}
            now = now + .nanoseconds(Int64(r.next() % 5_000_000))
        }
        #expect(remb.bitrate > 0)
        #expect(link.stats.delivered + link.stats.queueDropped + link.stats.randomLost <= link.stats.sent)
    }

    @Test func allocatorSurvivesArbitraryInput() {
        var r = SeededRandom(seed: 5)
        for _ in 0..<500 {
            var tracks: [AllocationInput] = []
            for id in 0..<Int(r.next() % 6) {
                let layers = (0..<Int(r.next() % 4)).map { _ in (0..<Int(r.next() % 4)).map { _ in Int64(r.next() % 3_000_000) - 100_000 } }
                let cur: AllocationTarget? = Self.chance(&r, 0.3) ? .layer(spatial: Int(r.next() % 6) - 1, temporal: Int(r.next() % 6) - 1)
                    : (Self.chance(&r, 0.5) ? .paused : nil)
                tracks.append(AllocationInput(id: id, kind: Self.chance(&r, 0.3) ? .audio : .video,
                                              priority: AllocationPriority(rawValue: Int(r.next() % 4))!, layerBitrates: layers,
                                              maxSpatial: Self.chance(&r, 0.5) ? Int(r.next() % 4) - 1 : nil,
                                              maxTemporal: Self.chance(&r, 0.5) ? Int(r.next() % 4) - 1 : nil,
                                              pausedByPreference: Self.chance(&r, 0.1), current: cur,
                                              upgradeHeadroom: Self.chance(&r, 0.2) ? [Double.nan, .infinity, -1, 0.5][Int(r.next() % 4)] : nil))
            }
            let available = Int64(bitPattern: r.next()) >> Int64(r.next() % 64)
            let res = BitrateAllocator.allocate(available: available, tracks: tracks)
            #expect(res.targets.count == tracks.count)
            for (t, input) in zip(res.targets, tracks) {
                if case .layer(let s, let l) = t {
                    #expect(s < input.layerBitrates.count && l < input.layerBitrates[s].count && input.layerBitrates[s][l] > 0)
                }
            }
        }
    }
}
