import Testing
@testable import RTCCore

@Suite struct RTCPPictureLossIndicationTests {
    @Test func rfcVector() throws {
        let bytes = try RTCPTestSupport.fixture("picture-loss-indication.hex")
        let pli = try parseWith(bytes, PictureLossIndication.parse)
        #expect(pli == PictureLossIndication(senderSSRC: SSRC(0x1122_3344), mediaSSRC: SSRC(0xAABB_CCDD)))
        #expect(try encodeRTCP(.pictureLossIndication(pli)) == bytes)
        #expect(try parseRTCP(bytes) == .pictureLossIndication(pli))
    }

    @Test func tooShort() {
        #expect(throws: ParseError.self) { try parseRTCP(RTCPTestSupport.hex("81 ce 00 01 00 00 00 01")) }
    }
}
