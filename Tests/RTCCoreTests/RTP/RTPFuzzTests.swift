import Testing
@testable import RTCCore

/// Seeded mutation runs through the fuzz entry points (the release-build run with a million
/// mutations is rtc-bench's job; this keeps a smaller one in every test run).
@Suite struct RTPFuzzTests {
    typealias S = RTPTestSupport

    static func seeds() -> [[UInt8]] {
        var out = S.fixtures().map(\.bytes)
        out += S.files(in: S.corpus("rtp-corpus")).map(\.bytes).filter { $0.count <= 4096 }
        out += S.files(in: S.corpus("crashes/rtp")).map(\.bytes).filter { $0.count <= 4096 }
        return out
    }

    static func mutate(_ input: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var b = input
        for _ in 0..<(Int(rng.next() % 4) + 1) {
            switch rng.next() % 6 {
            case 0 where !b.isEmpty: b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next())
            case 1 where !b.isEmpty: b[Int(rng.next() % UInt64(b.count))] ^= 1 << UInt8(rng.next() % 8)
            case 2 where !b.isEmpty: b.removeLast(Int(rng.next() % UInt64(b.count)))
            case 3: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: Int(rng.next() % UInt64(b.count + 1)))
            case 4 where !b.isEmpty: b[Int(rng.next() % UInt64(b.count))] = [0x00, 0xFF, 0x7F, 0x80, 0x0F, 0xF0][Int(rng.next() % 6)]
            default: b += rng.bytes(Int(rng.next() % 8))
            }
        }
        return b
    }

    @Test func mutationsNeverTrap() {
        let seeds = Self.seeds()
        var rng = SeededRandom(seed: 0xF022)
        var ok = 0
        for i in 0..<30_000 {
            let m = Self.mutate(seeds[i % seeds.count], &rng)
            if m.withUnsafeBytes({ RTPFuzz.fuzz($0) }) { ok += 1 }
            if i % 3 == 0 {
                let payload = Array(m.dropFirst(12))
                _ = payload.withUnsafeBytes { CodecFuzz.fuzz($0) }
            }
        }
        #expect(ok > 0)
    }

    @Test func randomBytesNeverTrap() {
        var rng = SeededRandom(seed: 0xF023)
        for _ in 0..<10_000 {
            var b = rng.bytes(Int(rng.next() % 80))
            if !b.isEmpty { b[0] = 0x80 | (b[0] & 0x3F) }  // mostly version 2
            _ = b.withUnsafeBytes { RTPFuzz.fuzz($0) }
            _ = b.withUnsafeBytes { CodecFuzz.fuzz($0) }
        }
    }
}
