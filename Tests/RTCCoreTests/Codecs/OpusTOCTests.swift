import Testing
@testable import RTCCore

@Suite struct OpusTOCTests {
    typealias S = RTPTestSupport

    func parse(_ bytes: [UInt8]) -> Result<OpusTOC, ParseError> { S.run(bytes, OpusTOC.parse) }

    @Test func configTable() throws {
        // RFC 6716 Table 2: config → mode, bandwidth, frame size.
        let expectations: [(UInt8, OpusTOC.Mode, OpusTOC.Bandwidth, Int)] = [
            (0, .silk, .narrow, 480), (1, .silk, .narrow, 960), (2, .silk, .narrow, 1920), (3, .silk, .narrow, 2880),
            (4, .silk, .medium, 480), (9, .silk, .wide, 960), (12, .hybrid, .superWide, 480),
            (13, .hybrid, .superWide, 960), (14, .hybrid, .full, 480), (15, .hybrid, .full, 960),
            (16, .celt, .narrow, 120), (17, .celt, .narrow, 240), (18, .celt, .narrow, 480), (19, .celt, .narrow, 960),
            (21, .celt, .wide, 240), (26, .celt, .superWide, 480), (31, .celt, .full, 960),
        ]
        for (config, mode, bw, samples) in expectations {
            let t = try parse([config << 3, 0xAA]).get()
            #expect(t.mode == mode && t.bandwidth == bw && t.frameDurationSamples == samples, "config \(config)")
        }
        #expect(try parse([0x78]).get().frameDurationMicroseconds == 20_000)
        #expect(try parse([16 << 3]).get().frameDurationMicroseconds == 2_500)
    }

    @Test func frameCountCodes() throws {
        let c0 = try parse(S.hex("7c 01 02 03")).get()      // config 15, stereo, code 0
        #expect(c0.isStereo && c0.frameCountCode == 0 && c0.frameCount == 1 && c0.packetDurationSamples == 960)
        let c1 = try parse(S.hex("79 01 02 03 04")).get()   // code 1, two 2-byte frames
        #expect(c1.frameCount == 2 && c1.packetDurationSamples == 1920)
        let c2 = try parse(S.hex("7a 01 aa bb bb")).get()   // code 2: first frame 1 byte, second 2
        #expect(c2.frameCount == 2)
        let c3 = try parse(S.hex("fb 03 01 02 03")).get()   // config 31 (20 ms), CBR 3 frames of 1 byte
        #expect(c3.frameCount == 3 && !c3.isVBR && c3.packetDurationSamples == 2880)
        let vbr = try parse(S.hex("fb 82 01 aa bb bb")).get()  // VBR 2 frames: 1 byte, then 2
        #expect(vbr.isVBR && vbr.frameCount == 2)
        let pad = try parse(S.hex("fb 41 02 aa 00 00")).get()  // padding 2, one frame of 1 byte
        #expect(pad.hasPadding && pad.frameCount == 1)
        let dtx = try parse([0x78]).get()                      // TOC only: DTX
        #expect(dtx.frameCount == 1)
    }

    @Test func twoByteFrameLength() throws {
        // Code 2, first frame length 252 + 4*1 = 256.
        let bytes: [UInt8] = [0x7A, 252, 1] + [UInt8](repeating: 1, count: 256) + [2, 2]
        #expect(parse(bytes).isSuccess)
        #expect(parse(Array(bytes.prefix(200))).failureKind == .invalidLength)
    }

    @Test func malformed() {
        #expect(parse([]).failureKind == .truncated)
        #expect(parse(S.hex("79 01 02 03")).failureKind == .invalidLength)     // code 1, odd
        #expect(parse(S.hex("7a")).failureKind == .truncated)                  // code 2 without length
        #expect(parse(S.hex("7a 05 01")).failureKind == .invalidLength)        // first frame past end
        #expect(parse(S.hex("7b")).failureKind == .truncated)                  // code 3 without count
        #expect(parse(S.hex("7b 00")).failureKind == .invalidValue)            // M = 0
        #expect(parse(S.hex("1b 03 00 00 00")).failureKind == .invalidValue)   // 3 × 60 ms > 120 ms
        #expect(parse(S.hex("fb 03 01 02")).failureKind == .invalidLength)     // CBR 2 bytes / 3 frames
        #expect(parse(S.hex("fb 43 ff ff")).failureKind == .truncated)         // padding length cut
        #expect(parse(S.hex("fb 41 09 00")).failureKind == .invalidLength)     // padding past end
        #expect(parse(S.hex("fb 82 09 aa")).failureKind == .invalidLength)     // VBR length past end
        #expect(parse([0x78] + [UInt8](repeating: 0, count: 1276)).failureKind == .invalidLength)
    }
}
