import Testing
@testable import RTCCore

/// encode → packetize → depacketize → decode, checking that the pictures survive.
@Suite struct VP8RoundTripTests {
    typealias M = MediaTestSupport

    @Test(arguments: [1, 3])
    func simulcastLayersRoundTrip(temporalLayers: Int) throws {
        var rng = SeededRandom(seed: 42)
        for (n, s) in M.simulcastSizes.enumerated() {
            let enc = try VP8Encoder(VP8EncoderConfiguration(
                width: s.width, height: s.height, targetBitrate: s.bitrate, keyframeInterval: 12,
                temporalLayers: temporalLayers))
            var src = try #require(SyntheticVideoSource(width: s.width, height: s.height))
            let params = RTPStreamParameters.random(
                payloadType: PayloadType(96), clockRate: 90_000, mid: Mid("0"), rid: Rid(s.rid),
                extensionMap: M.videoMap, using: &rng)
            var pk = VP8Packetizer(parameters: params, initialPictureID: UInt16(truncatingIfNeeded: rng.next()))
            var depack = VP8Depacketizer()
            let dec = try VP8Decoder()
            var sources: [UInt32: I420Frame] = [:]
            var decoded = 0
            for i in 0..<20 {
                let source = src.nextFrame()
                for f in try enc.encode(source) {
                    sources[params.timestampOffset &+ UInt32(truncatingIfNeeded: f.pts)] = source
                    for packet in try pk.packetize(f, now: Instant(nanoseconds: Int64(i) * 33_000_000)) {
                        try depack.push(packet)
                    }
                }
                while let out = depack.pollFrame() {
                    #expect(out.ssrc == params.ssrc)
                    let picture = try #require(try dec.decode(out.bytes))
                    #expect(picture.width == s.width && picture.height == s.height)
                    if out.isKeyframe {
                        #expect(out.width == UInt16(s.width) && out.height == UInt16(s.height))
                    }
                    let original = try #require(sources[out.timestamp])
                    #expect(SyntheticVideoSource.readCounter(from: picture) == SyntheticVideoSource.readCounter(from: original))
                    #expect(SyntheticVideoSource.readCounter(from: picture) == UInt16(decoded))
                    #expect(M.psnr(picture, original) > 30, "layer \(n) frame \(decoded)")
                    // A region below the counter band (the moving box and bars) keeps its brightness.
                    let y0 = s.height / 2, h = s.height / 4, w = s.width / 4
                    for x0 in stride(from: 0, to: s.width - w + 1, by: w) {
                        let a = try #require(picture.meanLuma(x: x0, y: y0, width: w, height: h))
                        let b = try #require(original.meanLuma(x: x0, y: y0, width: w, height: h))
                        #expect(abs(a - b) < 6)
                    }
                    if temporalLayers == 3 {
                        #expect(out.temporalLayer == [0, 2, 1, 2][decoded % 12 % 4])
                    } else {
                        #expect(out.temporalLayer == nil)
                    }
                    decoded += 1
                }
            }
            #expect(decoded == 20)
            #expect(depack.stats.framesDelivered == 20 && depack.stats.framesDropped == 0)
            #expect(depack.stats.keyframesDelivered == 2)
        }
    }

    /// Random packet loss on an L1T3 stream: every frame the depacketizer delivers decodes to
    /// the right picture at full quality (it never hands over a frame whose reference is gone),
    /// and it asks for keyframes when the base layer breaks.
    @Test(arguments: [UInt64(1), 2, 3])
    func randomLossNeverDeliversUndecodableFrames(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let enc = try VP8Encoder(VP8EncoderConfiguration(width: 320, height: 180, targetBitrate: 600_000, temporalLayers: 3))
        var src = try #require(SyntheticVideoSource(width: 320, height: 180))
        var params = RTPStreamParameters.random(payloadType: PayloadType(96), clockRate: 90_000, using: &rng)
        params.maxPacketSize = 400  // several packets per frame
        var pk = VP8Packetizer(parameters: params)
        var depack = VP8Depacketizer()
        let dec = try VP8Decoder()
        var sources: [UInt32: I420Frame] = [:]
        var delivered = 0, requests = 0, lastKeyframeRequest = -100
        for i in 0..<150 {
            // The PLI reaches the sender one frame later; it is repeated every 10 frames
            // while the receiver still waits (the keyframe itself may be lost).
            if requests > 0 || (depack.isWaitingForKeyframe && i - lastKeyframeRequest >= 10) {
                enc.forceKeyframe()
                requests = 0
                lastKeyframeRequest = i
            }
            let source = src.nextFrame()
            for f in try enc.encode(source) {
                sources[params.timestampOffset &+ UInt32(truncatingIfNeeded: f.pts)] = source
                for packet in try pk.packetize(f) where rng.next() % 100 >= 4 {  // 4 % loss
                    try depack.push(packet)
                }
            }
            while let o = depack.pollOutput() {
                switch o {
                case .frame(let out):
                    let picture = try #require(try dec.decode(out.bytes))
                    let original = try #require(sources[out.timestamp])
                    #expect(SyntheticVideoSource.readCounter(from: picture) == SyntheticVideoSource.readCounter(from: original))
                    #expect(M.psnr(picture, original) > 28)
                    delivered += 1
                case .keyframeNeeded:
                    requests += 1
                case .dropped:
                    break
                }
            }
        }
        let st = depack.stats
        #expect(delivered == st.framesDelivered)
        #expect(delivered > 60)
        #expect(st.framesDropped > 0 && st.missingPackets > 0)
        #expect(st.keyframeRequests > 0 && st.keyframesDelivered > 1)
    }
}
