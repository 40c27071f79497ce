import Testing
@testable import RTCCore

@Suite struct RTCPFuzzTests {
    @Test func acceptsEveryFixture() throws {
        for name in try RTCPTestSupport.fixtureNames() {
            #expect(fuzzRTCP(try RTCPTestSupport.fixture(name)), "\(name)")
        }
    }

    @Test func refusesGarbage() {
        #expect(!fuzzRTCP([]))
        #expect(!fuzzRTCP([0x00]))
        #expect(!fuzzRTCP([0x80, 0xC8, 0x00, 0x06]))
    }
}
