import Foundation
@testable import RTCCore

/// Paths and fixtures for the SDP tests.
enum SDPTestSupport {
    /// The package root: this file is <root>/Tests/RTCCoreTests/SDP/SDPTestSupport.swift.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // SDP
        .deletingLastPathComponent()  // RTCCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // root

    static let fixtureNames = ["chromium-offer-simulcast.sdp", "chromium-answer.sdp", "aiortc-offer.sdp",
                               "chromium-answer-to-sfu-offer.sdp"]

    static func fixtureBytes(_ name: String) throws -> [UInt8] {
        let url = packageRoot.appendingPathComponent("Fixtures/sdp").appendingPathComponent(name)
        return [UInt8](try Data(contentsOf: url))
    }

    static func fixture(_ name: String) throws -> SessionDescription {
        try SessionDescription.parse(try fixtureBytes(name))
    }

    static let corpusDirectory: URL = packageRoot
        .deletingLastPathComponent()
        .appendingPathComponent("shared/corpora/sdp-corpus")
}

extension Mid {
    /// Test shorthand: a literal known to be a valid identifier.
    static func t(_ s: String) -> Mid {
        guard let m = Mid(s) else { fatalError("bad test identifier \(s)") }
        return m
    }
}
