import Foundation
import Testing
@testable import RTCCore

@Suite struct OpusTests {
    typealias M = MediaTestSupport
    typealias S = RTPTestSupport

    static let params = RTPStreamParameters(
        ssrc: SSRC(0xAABB_CCDD), payloadType: PayloadType(111), clockRate: 48_000, mid: Mid("1"),
        extensionMap: M.audioMap, initialSequenceNumber: SequenceNumber(1000), timestampOffset: 0x1234_5678)

    @Test func packetMatchesFixture() throws {
        var p = OpusPacketizer(parameters: Self.params)
        let packet = try p.packetize([0xF8, 0xFF, 0xFE], audioLevel: (false, 127))
        #expect(packet == (try FixtureFiles.hex("opus-audio-level.hex")))
        #expect(p.nextTimestamp == 0x1234_5678 &+ 960)
    }

    /// 440 Hz in, Opus over RTP (with audio level), 440 Hz out: the decoded signal has its
    /// energy at the tone and correlates with the input once the codec delay is removed.
    @Test(arguments: [1, 2])
    func toneRoundTrip(channels: Int) throws {
        var src = try #require(SyntheticAudioSource(frequency: 440, amplitude: 0.5, channels: channels))
        let enc = try OpusEncoder(channels: channels, bitrate: 48_000, application: .audio)
        let dec = try OpusDecoder(channels: channels)
        var pk = OpusPacketizer(parameters: Self.params)
        var input: [Double] = [], output: [Double] = []
        for i in 0..<50 {
            let pcm = src.nextFrame()
            let level = AudioLevel.level(of: pcm)
            #expect(level == 9)  // half-scale sine: −9 dBov
            let opus = try enc.encode(pcm)
            let toc = try S.run(opus, OpusTOC.parse).get()
            #expect(toc.packetDurationSamples == 960 && toc.isStereo == (channels == 2))
            let rtp = try pk.packetize(opus, audioLevel: (true, level), now: Instant(nanoseconds: Int64(i) * 20_000_000))
            let (h, v) = try S.forwarding(rtp, map: M.audioMap)
            #expect(h.marker == (i == 0) && h.sequenceNumber == SequenceNumber(1000 &+ UInt16(i)))
            #expect(h.timestamp == 0x1234_5678 &+ UInt32(i * 960) && h.payloadType == PayloadType(111))
            #expect(v.audioLevel?.level == 9 && v.audioLevel?.voiceActivity == true)
            #expect(v.mid == Mid("1") && v.transportSequence == UInt16(1 + i))
            let payload = Array(rtp[h.payloadOffset..<(h.payloadOffset + h.payloadLength)])
            #expect(payload == opus)
            let out = try dec.decode(payload)
            #expect(out.count == 960 * channels)
            for s in 0..<960 {
                input.append(Double(pcm[s * channels]))
                output.append(Double(out[s * channels]))
                if channels == 2 { #expect(abs(Int(out[s * 2]) - Int(out[s * 2 + 1])) < 2000) }
            }
        }
        // Skip the first 100 ms while the codec settles.
        let settled = Array(output[4800...])
        let tone = M.goertzel(settled, frequency: 440)
        for other in [220.0, 660, 1000, 3000] {
            #expect(tone > 100 * M.goertzel(settled, frequency: other), "\(other) Hz")
        }
        let delay = enc.lookahead
        #expect(delay > 0 && delay < 960)
        let aligned = M.correlation(Array(input[4800..<(input.count - delay)]), Array(output[(4800 + delay)...]))
        #expect(aligned > 0.9)
        #expect(dec.packetsDecoded == 50)
    }

    @Test func concealmentAndErrors() throws {
        let enc = try OpusEncoder(channels: 1, bitrate: 32_000, application: .voip)
        let dec = try OpusDecoder(channels: 1)
        var src = try #require(SyntheticAudioSource(frequency: 1000, amplitude: 0.3))
        _ = try dec.decode(try enc.encode(src.nextFrame()))
        #expect(try dec.decode(nil).count == 960)
        #expect(dec.framesConcealed == 1)
        #expect(throws: MediaCodecError.self) { _ = try enc.encode([0, 1, 2]) }
        #expect(throws: MediaCodecError.self) { _ = try OpusEncoder(channels: 3) }
        #expect(throws: MediaCodecError.self) { _ = try OpusEncoder(bitrate: 1000) }
        #expect(throws: MediaCodecError.self) { _ = try OpusDecoder(channels: 0) }
        #expect(throws: MediaCodecError.self) { try enc.setBitrate(600_000) }
        try enc.setBitrate(64_000)
        #expect(enc.bitrate == 64_000)
        try enc.setInbandFEC(true, expectedLossPercent: 20)
        // Corrupt packets give a typed error or some samples, never a crash.
        var rng = SeededRandom(seed: 5)
        for _ in 0..<500 {
            _ = try? dec.decode(rng.bytes(Int(rng.next() % 80) + 1))
        }
    }

    @Test func syntheticToneAndAudioLevel() throws {
        #expect(SyntheticAudioSource(frequency: 0) == nil)
        #expect(SyntheticAudioSource(frequency: 24_000) == nil)
        #expect(SyntheticAudioSource(amplitude: 1.5) == nil)
        #expect(SyntheticAudioSource(channels: 3) == nil)
        let full = try #require(SyntheticAudioSource(frequency: 1000, amplitude: 1))
        // 1 kHz at 48 kHz: 48 samples per period; quarter period is the peak.
        #expect(full.sample(at: 0) == 0 && full.sample(at: 12) == 32767 && full.sample(at: 36) == -32767)
        #expect(full.sample(at: 24) == 0)
        for n in stride(from: Int64(0), to: 48_000, by: 37) {
            let expected = (32767 * sin(2 * Double.pi * 1000 * Double(n) / 48_000)).rounded()
            #expect(abs(Double(full.sample(at: n)) - expected) <= 1)
        }
        #expect(AudioLevel.level(of: full.frame(at: 3)) == 3)
        #expect(AudioLevel.level(of: [Int16](repeating: 0, count: 960)) == 127)
        #expect(AudioLevel.level(of: []) == 127)
        #expect(AudioLevel.level(of: [Int16](repeating: -32768, count: 960)) == 0)
        #expect(AudioLevel.level(of: [Int16](repeating: 1, count: 960)) == 90)  // 20·log10(32768)
        let quiet = try #require(SyntheticAudioSource(amplitude: 0.01))
        #expect(AudioLevel.level(of: quiet.frame(at: 0)) == 43)  // 20·log10(0.01) − 3
        let stereo = try #require(SyntheticAudioSource(channels: 2))
        let f = stereo.frame(at: 2)
        #expect(f.count == 1920 && f[100] == f[101])
        #expect(stereo.frame(at: -1).allSatisfy { $0 == 0 })
        #expect(SyntheticAudioSource.sine(turns: .infinity) == 0)
    }

    @Test func packetizerEdgeCases() throws {
        var params = Self.params
        params.maxPacketSize = 40
        var p = OpusPacketizer(parameters: params)
        #expect(throws: WriteError.self) { _ = try p.packetize([UInt8](repeating: 0xF8, count: 30)) }
        #expect(p.stream.nextSequenceNumber == SequenceNumber(1000) && p.transportSequence == 1)
        // A 60 ms SILK packet (config 3) advances the timestamp by 2880.
        let first = try p.packetize([0x18, 0x00])
        #expect(try S.header(first).marker)
        #expect(p.nextTimestamp == 0x1234_5678 &+ 2880)
        let second = try p.packetize([0x18, 0x00])
        #expect(try S.header(second).marker == false)
        p.markTalkspurt()
        #expect(try S.header(try p.packetize([0xFF])).marker)  // unparsable: counted as 20 ms
        #expect(p.nextTimestamp == 0x1234_5678 &+ 2880 * 2 &+ 960)
    }
}

@Suite struct SyntheticOpusSenderTests {
    @Test func sendsOnePacketPer20msWithItsLevel() throws {
        let params = RTPStreamParameters(
            ssrc: SSRC(5), payloadType: PayloadType(111), clockRate: 48_000, mid: Mid("1"),
            extensionMap: MediaTestSupport.audioMap)
        let sender = try SyntheticOpusSender(parameters: params, frequency: 1000, amplitude: 1, channels: 2)
        let dec = try OpusDecoder(channels: 2)
        var twcc: UInt16 = 100
        var output: [Double] = []
        for i in 0..<25 {
            var packets: [[UInt8]] = []
            try sender.sendNextFrame(now: Instant(nanoseconds: Int64(i) * 20_000_000), transportSequence: &twcc) {
                packets.append([UInt8]($0))
            }
            #expect(packets.count == 1)
            let (h, v) = try RTPTestSupport.forwarding(packets[0], map: MediaTestSupport.audioMap)
            #expect(h.timestamp == UInt32(i * 960) && v.audioLevel?.level == 3 && v.audioLevel?.voiceActivity == true)
            #expect(v.transportSequence == 100 &+ UInt16(i))
            let pcm = try dec.decode(Array(packets[0][h.payloadOffset..<(h.payloadOffset + h.payloadLength)]))
            for s in 0..<960 { output.append(Double(pcm[2 * s])) }
        }
        let settled = Array(output[4800...])
        #expect(MediaTestSupport.goertzel(settled, frequency: 1000) > 100 * MediaTestSupport.goertzel(settled, frequency: 440))
        #expect(throws: MediaCodecError.self) { _ = try SyntheticOpusSender(parameters: params, channels: 3) }
    }
}
