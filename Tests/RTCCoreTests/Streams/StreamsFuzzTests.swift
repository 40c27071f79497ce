import Foundation
import Testing
@testable import RTCCore

@Suite struct StreamsFuzzTests {
    /// `<root>/../shared/corpora/<sub>` from this file's path
    /// (Tests/RTCCoreTests/Streams/StreamsFuzzTests.swift: four levels below the root).
    static func corpus(_ sub: String) -> URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("shared/corpora").appendingPathComponent(sub)
    }

    /// Every RTP corpus file runs through the entry point (a missing corpus fails the test).
    @Test func rtpCorpus() throws {
        let dir = Self.corpus("rtp-corpus")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(!names.isEmpty, "empty corpus \(dir.path)")
        var parsed = 0
        for name in names {
            guard let data = FileManager.default.contents(atPath: dir.appendingPathComponent(name).path) else { continue }
            let bytes = [UInt8](data)
            if bytes.withUnsafeBytes({ StreamsFuzz.fuzz($0) }) { parsed += 1 }
        }
        #expect(parsed > 0)
    }

    /// Seeded random operation streams and mutated packets never trap.
    @Test func seededRandomInput() {
        var rng = SeededRandom(seed: 0x57FE_A45)
        let packet = StreamsTestSupport.packet(seq: 65535, ts: 0xFFFF_FFF0, payload: [0x90, 0xE0, 0xFF, 0xFF, 0x12, 0x40, 0x00, 0x9D],
                                               twcc: 7, padding: 3)
        #expect(packet.withUnsafeBytes { StreamsFuzz.fuzz($0) })
        for _ in 0..<1500 {
            var bytes = rng.next() % 2 == 0 ? packet : rng.bytes(Int(rng.next() % 400))
            for _ in 0..<Int(rng.next() % 6) where !bytes.isEmpty {
                bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
            _ = bytes.withUnsafeBytes { StreamsFuzz.fuzz($0) }
        }
        // Every truncation of the packet.
        for n in 0...packet.count {
            _ = Array(packet[0..<n]).withUnsafeBytes { StreamsFuzz.fuzz($0) }
        }
    }
}
