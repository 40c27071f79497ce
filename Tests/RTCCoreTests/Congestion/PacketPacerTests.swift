import Testing
@testable import RTCCore

@Suite struct PacketPacerTests {
    typealias S = CongestionTestSupport

    /// Polls at every deadline until `end`; returns (µs, output).
    func drain(_ p: inout PacketPacer, from start: Instant = .zero, until end: Instant) -> [(Int64, PacketPacer.Output)] {
        var out: [(Int64, PacketPacer.Output)] = []
        var now = start
        while now <= end {
            while let o = p.poll(now: now) { out.append((now.nanoseconds / 1000, o)) }
            guard let next = p.nextSendTime() else { break }
            now = max(next, now + .nanoseconds(1))
        }
        return out
    }

    func tokens(_ o: [(Int64, PacketPacer.Output)]) -> [Int] {
        o.compactMap { if case .packet(let t, _, _, _) = $0.1 { return t } else { return nil } }
    }

    @Test func strictPriorityOrder() {
        var p = PacketPacer(pacingBitrate: 100_000_000)
        p.enqueue(token: 1, size: 100, priority: .video, now: .zero)
        p.enqueue(token: 2, size: 100, priority: .audio, now: .zero)
        p.enqueue(token: 3, size: 100, priority: .retransmission, now: .zero)
        p.enqueue(token: 4, size: 100, priority: .padding, now: .zero)
        p.enqueue(token: 5, size: 100, priority: .audio, now: .zero)
        #expect(tokens(drain(&p, until: S.ms(10))) == [2, 5, 3, 1, 4])
    }

    @Test func pacesAtTheRateWithABurstAllowance() {
        // 1 Mbps: 1250 B take 10 ms; the 5 ms burst allows sending while the debt ≤ 625 B.
        var p = PacketPacer(pacingBitrate: 1_000_000)
        for i in 0..<10 { p.enqueue(token: i, size: 1250, priority: .video, now: .zero) }
        let sent = drain(&p, until: S.ms(200))
        #expect(tokens(sent) == Array(0..<10))
        // 0, then 5 ms (debt 1250 → 625), then every 10 ms.
        #expect(sent.map { ($0.0 + 500) / 1000 } == [0, 5, 15, 25, 35, 45, 55, 65, 75, 85])
        #expect(p.stats.bytesSent == 12_500 && p.queuedPackets == 0)
    }

    @Test func queueTimeLimitRaisesTheRate() {
        var p = PacketPacer(pacingBitrate: 100_000, configuration: .init(maxQueueTime: .milliseconds(100)))
        for i in 0..<10 { p.enqueue(token: i, size: 1250, priority: .video, now: .zero) }
        // 100 kbit queued must drain in 100 ms: 1 Mbps.
        #expect(p.effectiveRate == 1_000_000)
        #expect(p.expectedQueueTime == .milliseconds(100))
        #expect(p.queueDelay(now: S.ms(30)) == .milliseconds(30))
        let sent = drain(&p, until: S.ms(1000))
        #expect(sent.count == 10)
        #expect(sent.last!.0 < 200_000)   // at 100 kbps it would take 1 s
    }

    @Test func paddingFillsUpToThePaddingRate() {
        var p = PacketPacer(pacingBitrate: 2_500_000)
        p.setPaddingBitrate(480_000)
        // 1 s: 60,000 bytes of padding in 1200-byte requests.
        let sent = drain(&p, until: S.ms(1000))
        let padding = sent.filter { if case .padding(_, nil) = $0.1 { return true } else { return false } }
        #expect(padding.count == sent.count)
        #expect(abs(p.stats.paddingBytes - 60_000) <= 1200)
        // Media counts toward the padding rate, but postpones padding by at most 200 ms of it:
        // 40 kB of media leave at 2.5 Mbps by 128 ms with the padding debt capped at 12 kB,
        // which drains by 328 ms; 672 ms of padding at 60 kB/s follow: ≈ 40.3 kB.
        var q = PacketPacer(pacingBitrate: 2_500_000)
        q.setPaddingBitrate(480_000)
        for i in 0..<40 { q.enqueue(token: i, size: 1000, priority: .video, now: .zero) }
        _ = drain(&q, until: S.ms(1000))
        #expect(abs(q.stats.paddingBytes - 40_300) <= 1200)
    }

    @Test func probeClusterUsesQueuedMediaThenPadding() {
        var p = PacketPacer(pacingBitrate: 1_000_000)
        p.enqueue(token: 7, size: 1000, priority: .video, now: .zero)
        p.enqueue(token: 8, size: 1000, priority: .video, now: .zero)
        p.startProbe(ProbeClusterRequest(id: 42, bitrate: 2_000_000, minPackets: 5, minBytes: 3750, createdAt: .zero))
        #expect(p.isProbing)
        let sent = drain(&p, until: S.ms(100))
        #expect(!p.isProbing && p.stats.probesCompleted == 1)
        // 2 media + 3 padding of max(remaining 1750, 750, 50) → 1200, then 550 ... ≥ 5 packets.
        #expect(sent.count == 5)
        #expect(sent.allSatisfy {
            switch $0.1 {
            case .packet(_, _, _, let id): return id == 42
            case .padding(_, let id): return id == 42
            }
        })
        #expect(p.stats.probeBytes >= 3750)
        // Spaced at 2 Mbps: 1000 B = 4 ms.
        #expect(sent.map(\.0)[0...2] == [0, 4000, 8000])
    }

    @Test func fullRingRefuses() {
        var p = PacketPacer(configuration: .init(queueCapacity: 2))
        var accepted: [Bool] = []
        accepted.append(p.enqueue(token: 1, size: 10, priority: .video, now: .zero))
        accepted.append(p.enqueue(token: 2, size: 10, priority: .video, now: .zero))
        accepted.append(p.enqueue(token: 3, size: 10, priority: .video, now: .zero))
        accepted.append(p.enqueue(token: 4, size: 10, priority: .audio, now: .zero))
        #expect(accepted == [true, true, false, true])
        #expect(p.stats.refused == 1 && p.queuedPackets == 3 && p.queuedBytes == 30)
    }
}
