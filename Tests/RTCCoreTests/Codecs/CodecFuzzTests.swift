import Testing
@testable import RTCCore

@Suite struct CodecFuzzTests {
    typealias S = RTPTestSupport

    /// Payloads of every fixture and every descriptor vector, truncated at every byte: each
    /// descriptor parser gives a value or a typed error.
    @Test func vectorsTruncatedAtEveryByte() {
        var payloads: [[UInt8]] = S.fixtures().compactMap { f in
            guard let h = try? S.header(f.bytes) else { return nil }
            return Array(f.bytes[h.payloadOffset..<(h.payloadOffset + h.payloadLength)])
        }
        payloads += ["90 f0 80 05 07 b3 01", "aa 80 01 00 00 38 01 40 00 b4 02 80 01 68 02 04 01 38 01 02",
                     "f4 05 52 03 05 06 ff", "78 00 05 67 42 c0 1f 8c 00 03 68 ce 3c", "7c 85 b8 00",
                     "00 80 01 32", "fb 82 01 aa bb bb", "fb 41 02 aa 00 00"].map { S.hex($0) }
        #expect(payloads.count >= 12)
        for p in payloads {
            for n in 0...p.count {
                let prefix = Array(p.prefix(n))
                _ = prefix.withUnsafeBytes { CodecFuzz.fuzz($0) }
            }
        }
    }

    @Test func fixturePayloadsParse() throws {
        let byName = Dictionary(uniqueKeysWithValues: S.fixtures().map { ($0.name, $0.bytes) })
        func payload(_ name: String) throws -> [UInt8] {
            let b = try #require(byName[name])
            let h = try S.header(b)
            return Array(b[h.payloadOffset..<(h.payloadOffset + h.payloadLength)])
        }
        let vp8 = try S.run(try payload("vp8-keyframe-one-byte-ext.hex"), VP8PayloadDescriptor.parse).get()
        #expect(vp8.isKeyframe && vp8.pictureID == 0x123 && vp8.tl0PicIdx == 5 && vp8.temporalLayer == 0)
        #expect(vp8.layerSync && vp8.width == 640 && vp8.height == 360)
        let vp9 = try S.run(try payload("vp9-keyframe-ss.hex"), VP9PayloadDescriptor.parse).get()
        #expect(vp9.isKeyframe && vp9.scalabilityStructure?.spatialLayerCount == 2)
        let h264 = try S.run(try payload("h264-stap-a-keyframe.hex"), H264PayloadDescriptor.parse).get()
        #expect(h264.isKeyframe && h264.nalUnitCount == 3)
        let av1 = try S.run(try payload("av1-new-sequence.hex"), AV1AggregationHeader.parse).get()
        #expect(av1.isKeyframe && av1.containsSequenceHeader)
        let opus = try S.run(try payload("opus-audio-level.hex"), OpusTOC.parse).get()
        #expect(opus.mode == .hybrid && opus.frameDurationSamples == 960)
    }

    @Test func randomBytes() {
        var rng = SeededRandom(seed: 0xC0DEC)
        var anyParsed = 0
        for _ in 0..<20_000 {
            let b = rng.bytes(Int(rng.next() % 40))
            if b.withUnsafeBytes({ CodecFuzz.fuzz($0) }) { anyParsed += 1 }
        }
        #expect(anyParsed > 0)
    }
}
