import Testing
@testable import RTCCore

@Suite struct SyntheticVP8SenderTests {
    typealias M = MediaTestSupport

    /// A simulcast publisher of three senders sharing one transport-wide counter, each layer
    /// checked by its own decode check; the 720p layer loses packets and recovers with a
    /// keyframe request; the 360p layer loses an upper-layer frame and recovers at the next
    /// base frame without one.
    @Test func simulcastPublisherDecodesOnEveryLayer() throws {
        var rng = SeededRandom(seed: 8)
        var senders: [SyntheticVP8Sender] = []
        var checks: [VP8DecodeCheck] = []
        for s in M.simulcastSizes {
            let params = RTPStreamParameters.random(
                payloadType: PayloadType(96), clockRate: 90_000, mid: Mid("0"), rid: Rid(s.rid),
                extensionMap: M.videoMap, using: &rng)
            senders.append(try SyntheticVP8Sender(
                configuration: VP8EncoderConfiguration(width: s.width, height: s.height, targetBitrate: s.bitrate,
                                                       temporalLayers: 3),
                parameters: params))
            checks.append(try VP8DecodeCheck())
        }
        var twcc: UInt16 = 0
        var lastTwcc: UInt16?
        for i in 0..<30 {
            let now = Instant(nanoseconds: Int64(i) * 33_333_333)
            for l in 0..<3 {
                var packets: [[UInt8]] = []
                try senders[l].sendNextFrame(now: now, transportSequence: &twcc) { packets.append([UInt8]($0)) }
                for (j, p) in packets.enumerated() {
                    let seq = try #require(try RTPTestSupport.forwarding(p, map: M.videoMap).1.transportSequence)
                    if let last = lastTwcc { #expect(seq == last &+ 1) }
                    lastTwcc = seq
                    // Frame 12 (TL0) of the 720p layer and frame 6 (TL1) of the 360p layer
                    // lose their first packet.
                    if (l == 2 && i == 12 || l == 1 && i == 6) && j == 0 { continue }
                    checks[l].push(p)
                }
                if checks[l].keyframeRequests > 0 && l == 2 && i < 14 { senders[l].forceKeyframe() }
            }
        }
        for (l, c) in checks.enumerated() {
            #expect(c.width == M.simulcastSizes[l].width && c.height == M.simulcastSizes[l].height)
            #expect(c.decodeErrors == 0 && c.unreadableFrames == 0 && c.counterRegressions == 0 && c.malformedPackets == 0)
            #expect(c.lastCounter == 29)
        }
        #expect(checks[0].framesDecoded == 30 && checks[0].keyframeRequests == 0)
        // 360p: frame 6 lost, frame 7 (TL2 reading it) held back, frame 8 (TL0) resumes.
        #expect(checks[1].framesDecoded == 28 && checks[1].keyframeRequests == 0)
        #expect(checks[1].depacketizer.stats.droppedReferenceMissing == 1)
        // 720p: frame 12 lost, frame 13 waits, the requested keyframe is frame 14.
        #expect(checks[2].framesDecoded == 28 && checks[2].keyframeRequests == 1)
        #expect(checks[2].depacketizer.stats.keyframesDelivered == 2)
        checks[0].push([0x00])
        #expect(checks[0].malformedPackets == 1)
        #expect(throws: MediaCodecError.self) {
            _ = try SyntheticVP8Sender(configuration: VP8EncoderConfiguration(width: 32, height: 32),
                                       parameters: RTPStreamParameters(ssrc: SSRC(1), payloadType: PayloadType(96), clockRate: 90_000))
        }
    }
}
