import Foundation
import Testing
@testable import RTCCore

/// Used by scripts/capture/check_chromium_negotiation.py to let a real Chromium judge what
/// the negotiator writes: with SDP_INTEROP_DIR set, reads `remote-offer.sdp` there and writes
/// `sfu-answer.sdp` (the SFU's answer to it) and `sfu-offer.sdp` (a subscriber offer).
/// Without the variable it only checks that the generated SDP reads back.
@Suite struct SDPInteropDump {
    @Test func dump() throws {
        let env = ProcessInfo.processInfo.environment["SDP_INTEROP_DIR"]
        let dir = env.map { URL(fileURLWithPath: $0) }
        let offerText: String
        if let dir {
            offerText = try String(contentsOf: dir.appendingPathComponent("remote-offer.sdp"), encoding: .utf8)
        } else {
            offerText = String(decoding: try SDPTestSupport.fixtureBytes("chromium-offer-simulcast.sdp"), as: UTF8.self)
        }
        let offer = try SessionDescription.parse(offerText)
        let (answer, _) = try SDPNegotiator.answer(to: offer, local: SDPNegotiatorTests.server,
                                                   options: SDPNegotiatorTests.options)
        let subscriberOffer = SDPNegotiatorTests.subscriberOffer()
        #expect(try SessionDescription.parse(answer.serialized()) == answer)
        if let dir {
            try answer.serialized().write(to: dir.appendingPathComponent("sfu-answer.sdp"), atomically: true, encoding: .utf8)
            try subscriberOffer.serialized().write(to: dir.appendingPathComponent("sfu-offer.sdp"), atomically: true, encoding: .utf8)
        }
    }
}
