import Testing
@testable import RTCCore

@Suite struct TimestampRewriterTests {
    static func ms(_ v: Int64) -> Instant { Instant(nanoseconds: v * 1_000_000) }

    enum Step {
        case sync
        /// input(timestamp, at ms) and the expected output.
        case input(UInt32, Int64, UInt32)
    }

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var clockRate: UInt32
        var initial: UInt32
        var steps: [Step]
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "first packet gets the initial output", clockRate: 90_000, initial: 1234, steps: [
            .input(999_999, 0, 1234), .input(1_002_999, 33, 4234), .input(1_002_999, 34, 4234),
        ]),
        Case(name: "layer switch re-bases by the wall-clock gap", clockRate: 90_000, initial: 7000, steps: [
            .input(7000, 0, 7000), .input(10_000, 33, 10_000), .input(13_000, 66, 13_000),
            .sync, .input(880_000, 100, 16_060), .input(883_000, 133, 19_060),
        ]),
        Case(name: "gap measured from the first packet of the newest timestamp", clockRate: 90_000, initial: 0, steps: [
            // The frame at ts 3000 is first forwarded at 33 ms and its last packet at 40 ms.
            .input(0, 0, 0), .input(3000, 33, 3000), .input(3000, 40, 3000),
            .sync, .input(55, 66, 3000 + 33 * 90),
        ]),
        Case(name: "publisher restart after a pause", clockRate: 48_000, initial: 100, steps: [
            .input(5000, 0, 100), .input(5960, 20, 1060), .sync, .input(17, 5_020, 1060 + 5_000 * 48),
        ]),
        Case(name: "switch at the same instant advances one tick", clockRate: 90_000, initial: 0, steps: [
            .input(500, 10, 0), .sync, .input(9_999_999, 10, 1),
        ]),
        Case(name: "clock going backwards still advances one tick", clockRate: 90_000, initial: 0, steps: [
            .input(500, 10, 0), .sync, .input(42, 5, 1),
        ]),
        Case(name: "input wraps within a source", clockRate: 90_000, initial: 10, steps: [
            .input(0xFFFF_F000, 0, 10), .input(0x0000_0800, 33, 10 + 0x1800),
        ]),
        Case(name: "output wraps", clockRate: 90_000, initial: 0xFFFF_FF00, steps: [
            .input(0, 0, 0xFFFF_FF00), .input(3000, 33, 3000 &- 0x100), .sync, .input(1, 66, 3000 &- 0x100 &+ 2970),
        ]),
        Case(name: "reordered packets keep the source timing", clockRate: 90_000, initial: 0, steps: [
            .input(6000, 0, 0), .input(9000, 33, 3000), .input(3000, 34, 0 &- 3000), .input(12_000, 66, 6000),
        ]),
        Case(name: "reordered older timestamp does not move the re-base reference", clockRate: 90_000, initial: 0, steps: [
            .input(6000, 0, 0), .input(9000, 33, 3000), .input(3000, 60, 0 &- 3000),
            .sync, .input(77, 66, 3000 + 33 * 90),
        ]),
        Case(name: "sync with no packet yet uses the initial output", clockRate: 90_000, initial: 55, steps: [
            .sync, .input(8, 1000, 55),
        ]),
        Case(name: "a very long pause is capped at half the space", clockRate: 90_000, initial: 0, steps: [
            .input(0, 0, 0), .sync, .input(0, 10 * 3600 * 1000, 0x7FFF_FFFF),
        ]),
    ]

    @Test(arguments: cases)
    func table(_ c: Case) {
        var r = TimestampRewriter(clockRate: c.clockRate, initialOutput: c.initial)
        #expect(r.lastOutput == nil)
        for (i, step) in c.steps.enumerated() {
            switch step {
            case .sync:
                r.sync()
            case .input(let ts, let at, let expected):
                let got = r.input(ts, now: Self.ms(at))
                #expect(got == expected, "\(c.name) step \(i): got \(got) want \(expected)")
            }
        }
    }

    /// Random sources with random timestamp bases, switching at random frames: within a source
    /// the output steps exactly as the input does; at a switch the output step matches the
    /// wall-clock gap; the output always moves forward.
    @Test(arguments: 0..<10)
    func randomSwitches(seed: UInt64) {
        var rng = SeededRandom(seed: 0x7155 &+ seed)
        var r = TimestampRewriter(clockRate: 90_000, initialOutput: UInt32(truncatingIfNeeded: rng.next()))
        var now: Int64 = 1_000_000_000
        var ts = UInt32(truncatingIfNeeded: rng.next())
        var lastOut: UInt32?
        var lastIn: UInt32 = 0
        var lastFrameAt: Int64 = 0
        for _ in 0..<3000 {
            let frameInterval = 20_000_000 + Int64(rng.next() % 30_000_000)  // 20–50 ms
            now += frameInterval
            ts &+= UInt32(frameInterval / 1_000_000 * 90)
            let switching = rng.next() % 20 == 0
            if switching {
                r.sync()
                ts = UInt32(truncatingIfNeeded: rng.next())
            }
            let packets = 1 + Int(rng.next() % 4)
            for p in 0..<packets {
                let t = now + Int64(p) * 1_000_000
                let out = r.input(ts, now: Instant(nanoseconds: t))
                if p == 0, let lo = lastOut {
                    if switching {
                        let expected = UInt32((t - lastFrameAt) * 90 / 1_000_000)
                        #expect(out &- lo == expected)
                    } else {
                        #expect(out &- lo == ts &- lastIn)
                    }
                    #expect(Int32(bitPattern: out &- lo) > 0)
                } else if p > 0 {
                    #expect(out == lastOut)
                }
                lastOut = out
            }
            lastIn = ts
            lastFrameAt = now
            #expect(r.lastOutput == lastOut)
        }
    }
}
