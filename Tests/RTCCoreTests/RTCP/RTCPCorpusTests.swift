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
}
