import Testing
@testable import RTCCore

/// A peer whose certificate does not match the fingerprint in its description is refused
/// (RFC 5763 §5, RFC 8122 §5): no keys, no media in either direction.
@Suite("Peer fingerprint mismatch")
struct PeerFingerprintMismatchTests {
    @Test("the client is given a wrong server fingerprint", arguments: [DTLSRole.client, .server])
    func clientDeceived(serverDTLS: DTLSRole) throws {
        let pair = try PeerPair.clientOffers(serverDTLS: serverDTLS, editAnswer: { answer in
            answer.replaceFingerprints(with: DTLSTestCertificates.mallory.fingerprint)
        })
        check(pair, victim: .a)
    }

    @Test("the server is given a wrong client fingerprint", arguments: [DTLSRole.client, .server])
    func serverDeceived(serverDTLS: DTLSRole) throws {
        let pair = try PeerPair.clientOffers(serverDTLS: serverDTLS, editOffer: { offer in
            offer.replaceFingerprints(with: DTLSTestCertificates.mallory.fingerprint)
        })
        check(pair, victim: .b)
    }

    func check(_ pair: PeerPair, victim: PeerSide) {
        pair.run(for: .seconds(2))
        let v = pair.peer(victim)
        #expect(v.state.dtlsFailure == .fingerprintMismatch, "\(victim): \(v.state)")
        #expect(!v.isSecure)
        #expect(v.transport?.srtpInboundStats == nil)
        // Whatever the other side believes, no media gets through either way.
        pair.exchangeMedia(count: 10, expectSent: false)
        pair.run(for: .milliseconds(100))
        #expect(pair.rtp[.a]!.isEmpty)
        #expect(pair.rtp[.b]!.isEmpty)
        #expect(pair.rtcp[.a]!.isEmpty)
        #expect(pair.rtcp[.b]!.isEmpty)
        #expect(!v.sendRTP(PeerTestMedia.rtp(ssrc: 1, sequence: 1)))
        // The failure is final: ICE stopped with it, and nothing overwrites it later.
        pair.run(for: .seconds(60))
        #expect(v.state.dtlsFailure == .fingerprintMismatch)
        #expect(v.nextTimeout() == nil)
    }
}
