import Testing
@testable import RTCCore

@Suite struct RTCPReceiverEstimatedMaximumBitrateTests {
    typealias REMB = ReceiverEstimatedMaximumBitrate

    @Test func draftVector() throws {
        let bytes = try RTCPTestSupport.fixture("receiver-estimated-maximum-bitrate.hex")
        let remb = try parseWith(bytes, REMB.parse)
        #expect(remb.senderSSRC == SSRC(0x1122_3344))
        #expect(remb.mediaSSRC == SSRC(0))
        #expect(remb.bitrate == 1_000_000)
        #expect(remb.ssrcs == [SSRC(0xAABB_CCDD)])
        #expect(try encodeRTCP(.receiverEstimatedMaximumBitrate(remb)) == bytes)
        #expect(try parseRTCP(bytes) == .receiverEstimatedMaximumBitrate(remb))
    }

    @Test func exponentMantissa() {
        #expect(REMB.encode(0) == (0, 0))
        #expect(REMB.encode(0x3FFFF) == (0, 0x3FFFF))
        #expect(REMB.encode(0x40000) == (1, 0x20000))
        #expect(REMB.encode(0x40001) == (1, 0x20000))  // truncates: never reports more
        #expect(REMB.encode(UInt64.max) == (46, 0x3FFFF))
        #expect(REMB.decode(exponent: 63, mantissa: 0x3FFFF) == REMB.maxBitrate)
        #expect(REMB.decode(exponent: 63, mantissa: 1) == 1 << 63)
        #expect(REMB.decode(exponent: 46, mantissa: 0x3FFFF) == REMB.maxBitrate)
        #expect(REMB.decode(exponent: 10, mantissa: 3) == 3 << 10)
        var rng = SeededRandom(seed: 0x5245_4D42)
        for _ in 0..<10_000 {
            let b = rng.next() >> UInt64.random(in: 0...63, using: &rng)
            let (e, m) = REMB.encode(b)
            let d = REMB.decode(exponent: e, mantissa: m)
            #expect(d <= b)
            #expect(m <= 0x3FFFF)
            #expect(b - d < (1 << UInt64(e)))  // only the bits below the exponent are lost
        }
    }

    @Test func lengthMustMatchNumSSRC() throws {
        var bytes = try RTCPTestSupport.fixture("receiver-estimated-maximum-bitrate.hex")
        bytes[16] = 2
        #expect(throws: ParseError.self) { try parseRTCP(bytes) }
        bytes[16] = 0
        #expect(throws: ParseError.self) { try parseRTCP(bytes) }
    }

    @Test func otherApplicationLayerFeedbackIsUnknown() throws {
        let bytes = try RTCPTestSupport.fixture("application-layer-feedback-unknown.hex")
        let p = try parseRTCP(bytes)
        guard case .unknown(let u) = p else {
            Issue.record("expected unknown, got \(p)")
            return
        }
        #expect(u.packetType == .payloadSpecificFeedback)
        #expect(u.count == 15)
        #expect(u.body.count == 12)
        #expect(try encodeRTCP(p) == bytes)
        #expect(throws: ParseError.self) { try parseWith(bytes, REMB.parse) }
    }

    @Test func manySSRCs() throws {
        let remb = REMB(senderSSRC: SSRC(1), bitrate: 2_500_000, ssrcs: (0..<255).map { SSRC(UInt32($0)) })
        #expect(try parseRTCP(try encodeRTCP(.receiverEstimatedMaximumBitrate(remb))) == .receiverEstimatedMaximumBitrate(remb))
        var tooMany = remb
        tooMany.ssrcs.append(SSRC(999))
        #expect(throws: WriteError.self) { try encodeRTCP(.receiverEstimatedMaximumBitrate(tooMany)) }
    }
}
