import Testing
@testable import RTCCore

@Suite struct SequenceRewriterTests {
    /// One step of a table: an operation and what it must return.
    enum Step: CustomStringConvertible {
        case sync(UInt16)
        /// drop(seq) and whether it leaves no gap.
        case drop(UInt16, Bool)
        /// input(seq) and the expected output (nil: not forwarded).
        case input(UInt16, UInt16?)
        /// The expected nextOutput.
        case next(UInt16)

        var description: String {
            switch self {
            case .sync(let s): "sync(\(s))"
            case .drop(let s, let b): "drop(\(s))=\(b)"
            case .input(let s, let o): "input(\(s))=\(o.map(String.init) ?? "nil")"
            case .next(let o): "next=\(o)"
            }
        }
    }

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var initial: UInt16
        var steps: [Step]
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "in order from the initial output", initial: 1000, steps: [
            .next(1000), .input(5, 1000), .input(6, 1001), .input(7, 1002), .next(1003),
        ]),
        Case(name: "input wraps", initial: 10, steps: [
            .input(65534, 10), .input(65535, 11), .input(0, 12), .input(1, 13),
        ]),
        Case(name: "output wraps", initial: 65534, steps: [
            .input(1, 65534), .input(2, 65535), .input(3, 0), .input(4, 1),
        ]),
        Case(name: "both wrap at different points", initial: 65535, steps: [
            .input(65535, 65535), .input(0, 0), .drop(1, true), .input(2, 1),
        ]),
        Case(name: "drop in the middle leaves no gap", initial: 0, steps: [
            .input(1, 0), .input(2, 1), .drop(3, true), .input(4, 2), .input(5, 3),
        ]),
        Case(name: "consecutive drops", initial: 0, steps: [
            .input(1, 0), .drop(2, true), .drop(3, true), .drop(4, true), .input(5, 1), .next(2),
        ]),
        Case(name: "drop across the input wrap", initial: 100, steps: [
            .input(65534, 100), .drop(65535, true), .drop(0, true), .input(1, 101),
        ]),
        Case(name: "drop twice is idempotent", initial: 0, steps: [
            .input(1, 0), .drop(2, true), .drop(2, true), .input(3, 1),
        ]),
        Case(name: "dropped packet is refused if it comes again", initial: 0, steps: [
            .input(1, 0), .drop(2, true), .input(3, 1), .input(2, nil),
        ]),
        Case(name: "reorder keeps in-order numbers", initial: 0, steps: [
            .input(1, 0), .input(3, 2), .input(2, 1), .input(4, 3),
        ]),
        Case(name: "reorder across the wrap", initial: 500, steps: [
            .input(65535, 500), .input(1, 502), .input(0, 501), .input(2, 503),
        ]),
        Case(name: "reorder across a drop (late packet below the drop)", initial: 0, steps: [
            .input(1, 0), .input(2, 1), .input(4, 3), .drop(5, true), .input(3, 2), .input(6, 4),
        ]),
        Case(name: "reorder across a drop (drop arrives first)", initial: 0, steps: [
            .input(1, 0), .drop(3, true), .input(2, 1), .input(4, 2),
        ]),
        Case(name: "late packet between two drops", initial: 0, steps: [
            .input(1, 0), .drop(2, true), .input(4, 2), .drop(5, true), .input(3, 1), .input(6, 3),
        ]),
        Case(name: "drop of a late packet leaves a gap", initial: 0, steps: [
            .input(1, 0), .input(3, 2), .drop(2, false), .input(4, 3),
        ]),
        Case(name: "drop of an already forwarded packet", initial: 0, steps: [
            .input(1, 0), .input(2, 1), .drop(2, false), .drop(1, false), .input(3, 2),
        ]),
        Case(name: "duplicates get the same number", initial: 0, steps: [
            .input(1, 0), .input(2, 1), .input(2, 1), .input(1, 0), .input(3, 2),
        ]),
        Case(name: "sync continues the output", initial: 0, steps: [
            .input(1, 0), .input(2, 1), .input(3, 2), .sync(500), .next(3), .input(500, 3), .input(501, 4),
        ]),
        Case(name: "sync to a lower sequence number", initial: 7, steps: [
            .input(40000, 7), .input(40001, 8), .sync(12), .input(12, 9), .input(13, 10),
        ]),
        Case(name: "sync refuses packets before the sync point", initial: 0, steps: [
            .input(1, 0), .sync(500), .input(499, nil), .input(4, nil), .input(500, 1), .input(498, nil),
        ]),
        Case(name: "sync during reorder", initial: 0, steps: [
            .input(1, 0), .input(2, 1), .sync(100), .input(102, 4), .input(101, 3), .input(99, nil),
            .input(100, 2), .input(103, 5),
        ]),
        Case(name: "sync during reorder with a drop", initial: 0, steps: [
            .input(1, 0), .sync(100), .input(101, 2), .drop(102, true), .input(100, 1), .input(103, 3),
        ]),
        Case(name: "sync when the first packet is lost", initial: 0, steps: [
            .input(1, 0), .sync(100), .input(101, 2), .input(102, 3), .next(4),
        ]),
        Case(name: "sync after a dropped last packet", initial: 0, steps: [
            .input(1, 0), .drop(2, true), .sync(500), .next(1), .input(500, 1),
        ]),
        Case(name: "sync right after sync", initial: 0, steps: [
            .input(1, 0), .sync(10), .sync(20), .input(10, nil), .input(20, 1),
        ]),
        Case(name: "sync before any packet", initial: 321, steps: [
            .sync(50), .next(321), .input(49, nil), .input(50, 321), .input(51, 322),
        ]),
        Case(name: "sync to the same stream again", initial: 0, steps: [
            .input(1, 0), .input(2, 1), .sync(3), .input(3, 2), .input(2, nil),
        ]),
        Case(name: "first operation a drop syncs implicitly", initial: 9, steps: [
            .drop(7, true), .next(9), .input(8, 9), .input(7, nil), .input(6, nil),
        ]),
        Case(name: "loss upstream stays a gap", initial: 0, steps: [
            .input(1, 0), .input(3, 2), .input(4, 3), .next(4),
        ]),
        Case(name: "forward jump of half the space minus one", initial: 0, steps: [
            .input(1, 0), .input(32768, 32767), .input(32769, 32768),
        ]),
        Case(name: "exactly half the space reads as old", initial: 0, steps: [
            .input(1, 0), .input(32769, nil), .input(2, 1),
        ]),
        Case(name: "edge of the reorder window", initial: 0, steps: [
            .input(0, 0), .input(2000, 2000), .input(977, 977), .input(976, nil),
        ]),
        Case(name: "forward jump beyond the window clears old drops", initial: 0, steps: [
            .input(1, 0), .drop(2, true), .input(3000, 2998), .input(2990, 2988), .input(3001, 2999),
        ]),
        Case(name: "drop beyond the window is harmless", initial: 0, steps: [
            .input(1, 0), .input(3000, 2999), .drop(2, true), .input(3001, 3000),
        ]),
    ]

    @Test(arguments: cases)
    func table(_ c: Case) {
        var r = SequenceRewriter(initialOutput: SequenceNumber(c.initial))
        for (i, step) in c.steps.enumerated() {
            switch step {
            case .sync(let s):
                r.sync(to: SequenceNumber(s))
            case .drop(let s, let expected):
                let got = r.drop(SequenceNumber(s))
                #expect(got == expected, "\(c.name) step \(i): \(step)")
            case .input(let s, let expected):
                let got = r.input(SequenceNumber(s))?.rawValue
                #expect(got == expected, "\(c.name) step \(i): \(step)")
            case .next(let expected):
                #expect(r.nextOutput.rawValue == expected, "\(c.name) step \(i): \(step)")
            }
        }
    }

    @Test func reorderWindowIsExposed() {
        #expect(SequenceRewriter.reorderWindow == 1024)
        var r = SequenceRewriter()
        #expect(!r.isStarted)
        _ = r.input(SequenceNumber(3))
        #expect(r.isStarted)
    }

    /// Every position of the window, one drop at a time: a late packet at distance k behind
    /// the newest one, with a drop at every other distance, gets the in-order number.
    @Test func everyDistanceInTheWindow() {
        for k in stride(from: 1, to: SequenceRewriter.reorderWindow, by: 7) {
            var r = SequenceRewriter(initialOutput: SequenceNumber(0))
            let start: UInt16 = 65000  // crosses the wrap
            _ = r.input(SequenceNumber(start))
            var expected: [UInt16: UInt16] = [:]
            var out: UInt16 = 1
            var dropped = 0
            for i in 1...UInt16(SequenceRewriter.reorderWindow) {
                let seq = start &+ i
                if Int(i) == SequenceRewriter.reorderWindow - k {
                    expected[seq] = out  // held back: arrives late
                    out &+= 1
                    continue
                }
                if i % 3 == 0 {
                    r.drop(SequenceNumber(seq))
                    dropped += 1
                    continue
                }
                let got = r.input(SequenceNumber(seq))?.rawValue
                #expect(got == out)
                out &+= 1
            }
            for (seq, o) in expected {
                let got = r.input(SequenceNumber(seq))?.rawValue
                #expect(got == o, "distance \(k)")
            }
            #expect(dropped > 300)
        }
    }

    // MARK: - Properties over seeded random runs

    /// In order, without loss: whatever the interleaving of sync, drop and input, the
    /// forwarded packets' output numbers go up by exactly one each.
    @Test(arguments: 0..<20)
    func inOrderOutputIsContinuous(seed: UInt64) {
        var rng = SeededRandom(seed: 0x5E0_0000 &+ seed)
        let initial = UInt16(truncatingIfNeeded: rng.next())
        var r = SequenceRewriter(initialOutput: SequenceNumber(initial))
        var seq = UInt16(truncatingIfNeeded: rng.next())
        var last: UInt16?
        var forwarded = 0
        for _ in 0..<5000 {
            let roll = rng.next() % 100
            if roll < 3 {
                // New source (layer switch / restart), anywhere in the space.
                seq = UInt16(truncatingIfNeeded: rng.next())
                r.sync(to: SequenceNumber(seq))
            }
            if roll >= 3 && roll < 30 {
                let absorbed = r.drop(SequenceNumber(seq))
                #expect(absorbed)
            } else {
                guard let o = r.input(SequenceNumber(seq)) else {
                    Issue.record("in-order packet refused")
                    return
                }
                if let l = last {
                    #expect(o.rawValue == l &+ 1)
                } else {
                    #expect(o.rawValue == initial)
                }
                last = o.rawValue
                forwarded += 1
            }
            seq &+= 1
        }
        #expect(forwarded > 3000)
    }

    /// A plain reference model with unbounded memory: per source, the output of position p is
    /// base + p − (drops absorbed below p); a drop is absorbed when it is newer than every
    /// packet seen; the next source starts after the last position.
    struct Reference {
        var base: Int
        var syncValue: UInt16?
        var highest = -1
        var absorbed: Set<Int> = []
        var dropped: Set<Int> = []

        init(initial: UInt16) { base = Int(initial) }

        var next: Int { base + highest + 1 - absorbed.count }

        mutating func sync(_ v: UInt16) {
            base = next
            syncValue = v
            highest = -1
            absorbed = []
            dropped = []
        }

        /// Position relative to the sync value, unwrapped near the highest position.
        func position(_ v: UInt16) -> Int {
            guard let s = syncValue else { return 0 }
            let highestValue = Int(s) + highest
            var d = (Int(v) - highestValue) % 65536
            if d < 0 { d += 65536 }
            if d >= 32768 { d -= 65536 }
            return highest + d
        }

        mutating func input(_ v: UInt16) -> UInt16? {
            if syncValue == nil { sync(v) }
            let p = position(v)
            if p > highest { highest = p }
            guard p >= 0, highest - p < 1024, !dropped.contains(p) else { return nil }
            return UInt16(truncatingIfNeeded: base + p - absorbed.filter { $0 < p }.count)
        }

        mutating func drop(_ v: UInt16) -> Bool {
            if syncValue == nil { sync(v) }
            let p = position(v)
            if p > highest {
                highest = p
                absorbed.insert(p)
                dropped.insert(p)
                return true
            }
            if p < 0 || highest - p >= 1024 { return true }
            return dropped.contains(p)
        }
    }

    /// Random interleavings of syncs, drops, inputs, duplicates and reordering (within and
    /// beyond the window) agree with the reference model, and forwarded packets of one source
    /// keep their order.
    @Test(arguments: 0..<16)
    func agreesWithReferenceModel(seed: UInt64) {
        var rng = SeededRandom(seed: 0xA11CE &+ seed &* 7919)
        let initial = UInt16(truncatingIfNeeded: rng.next())
        var r = SequenceRewriter(initialOutput: SequenceNumber(initial))
        var model = Reference(initial: initial)
        var sourceStart = UInt16(truncatingIfNeeded: rng.next())
        var sent = 0  // packets of the current source produced so far
        var backlog: [UInt16] = []  // produced, not yet delivered (reordering)
        var outputsBySeq: [(seq: Int, out: UInt16)] = []
        var sourceIndex = 0
        for step in 0..<20000 {
            let roll = rng.next() % 1000
            if roll < 4 && step > 0 {
                // Switch: the backlog of the old source is discarded by the router (other SSRC).
                checkOrder(outputsBySeq, source: sourceIndex)
                outputsBySeq = []
                sourceIndex += 1
                backlog = []
                sourceStart = UInt16(truncatingIfNeeded: rng.next())
                sent = 0
                r.sync(to: SequenceNumber(sourceStart))
                model.sync(sourceStart)
                continue
            }
            // Produce 1–3 packets into the backlog, then deliver one at random (mostly the
            // oldest, sometimes a later one: reordering).
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                backlog.append(sourceStart &+ UInt16(truncatingIfNeeded: sent))
                sent += 1
            }
            let depth = rng.next() % 10 == 0 ? Int(rng.next() % UInt64(backlog.count)) : 0
            let v = backlog.remove(at: depth)
            if roll < 10 {
                // An old packet far behind (beyond the window sometimes).
                let old = v &- UInt16(truncatingIfNeeded: 900 &+ rng.next() % 400)
                let got = r.input(SequenceNumber(old))?.rawValue
                let want = model.input(old)
                #expect(got == want)
            }
            if roll % 5 == 0 {
                let got = r.drop(SequenceNumber(v))
                let want = model.drop(v)
                #expect(got == want, "drop \(v)")
            } else {
                let o = r.input(SequenceNumber(v))
                let want = model.input(v)
                #expect(o?.rawValue == want, "input \(v) step \(step)")
                if let o { outputsBySeq.append((model.position(v), o.rawValue)) }
                if roll % 7 == 0 {
                    // Duplicate.
                    let again = r.input(SequenceNumber(v))
                    #expect(again == o)
                    _ = model.input(v)
                }
            }
            #expect(r.nextOutput.rawValue == UInt16(truncatingIfNeeded: model.next))
            if backlog.count > 40 { backlog.removeFirst(20) }  // lost upstream
        }
    }

    /// Within one source, sorting forwarded packets by input position sorts them by output.
    func checkOrder(_ items: [(seq: Int, out: UInt16)], source: Int) {
        let byInput = items.sorted { $0.seq < $1.seq }
        for (a, b) in zip(byInput, byInput.dropFirst()) where a.seq != b.seq {
            #expect(SequenceNumber(b.out).isNewer(than: SequenceNumber(a.out)), "source \(source)")
        }
    }
}
