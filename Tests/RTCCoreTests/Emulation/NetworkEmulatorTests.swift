import Testing
@testable import RTCCore

@Suite struct NetworkEmulatorTests {
    func drain(_ e: inout NetworkEmulator<Int>) -> [(Int, Instant)] {
        var out: [(Int, Instant)] = []
        while let t = e.nextTimeout() {
            while let p = e.poll(now: t) { out.append((p, t)) }
        }
        return out
    }

    @Test func delayIsApplied() {
        var e = NetworkEmulator<Int>(conditions: .init(delay: .milliseconds(20)), seed: 1)
        e.send(7, size: 100, now: .zero)
        #expect(e.poll(now: .zero + .milliseconds(19)) == nil)
        #expect(e.poll(now: .zero + .milliseconds(20)) == 7)
    }

    @Test func sameSeedSameOutcome() {
        let c = LinkConditions(delay: .milliseconds(5), jitter: .milliseconds(10), loss: 0.1,
                               duplication: 0.05, reorder: 0.1)
        var a = NetworkEmulator<Int>(conditions: c, seed: 42)
        var b = NetworkEmulator<Int>(conditions: c, seed: 42)
        for i in 0..<1000 {
            let now = Instant.zero + .milliseconds(Int64(i))
            a.send(i, size: 1000, now: now)
            b.send(i, size: 1000, now: now)
        }
        let da = drain(&a).map(\.0)
        let db = drain(&b).map(\.0)
        #expect(da == db)
        #expect(a.stats.lost > 50 && a.stats.lost < 150)
        #expect(a.stats.duplicated > 20)
        // Reordering happened: the delivered sequence is not sorted.
        #expect(da != da.sorted())
    }

    @Test func bottleneckPacesAndDropsTail() {
        // 800 kbit/s: a 1000-byte datagram takes 10 ms to serialise.
        var e = NetworkEmulator<Int>(
            conditions: .init(delay: .zero, rateBitsPerSecond: 800_000, queueLimitBytes: 5000), seed: 3)
        for i in 0..<10 { e.send(i, size: 1000, now: .zero) }
        #expect(e.stats.queueDropped == 5)
        let out = drain(&e)
        #expect(out.map(\.0) == [0, 1, 2, 3, 4])
        #expect(out.last?.1 == .zero + .milliseconds(50))
    }
}
