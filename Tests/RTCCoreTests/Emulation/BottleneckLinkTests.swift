import Testing
@testable import RTCCore

@Suite struct BottleneckLinkTests {
    static func ms(_ v: Double) -> Instant { Instant(nanoseconds: Int64(v * 1e6)) }

    func drain(_ l: inout BottleneckLink<Int>) -> [BottleneckLink<Int>.Delivery] {
        var out: [BottleneckLink<Int>.Delivery] = []
        while let t = l.nextDelivery() {
            while let d = l.poll(now: t) { out.append(d) }
        }
        return out
    }

    @Test func serialisesThenDelays() {
        // 1 Mbps: 1250 B take 10 ms; 10 ms propagation.
        var l = BottleneckLink<Int>(schedule: .constant(1_000_000), propagationDelay: .milliseconds(10))
        for i in 0..<3 { l.send(i, size: 1250, now: .zero) }
        #expect(l.queuedBytes == 3750)
        let d = drain(&l)
        #expect(d.map(\.payload) == [0, 1, 2])
        #expect(d.map(\.arrival) == [Self.ms(20), Self.ms(30), Self.ms(40)])
        #expect(d.map(\.queueDelay) == [.zero, .milliseconds(10), .milliseconds(20)])
        #expect(l.stats.bytesDelivered == 3750 && l.queuedBytes == 0)
    }

    @Test func capacityStepsMidPacket() {
        // 5 ms at 1 Mbps carries 5000 of 10,000 bits; the rest at 2 Mbps takes 2.5 ms.
        let s = CapacitySchedule(steps: [(.zero, 1_000_000), (.milliseconds(5), 2_000_000)])
        var l = BottleneckLink<Int>(schedule: s, propagationDelay: .zero)
        l.send(1, size: 1250, now: .zero)
        #expect(drain(&l).map(\.arrival) == [Self.ms(7.5)])
        // A zero-capacity gap holds the packet until capacity returns.
        let gap = CapacitySchedule(steps: [(.zero, 0), (.milliseconds(100), 1_000_000)])
        var g = BottleneckLink<Int>(schedule: gap, propagationDelay: .zero)
        g.send(1, size: 125, now: .zero)
        #expect(drain(&g).map(\.arrival) == [Self.ms(101)])
    }

    @Test func dropTailAtTheByteLimit() {
        var l = BottleneckLink<Int>(schedule: .constant(1_000_000), queueLimitBytes: 3000)
        let accepted = (0..<4).map { l.send($0, size: 1250, now: .zero) }
        #expect(accepted == [true, true, false, false])
        #expect(l.stats.queueDropped == 2)
        // 10 ms later the first left the queue: room for one more.
        let later = l.send(9, size: 1250, now: Self.ms(10))
        #expect(later)
        #expect(drain(&l).map(\.payload) == [0, 1, 9])
    }

    @Test func seededRandomLoss() {
        func run(seed: UInt64) -> (Int, [Int]) {
            var l = BottleneckLink<Int>(schedule: .constant(100_000_000), queueLimitBytes: 1 << 30,
                                        lossRate: 0.1, seed: seed, capacity: 1 << 15)
            for i in 0..<10_000 { l.send(i, size: 100, now: Self.ms(Double(i) * 0.01)) }
            let got = drain(&l).map(\.payload)
            return (l.stats.randomLost, got)
        }
        let a = run(seed: 7)
        let b = run(seed: 7)
        #expect(a.0 == b.0 && a.1 == b.1)
        #expect(a.0 > 900 && a.0 < 1100)
        #expect(a.0 + a.1.count == 10_000)
    }

    @Test func traceParsing() throws {
        let s = try CapacitySchedule(trace: """
            # ms kbps
            0 3000
            20000 600   # the drop

            40000,3000
            """)
        #expect(s.bitrate(at: Self.ms(19_999)) == 3_000_000)
        #expect(s.bitrate(at: Self.ms(20_000)) == 600_000)
        #expect(s.bitrate(at: Self.ms(45_000)) == 3_000_000)
        #expect(s.nextChange(after: Self.ms(1000)) == Self.ms(20_000))
        #expect(throws: CapacityTraceError(line: 2)) { try CapacitySchedule(trace: "0 1\nbad\n") }
        #expect(throws: CapacityTraceError(line: 1)) { try CapacitySchedule(trace: "-5 100") }
    }
}
