import Testing
@testable import RTCCore

@Suite struct RTCPFullIntraRequestTests {
    @Test func rfcVector() throws {
        let bytes = try RTCPTestSupport.fixture("full-intra-request.hex")
        let fir = try parseWith(bytes, FullIntraRequest.parse)
        #expect(fir.senderSSRC == SSRC(0x1122_3344))
        #expect(fir.mediaSSRC == SSRC(0))
        #expect(fir.entries == [FullIntraRequestEntry(ssrc: SSRC(0xAABB_CCDD), sequenceNumber: 7)])
        #expect(try encodeRTCP(.fullIntraRequest(fir)) == bytes)
    }

    @Test func reservedBitsIgnoredOnReceipt() throws {
        var bytes = try RTCPTestSupport.fixture("full-intra-request.hex")
        bytes[17] = 0xFF
        bytes[19] = 0x01
        guard case .fullIntraRequest(let fir) = try parseRTCP(bytes) else {
            Issue.record("not a FIR")
            return
        }
        #expect(fir.entries == [FullIntraRequestEntry(ssrc: SSRC(0xAABB_CCDD), sequenceNumber: 7)])
    }

    @Test func partialEntryIsRefused() {
        let bytes = RTCPTestSupport.hex("84 ce 00 03  00 00 00 01  00 00 00 00  00 00 00 02")
        #expect(throws: ParseError.self) { try parseRTCP(bytes) }
    }
}
