import Testing
@testable import RTCCore

@Suite struct RTCPApplicationDefinedTests {
    @Test func rfcVector() throws {
        let bytes = try RTCPTestSupport.fixture("application-defined.hex")
        let app = try parseWith(bytes, ApplicationDefined.parse)
        #expect(app.subtype == 5)
        #expect(app.ssrc == SSRC(0x1122_3344))
        #expect(app.name == 0x5445_5354)
        #expect(app.nameText == "TEST")
        #expect(app.data == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(try encodeRTCP(.applicationDefined(app)) == bytes)
    }

    @Test func tooShortForName() {
        let bytes = RTCPTestSupport.hex("80 cc 00 01  00 00 00 01")
        #expect(throws: ParseError.self) { try parseRTCP(bytes) }
    }

    @Test func unalignedDataRoundTripsWithPadding() throws {
        let app = ApplicationDefined(subtype: 31, ssrc: SSRC(2), name: 0x4142_4344, data: [9, 8, 7, 6, 5])
        let bytes = try encodeRTCP(.applicationDefined(app))
        #expect(bytes.count == 20)
        #expect(try parseRTCP(bytes) == .applicationDefined(app))
    }
}
