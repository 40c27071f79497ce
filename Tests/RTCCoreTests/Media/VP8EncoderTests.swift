import Testing
@testable import RTCCore

@Suite struct VP8EncoderTests {
    typealias M = MediaTestSupport

    @Test func refusesInvalidConfigurations() {
        let bad: [VP8EncoderConfiguration] = [
            VP8EncoderConfiguration(width: 321, height: 180),
            VP8EncoderConfiguration(width: 8, height: 8),
            VP8EncoderConfiguration(width: 320, height: 180, framesPerSecond: 0),
            VP8EncoderConfiguration(width: 320, height: 180, targetBitrate: 10),
            VP8EncoderConfiguration(width: 320, height: 180, keyframeInterval: -1),
            VP8EncoderConfiguration(width: 320, height: 180, temporalLayers: 4),
            VP8EncoderConfiguration(width: 320, height: 180, cpuUsed: 17),
            VP8EncoderConfiguration(width: 320, height: 180, threads: 0),
        ]
        for c in bad {
            #expect(c.problem != nil)
            #expect(throws: MediaCodecError.self) { _ = try VP8Encoder(c) }
        }
    }

    @Test func firstFrameIsAKeyframeAndPtsAdvances() throws {
        let enc = try VP8Encoder(VP8EncoderConfiguration(width: 320, height: 180, framesPerSecond: 30, targetBitrate: 300_000))
        var src = try #require(SyntheticVideoSource(width: 320, height: 180))
        var frames: [VP8EncodedFrame] = []
        for _ in 0..<10 { frames += try enc.encode(src.nextFrame()) }
        #expect(frames.count == 10)
        #expect(frames.map(\.isKeyframe) == [true] + Array(repeating: false, count: 9))
        #expect(frames.map(\.pts) == (0..<10).map { Int64($0) * 3000 })
        #expect(frames.allSatisfy { $0.temporalLayer == 0 && !$0.isNonReference && $0.temporalLayerCount == 1 })
        #expect(frames.allSatisfy { $0.width == 320 && $0.height == 180 && !$0.bytes.isEmpty })
        #expect(enc.framesEncoded == 10)
        // A wrongly sized frame is refused.
        #expect(throws: MediaCodecError.self) { _ = try enc.encode(I420Frame(width: 640, height: 360)) }
    }

    @Test func temporalLayersFollowL1T3AndRestartAtKeyframes() throws {
        let enc = try VP8Encoder(VP8EncoderConfiguration(
            width: 320, height: 180, targetBitrate: 300_000, keyframeInterval: 10, temporalLayers: 3))
        var src = try #require(SyntheticVideoSource(width: 320, height: 180))
        var frames: [VP8EncodedFrame] = []
        for i in 0..<24 {
            if i == 15 { enc.forceKeyframe() }
            frames += try enc.encode(src.nextFrame())
        }
        #expect(frames.count == 24)
        // Keyframes: frame 0, frame 10 (interval), frame 15 (forced), frame 25 would be next.
        #expect(frames.indices.filter { frames[$0].isKeyframe } == [0, 10, 15])
        let expected: [UInt8] = [0, 2, 1, 2, 0, 2, 1, 2, 0, 2,  0, 2, 1, 2, 0,  0, 2, 1, 2, 0, 2, 1, 2, 0]
        #expect(frames.map(\.temporalLayer) == expected)
        #expect(frames.allSatisfy { $0.temporalLayerCount == 3 })
        // N on TL2, Y on the first frames of TL1/TL2 after a TL0.
        for f in frames where !f.isKeyframe {
            #expect(f.isNonReference == (f.temporalLayer == 2))
        }
        #expect(frames[1].layerSync && frames[2].layerSync && !frames[3].layerSync)
    }

    @Test func twoTemporalLayersAlternate() throws {
        let enc = try VP8Encoder(VP8EncoderConfiguration(width: 160, height: 96, targetBitrate: 100_000, temporalLayers: 2))
        var src = try #require(SyntheticVideoSource(width: 160, height: 96))
        var layers: [UInt8] = []
        for _ in 0..<8 { layers += try enc.encode(src.nextFrame()).map(\.temporalLayer) }
        #expect(layers == [0, 1, 0, 1, 0, 1, 0, 1])
    }

