import Foundation
import Testing
@testable import RTCCore

/// Every file of the shared RTCP corpora (real, mutated, and inputs that crashed other
/// servers' parsers, TWCC included) must give a value or a typed error. Missing corpora fail.
@Suite struct RTCPCorpusTests {
    static func files(_ sub: String) throws -> [URL] {
        let dir = RTCPTestSupport.corporaDirectory.appendingPathComponent(sub)
        var isDir: ObjCBool = false
        try #require(FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir) && isDir.boolValue,
                     "corpus folder missing: \(dir.path)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        try #require(!names.isEmpty, "corpus folder empty: \(dir.path)")
        return names.map { dir.appendingPathComponent($0) }
    }

    func check(_ sub: String) throws {
        var parsed = 0
        let urls = try Self.files(sub)
        for url in urls {
            let bytes = [UInt8](try Data(contentsOf: url))
            if fuzzRTCP(bytes) { parsed += 1 }
            do {
                let packets = try parseCompound(bytes)
                // Whatever parses also writes and parses back to the same values.
                #expect(try parseCompound(try encodeCompoundReordered(packets)) == packets, "\(url.lastPathComponent)")
            } catch {
                // A typed ParseError: fine.
            }
            _ = try? parseCompound(bytes, paddingPolicy: .anyPacket)
            // And every truncation of it.
            for n in 0..<bytes.count { fuzzRTCP(Array(bytes[0..<n])) }
        }
        print("\(sub): \(urls.count) files, \(parsed) parsed")
    }

    /// Writes packets, moving any that need RTCP padding to the end.
    func encodeCompoundReordered(_ packets: [RTCPPacket]) throws -> [UInt8] {
        var plain: [RTCPPacket] = []
        var padded: [RTCPPacket] = []
        for p in packets {
            if (try encodeRTCP(p))[0] & 0x20 != 0 { padded.append(p) } else { plain.append(p) }
        }
        if padded.count > 1 {
            // More than one padded packet cannot form a strict compound; check them alone.
            for p in padded { #expect(try parseRTCP(try encodeRTCP(p)) == p) }
            return try encodeCompound(plain)
        }
        return try encodeCompound(plain + padded)
    }

    @Test func rtcpCorpus() throws { try check("rtcp-corpus") }

    @Test func rtcpCrashes() throws { try check("crashes/rtcp") }

    @Test func otherCorporaThroughRTCP() throws {
        // Not RTCP, but hostile bytes all the same.
        for sub in ["rtp-corpus", "crashes/rtp", "stun-corpus"] {
            for url in try Self.files(sub) { fuzzRTCP([UInt8](try Data(contentsOf: url))) }
        }
    }

    @Test func corpusSeededMutations() throws {
        // The corpora as mutation seeds (bit flips, overwrites, insertions, deletions,
        // splices, length fixes) through the fuzz entry, with its round-trip checks.
        var seeds: [[UInt8]] = []
        for sub in ["rtcp-corpus", "crashes/rtcp"] {
            for url in try Self.files(sub) { seeds.append([UInt8](try Data(contentsOf: url))) }
        }
        var rng = SeededRandom(seed: 0xC0_2905)
        for _ in 0..<20_000 {
            var b = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let pos = b.isEmpty ? 0 : Int.random(in: 0..<b.count, using: &rng)
                switch Int.random(in: 0..<6, using: &rng) {
                case 0 where !b.isEmpty: b[pos] ^= 1 << UInt8.random(in: 0...7, using: &rng)
                case 1 where !b.isEmpty: b[pos] = UInt8.random(in: 0...255, using: &rng)
                case 2: b.insert(contentsOf: rng.bytes(Int.random(in: 1...8, using: &rng)), at: pos)
                case 3 where !b.isEmpty: b.removeSubrange(pos..<min(b.count, pos + Int.random(in: 1...8, using: &rng)))
                case 4: b += seeds[Int.random(in: 0..<seeds.count, using: &rng)]
                default:
                    // Make the first length field match the datagram, so the body gets parsed.
                    if b.count >= 4 {
                        let words = b.count / 4 - 1
                        b[2] = UInt8(truncatingIfNeeded: words >> 8)
                        b[3] = UInt8(truncatingIfNeeded: words)
                    }
                }
            }
            fuzzRTCP(b)
        }
    }
}
