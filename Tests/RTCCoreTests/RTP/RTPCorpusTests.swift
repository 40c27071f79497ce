import Testing
@testable import RTCCore

/// The shared public corpora (`<root>/../shared/corpora`): every file must give a value or a
/// typed error. A missing folder fails the test.
@Suite struct RTPCorpusTests {
    typealias S = RTPTestSupport

    @Test func rtpCorpus() {
        let files = S.files(in: S.corpus("rtp-corpus"))
        #expect(!files.isEmpty)
        var parsed = 0
        for f in files {
            if f.bytes.withUnsafeBytes({ RTPFuzz.fuzz($0) }) { parsed += 1 }
            _ = f.bytes.withUnsafeBytes { CodecFuzz.fuzz($0) }
            _ = S.run(f.bytes, RTPHeader.parse)
        }
        // The valid samples in the corpus (rtp-0 ... rtp-4) parse.
        #expect(parsed >= 5)
    }

    @Test func rtpCrashes() {
        let files = S.files(in: S.corpus("crashes/rtp"))
        #expect(!files.isEmpty)
        for f in files {
            _ = f.bytes.withUnsafeBytes { RTPFuzz.fuzz($0) }
            _ = f.bytes.withUnsafeBytes { CodecFuzz.fuzz($0) }
            _ = S.run(f.bytes, RTPHeader.parse)
        }
    }

    /// Small corpus files truncated at every byte.
    @Test func corpusTruncated() {
        let files = S.files(in: S.corpus("rtp-corpus")) + S.files(in: S.corpus("crashes/rtp"))
        for f in files where f.bytes.count <= 1024 {
            for n in 0..<f.bytes.count {
                _ = Array(f.bytes.prefix(n)).withUnsafeBytes { RTPFuzz.fuzz($0) }
            }
        }
    }

    @Test func corpusSamplesDecode() throws {
        // rtp-1: one-byte extension with ID 1, L=2: 3 bytes 00 56 ce.
        let files = S.files(in: S.corpus("rtp-corpus"))
        guard let f = files.first(where: { $0.name == "rtp-1" }) else {
            Issue.record("rtp-1 missing")
            return
        }
        let map = RTPExtensionMap([(1, .absSendTime)])
        let (h, v) = try S.forwarding(f.bytes, map: map)
        #expect(h.payloadType == PayloadType(100) && h.sequenceNumber == SequenceNumber(0x58))
        #expect(v.absSendTime == 0x0056CE)
    }
}
