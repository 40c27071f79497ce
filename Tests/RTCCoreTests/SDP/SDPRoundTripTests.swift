import Testing
@testable import RTCCore

/// Random valid models (seeded): write → parse gives the same model, and writing again the
/// same text.
@Suite struct SDPRoundTripTests {
    @Test func randomSessionDescriptions() throws {
        var gen = SDPRandomModel(seed: 0xC0FFEE_5D)
        for i in 0..<400 {
            let sdp = gen.session()
            let text = sdp.serialized()
            let parsed: SessionDescription
            do {
                parsed = try SessionDescription.parse(text)
            } catch {
                Issue.record("model \(i) did not parse: \(error)\n\(text)")
                continue
            }
            if parsed != sdp {
                let a = text.split(separator: "\r\n", omittingEmptySubsequences: false)
                let b = parsed.serialized().split(separator: "\r\n", omittingEmptySubsequences: false)
                let diff = zip(a, b).filter { $0 != $1 }.prefix(3).map { "\($0.0) | \($0.1)" }
                Issue.record("model \(i) differs: \(diff) \(a.count) \(b.count)")
            }
            #expect(parsed.serialized() == text)
        }
    }

    @Test func randomAttributesOneByOne() throws {
        var gen = SDPRandomModel(seed: 42)
        for _ in 0..<3000 {
            let a = gen.attribute()
            let back = try SDPAttribute(parsing: a.text)
            #expect(back == a, "\(a.text)")
        }
    }

    @Test func randomCandidates() throws {
        var gen = SDPRandomModel(seed: 7)
        for _ in 0..<1000 {
            let c = gen.candidate()
            #expect(try ICECandidate(parsing: c.candidateLine) == c)
            #expect(try ICECandidate(parsing: "a=" + c.candidateLine) == c)
            #expect(try ICECandidate(parsing: c.attributeValue) == c)
            #expect(try SDPAttribute(parsing: "candidate:" + c.attributeValue) == .candidate(c))
        }
    }

    @Test func writesIntoCallerBuffer() throws {
        var gen = SDPRandomModel(seed: 99)
        let sdp = gen.session()
        let text = sdp.serialized()
        let bytes = try [UInt8].writing(capacity: text.utf8.count, { (w: inout ByteWriter) throws(WriteError) in
            try sdp.write(to: &w)
        }, format: .sdp)
        #expect(bytes == Array(text.utf8))
        #expect(throws: WriteError.self) {
            _ = try [UInt8].writing(capacity: text.utf8.count - 1, { (w: inout ByteWriter) throws(WriteError) in
                try sdp.write(to: &w)
            }, format: .sdp)
        }
    }
}
