import Foundation
import Testing
@testable import RTCCore

/// The binary fixtures under Fixtures/stun match the annotated vectors in the tests.
@Suite struct STUNFixtureTests {
    @Test(arguments: [
        ("rfc5769-2.1-request.stun", STUNRFC5769VectorTests.request),
        ("rfc5769-2.2-ipv4-response.stun", STUNRFC5769VectorTests.ipv4Response),
        ("rfc5769-2.3-ipv6-response.stun", STUNRFC5769VectorTests.ipv6Response),
        ("rfc5769-2.4-long-term-request.stun", STUNRFC5769VectorTests.longTermRequest),
    ])
    func fixtureMatchesVector(name: String, vector: [UInt8]) throws {
        let url = STUNTestSupport.packageRoot().appendingPathComponent("Fixtures/stun/\(name)")
        let bytes = [UInt8](try Data(contentsOf: url))
        #expect(bytes == vector)
        #expect(bytes.withUnsafeBytes { STUNFuzz.fuzz($0) })
    }
}
