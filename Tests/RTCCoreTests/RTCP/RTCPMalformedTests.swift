import Testing
@testable import RTCCore

@Suite struct RTCPMalformedTests {
    static func packetBoundaries(_ bytes: [UInt8]) -> Set<Int> {
        var out: Set<Int> = []
        var at = 0
        while at + 4 <= bytes.count {
            at += (Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]) + 1) * 4
            out.insert(at)
        }
        return out
    }

    @Test func everyFixtureTruncatedAtEveryByte() throws {
        for name in try RTCPTestSupport.fixtureNames() {
            let bytes = try RTCPTestSupport.fixture(name)
            let boundaries = Self.packetBoundaries(bytes)
            for n in 0..<bytes.count {
                let prefix = Array(bytes[0..<n])
                fuzzRTCP(prefix)
                if boundaries.contains(n) {
                    #expect(throws: Never.self, "\(name) cut at \(n)") { _ = try parseCompound(prefix) }
                } else {
                    #expect(throws: ParseError.self, "\(name) cut at \(n)") { _ = try parseCompound(prefix) }
                    #expect(throws: ParseError.self, "\(name) cut at \(n)") { _ = try parseRTCP(prefix) }
                }
            }
        }
    }

    @Test func everyFixtureWithWrongLengths() throws {
        for name in try RTCPTestSupport.fixtureNames() {
            let bytes = try RTCPTestSupport.fixture(name)
            let correct = Int(bytes[2]) << 8 | Int(bytes[3])
            for length in [0, 1, 2, correct - 1, correct + 1, correct + 2, 0x7FFF, 0xFFFE, 0xFFFF] where length >= 0 && length != correct {
                var b = bytes
                b[2] = UInt8(length >> 8)
                b[3] = UInt8(length & 0xFF)
                fuzzRTCP(b)
                if (length + 1) * 4 > bytes.count {
                    expectParseError(.invalidLength) { try parseCompound(b) }
                } else {
                    // Shorter: the first packet is cut and what follows is not a whole packet
                    // (or not a header at all). Either way a value or a typed error.
                    _ = try? parseCompound(b)
                }
                #expect(throws: ParseError.self) { try parseRTCP(b) }
            }
        }
    }

    @Test func everyFixtureWithPaddingLongerThanPacket() throws {
        for name in try RTCPTestSupport.fixtureNames() where name != "compound.hex" {
            let bytes = try RTCPTestSupport.fixture(name)
            for pad in [0, bytes.count - 3, bytes.count, 255] where pad >= 0 && pad <= 255 {
                var b = bytes
                b[0] |= 0x20
                b[b.count - 1] = UInt8(pad)
                fuzzRTCP(b)
                expectParseError(.invalidPadding) { try parseCompound(b) }
            }
        }
    }

    @Test func seededMutationsNeverTrap() throws {
        // Bit flips, byte overwrites, insertions, deletions and splices of every fixture,
        // through the fuzz entry (which also checks write/parse round trips of what parses).
        var rng = SeededRandom(seed: 0xF022)
        let seeds = try RTCPTestSupport.fixtureNames().map { try RTCPTestSupport.fixture($0) }
        var parsed = 0
        for i in 0..<30_000 {
            var b = seeds[i % seeds.count]
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let pos = b.isEmpty ? 0 : Int.random(in: 0..<b.count, using: &rng)
                switch Int.random(in: 0..<6, using: &rng) {
                case 0 where !b.isEmpty: b[pos] ^= 1 << UInt8.random(in: 0...7, using: &rng)
                case 1 where !b.isEmpty: b[pos] = UInt8.random(in: 0...255, using: &rng)
                case 2: b.insert(contentsOf: rng.bytes(Int.random(in: 1...8, using: &rng)), at: pos)
                case 3 where !b.isEmpty: b.removeSubrange(pos..<min(b.count, pos + Int.random(in: 1...8, using: &rng)))
                case 4: b += seeds[Int.random(in: 0..<seeds.count, using: &rng)]
                default:
                    // Interesting values in the length and count fields.
                    if b.count >= 4 {
                        b[2] = [0, 0xFF, 0x7F][Int.random(in: 0...2, using: &rng)]
                        b[0] = (b[0] & 0xE0) | UInt8.random(in: 0...31, using: &rng)
                    }
                }
            }
            if fuzzRTCP(b) { parsed += 1 }
            _ = try? parseCompound(b, paddingPolicy: .anyPacket)
        }
        #expect(parsed > 1_000)  // the mutations keep a fair share valid
    }

    @Test func randomBytesNeverTrap() {
        var rng = SeededRandom(seed: 0xBAD)
        for _ in 0..<20_000 {
            var b = rng.bytes(Int.random(in: 0...64, using: &rng))
            if b.count >= 2, Bool.random(using: &rng) {
                b[0] = 0x80 | (b[0] & 0x3F)
                b[1] = UInt8.random(in: 200...207, using: &rng)
            }
            fuzzRTCP(b)
        }
    }

    @Test func twccHugeStatusCountIsBoundedByChunks() throws {
        // Status count 65535 with chunks that cover only 14: refused without expanding.
        let bytes = RTCPTestSupport.hex("8f cd 00 05 00 00 00 01 00 00 00 02 00 00 ff ff 00 00 00 00 80 00 00 00")
        expectParseError(.truncated) { try parseRTCP(bytes) }
        #expect(!fuzzRTCP(bytes))
        // Covered by 8 runs of 8191 lost and one of 7: valid, 65535 results from 18 chunk bytes.
        var ok = RTCPTestSupport.hex("8f cd 00 00 00 00 00 01 00 00 00 02 00 00 ff ff 00 00 00 00")
        ok += Array(repeating: [0x1F, 0xFF], count: 8).flatMap { $0 } + [0x00, 0x07] + [0, 0]
        ok[3] = UInt8(ok.count / 4 - 1)
        guard case .transportWideCongestionControl(let fb) = try parseRTCP(ok) else {
            Issue.record("not TWCC")
            return
        }
        #expect(fb.chunks.count == 9 && fb.receiveDeltas.isEmpty)
        var it = fb.makePacketIterator()
        var n = 0
        while it.next() != nil { n += 1 }
        #expect(n == 65535)
        #expect(fuzzRTCP(ok))
    }
}