    /// Dropping the upper temporal layers leaves a stream that still decodes to the right
    /// pictures: the reference structure really is L1T3.
    @Test func baseLayerAloneDecodes() throws {
        let enc = try VP8Encoder(VP8EncoderConfiguration(width: 320, height: 180, targetBitrate: 400_000, temporalLayers: 3))
        var src = try #require(SyntheticVideoSource(width: 320, height: 180))
        let base = try VP8Decoder(), upToTL1 = try VP8Decoder()
        for i in 0..<40 {
            let source = src.nextFrame()
            for f in try enc.encode(source) {
                if f.temporalLayer == 0 {
                    let d = try #require(try base.decode(f.bytes))
                    #expect(SyntheticVideoSource.readCounter(from: d) == UInt16(i))
                    #expect(M.psnr(d, source) > 28)
                }
                if f.temporalLayer <= 1 {
                    let d = try #require(try upToTL1.decode(f.bytes))
                    #expect(SyntheticVideoSource.readCounter(from: d) == UInt16(i))
                    #expect(M.psnr(d, source) > 28)
                }
            }
        }
        #expect(base.framesDecoded == 10 && upToTL1.framesDecoded == 20)
    }

    @Test func bitrateChangesTakeEffect() throws {
        let enc = try VP8Encoder(VP8EncoderConfiguration(width: 640, height: 360, targetBitrate: 1_500_000))
        var src = try #require(SyntheticVideoSource(width: 640, height: 360))
        var high = 0, low = 0
        for _ in 0..<30 { high += try enc.encode(src.nextFrame()).reduce(0) { $0 + $1.bytes.count } }
        try enc.setTargetBitrate(150_000)
        for _ in 0..<30 { _ = try enc.encode(src.nextFrame()) }
        for _ in 0..<30 { low += try enc.encode(src.nextFrame()).reduce(0) { $0 + $1.bytes.count } }
        #expect(low * 2 < high)
        #expect(throws: MediaCodecError.self) { try enc.setTargetBitrate(1) }
    }

    @Test func decoderRefusesGarbageAndDeltaFramesFirst() throws {
        let enc = try VP8Encoder(VP8EncoderConfiguration(width: 320, height: 180))
        var src = try #require(SyntheticVideoSource(width: 320, height: 180))
        let key = try enc.encode(src.nextFrame())[0]
        let delta = try enc.encode(src.nextFrame())[0]
        let dec = try VP8Decoder()
        #expect(throws: MediaCodecError.self) { _ = try dec.decode(delta.bytes) }
        #expect(throws: MediaCodecError.self) { _ = try dec.decode([0x00, 0x01, 0x02]) }
        #expect(try dec.decode([]) == nil)
        let picture = try #require(try dec.decode(key.bytes))
        #expect(picture.width == 320 && picture.height == 180 && dec.width == 320 && dec.height == 180)
        #expect(SyntheticVideoSource.readCounter(from: picture) == 0)
        #expect(SyntheticVideoSource.readCounter(from: try #require(try dec.decode(delta.bytes))) == 1)
        // Random bytes never crash libvpx or the wrapper.
        var rng = SeededRandom(seed: 7)
        for _ in 0..<200 {
            let n = Int(rng.next() % 200)
            _ = try? dec.decode(rng.bytes(n))
        }
    }

    /// The three simulcast encodings of one source at 30 fps for one second, each decoded
    /// back to its own counter. (Speed is measured by rtc-bench, not here.)
    @Test func simulcastOfThreeSizes() throws {
        var encoders: [VP8Encoder] = []
        var sources: [SyntheticVideoSource] = []
        var decoders: [VP8Decoder] = []
        for s in M.simulcastSizes {
            encoders.append(try VP8Encoder(VP8EncoderConfiguration(
                width: s.width, height: s.height, framesPerSecond: 30, targetBitrate: s.bitrate, temporalLayers: 3)))
            sources.append(try #require(SyntheticVideoSource(width: s.width, height: s.height)))
            decoders.append(try VP8Decoder())
        }
        var bytes = [0, 0, 0]
        for i in 0..<30 {
            for l in 0..<3 {
                let source = sources[l].nextFrame()
                for f in try encoders[l].encode(source) {
                    bytes[l] += f.bytes.count
                    let d = try #require(try decoders[l].decode(f.bytes))
                    #expect(d.width == M.simulcastSizes[l].width && d.height == M.simulcastSizes[l].height)
                    #expect(SyntheticVideoSource.readCounter(from: d) == UInt16(i))
                }
            }
        }
        // Roughly on target (the first keyframe dominates one second at low rates).
        for l in 0..<3 {
            let kbps = Double(bytes[l] * 8) / 1000
            #expect(kbps < Double(M.simulcastSizes[l].bitrate) / 1000 * 3)
            #expect(kbps > Double(M.simulcastSizes[l].bitrate) / 1000 / 4)
        }
    }
}
