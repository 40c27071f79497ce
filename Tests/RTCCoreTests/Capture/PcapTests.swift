import Testing
@testable import RTCCore

@Suite struct PcapTests {
    @Test func writeThenReadGivesTheSameDatagrams() throws {
        var rng = SeededRandom(seed: 11)
        var w = PcapWriter()
        var written: [PcapPacket] = []
        for i in 0..<200 {
            let p = PcapPacket(
                timestampMicros: 1_790_000_000_000_000 + UInt64(i) * 20_000,
                source: TransportAddress(ipv4: 0x7F00_0001, port: UInt16(40_000 + i % 3)),
                destination: TransportAddress(ipv4: 0x7F00_0002, port: 5004),
                payload: rng.bytes(Int(rng.next() % 1400)))
            w.append(p)
            written.append(p)
        }
        let file = w.take()
        #expect(Array(file.prefix(4)) == [0xD4, 0xC3, 0xB2, 0xA1])  // little-endian magic
        let read = try PcapReader.read(file)
        #expect(read == written)
    }

    @Test func truncatedOrForeignFilesGiveTypedErrors() throws {
        var w = PcapWriter()
        w.append(PcapPacket(timestampMicros: 5, source: TransportAddress(ipv4: 1, port: 2),
                            destination: TransportAddress(ipv4: 3, port: 4), payload: [1, 2, 3]))
        let file = w.take()
        for cut in 0..<file.count {
            // Never traps: a value (a shorter list) or a typed error.
            _ = try? PcapReader.read(Array(file.prefix(cut)))
        }
        #expect(throws: ParseError.self) { try PcapReader.read([0, 1, 2, 3, 4, 5, 6, 7]) }
        var rng = SeededRandom(seed: 3)
        for _ in 0..<2000 {
            var m = file
            m[Int(rng.next() % UInt64(m.count))] = UInt8(truncatingIfNeeded: rng.next())
            _ = try? PcapReader.read(m)
        }
    }
}
