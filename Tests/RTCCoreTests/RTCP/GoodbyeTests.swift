import Testing
@testable import RTCCore

@Suite struct RTCPGoodbyeTests {
    @Test func rfcVectorWithReason() throws {
        let bytes = try RTCPTestSupport.fixture("goodbye.hex")
        let bye = try parseWith(bytes, Goodbye.parse)
        #expect(bye.sources == [SSRC(0x1122_3344), SSRC(0x5566_7788)])
        #expect(bye.reasonText == "done")
        #expect(try encodeRTCP(.goodbye(bye)) == bytes)
    }

    @Test func rfcVectorWithoutReason() throws {
        let bytes = try RTCPTestSupport.fixture("goodbye-no-reason.hex")
        let bye = try parseWith(bytes, Goodbye.parse)
        #expect(bye == Goodbye(sources: [SSRC(0x1122_3344)]))
        #expect(bye.reason == nil)
        #expect(try encodeRTCP(.goodbye(bye)) == bytes)
    }

    @Test func reasonLengths() throws {
        for n in 0...255 {
            let bye = Goodbye(sources: [SSRC(1)], reason: Array(repeating: 0x41, count: n))
            let bytes = try encodeRTCP(.goodbye(bye))
            #expect(bytes.count % 4 == 0)
            #expect(try parseRTCP(bytes) == .goodbye(bye))
        }
        #expect(throws: WriteError.self) {
            try encodeRTCP(.goodbye(Goodbye(sources: [], reason: Array(repeating: 0x41, count: 256))))
        }
    }

    @Test func reasonLongerThanPacketIsTruncated() {
        let bytes = RTCPTestSupport.hex("81 cb 00 02  00 00 00 01  09 61 62 63")
        #expect(throws: ParseError.self) { try parseRTCP(bytes) }
    }

    @Test func sourceCountBeyondPacket() {
        let bytes = RTCPTestSupport.hex("9f cb 00 01  00 00 00 01")  // SC=31
        #expect(throws: ParseError.self) { try parseRTCP(bytes) }
    }
}
