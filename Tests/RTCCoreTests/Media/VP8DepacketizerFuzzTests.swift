import Foundation
import Testing
@testable import RTCCore

@Suite struct VP8DepacketizerFuzzTests {
    typealias M = MediaTestSupport
    typealias S = RTPTestSupport

    func fuzz(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { VP8Depacketizer.fuzz($0) }
    }

    /// The shared RTP corpus (must exist: the test fails when it is missing).
    @Test func rtpCorpusNeverTraps() {
        let files = S.files(in: S.corpus("rtp-corpus"))
        #expect(!files.isEmpty)
        var accepted = 0
        for f in files where fuzz(f.bytes) { accepted += 1 }
        #expect(accepted > 0)
    }

    @Test func packetizerOutputAndMutationsNeverTrap() throws {
        var p = VP8Packetizer(parameters: RTPStreamParameters(
            ssrc: SSRC(1), payloadType: PayloadType(96), clockRate: 90_000, extensionMap: M.videoMap,
            maxPacketSize: 200))
        var seeds: [[UInt8]] = []
        for f in M.fakeL1T3(count: 4, length: 500) { seeds += try p.packetize(f) }
        #expect(seeds.allSatisfy(fuzz))
        // Length-prefixed records of a whole frame reassemble.
        var records: [UInt8] = []
        for s in seeds.prefix(3) { records += [UInt8(s.count >> 8), UInt8(s.count & 0xFF)] + s }
        #expect(fuzz(records))
        var rng = SeededRandom(seed: 99)
        for i in 0..<20_000 {
            var q = seeds[i % seeds.count]
            for _ in 0..<Int(rng.next() % 4) {
                q[Int(rng.next() % UInt64(q.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
            _ = fuzz(Array(q.prefix(Int(rng.next() % UInt64(q.count + 1)))))
        }
        #expect(!fuzz([]))
    }
}
