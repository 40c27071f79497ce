import Testing
@testable import RTCServer

@Suite struct ServerSmokeTests {
    @Test func envHelperReadsNothingForUnset() {
        #expect(env("SFU_DEFINITELY_UNSET_VARIABLE") == nil)
    }
}
