import Testing
@testable import RTCCore

/// A new offer/answer on an existing connection keeps the transport and updates what the
/// negotiation decides (extension ids, sections).
@Suite("Peer renegotiation")
struct PeerRenegotiationTests {
    static let audioOnly = [SDPOfferSection(mid: Mid("0")!, kind: .audio, direction: .sendrecv)]

    @Test("the client adds video with a new offer")
    func clientAddsVideo() throws {
        let pair = try PeerPair.clientOffers(sections: Self.audioOnly)
        #expect(pair.runUntilConnected())
        let transports = (pair.a.transport, pair.b.transport)
        #expect(pair.b.transport?.inboundExtensionMap.id(for: .rid) == nil)
        pair.exchangeMedia(count: 5)

        let offer = try PeerPair.reparse(pair.a.createOffer(sections: PeerPair.sections))
        #expect(pair.a.signalingState == .haveLocalOffer)
        let answer = try pair.b.answer(offer: offer, options: PeerPair.answerOptions(setup: .active), now: pair.now)
        // The running role is kept whatever the options prefer (JSEP §5.3.1).
        #expect(answer.media.allSatisfy { answer.setup(for: $0) == .passive })
        try pair.a.setRemoteAnswer(try PeerPair.reparse(answer), now: pair.now)
        #expect(pair.a.signalingState == .stable)
        #expect(pair.a.transport === transports.0)
        #expect(pair.b.transport === transports.1)
        #expect(pair.b.negotiated?.acceptedMedia.count == 2)
        #expect(pair.b.transport?.inboundExtensionMap.id(for: .rid) == 10)
        #expect(pair.a.localDescription?.origin.sessionVersion == 2)
        #expect(pair.b.localDescription?.origin.sessionVersion == 2)

        let sent = pair.exchangeMedia(count: 5, firstSequence: 6)
        pair.run(for: .milliseconds(50))
        #expect(pair.rtp[.b]!.suffix(5) == sent.rtp[.a]![...])
        #expect(pair.states(.a) == [.connecting, .connected])
        #expect(pair.states(.b) == [.connecting, .connected])
    }

    @Test("the server renegotiates its subscriber offer")
    func serverReoffers() throws {
        let pair = try PeerPair.serverOffers(sections: Self.audioOnly)
        #expect(pair.runUntilConnected())
        let transport = pair.a.transport
        let offer = try PeerPair.reparse(pair.b.createOffer(sections: PeerPair.sections))
        let answer = try pair.a.answer(offer: offer, options: PeerPair.answerOptions(setup: .passive), now: pair.now)
        #expect(answer.media.allSatisfy { answer.setup(for: $0) == .active })
        try pair.b.setRemoteAnswer(try PeerPair.reparse(answer), now: pair.now)
        #expect(pair.a.transport === transport)
        #expect(pair.a.negotiated?.acceptedMedia.count == 2)
        let sent = pair.exchangeMedia(count: 5)
        pair.run(for: .milliseconds(50))
        #expect(pair.rtp[.a]! == sent.rtp[.b]!)
    }

    @Test("an answer that flips the DTLS role is refused and changes nothing")
    func roleFlip() throws {
        let pair = try PeerPair.clientOffers()
        #expect(pair.runUntilConnected())
        let offer = try PeerPair.reparse(pair.a.createOffer(sections: PeerPair.sections))
        var answer = try PeerPair.reparse(
            try pair.b.answer(offer: offer, options: PeerPair.answerOptions(setup: .passive), now: pair.now))
        for i in answer.media.indices {
            answer.media[i].attributes = answer.media[i].attributes.map {
                if case .setup = $0 { return .setup(.active) } else { return $0 }
            }
        }
        #expect(throws: PeerConnectionError.dtlsRoleChanged) { try pair.a.setRemoteAnswer(answer, now: pair.now) }
        #expect(pair.a.signalingState == .haveLocalOffer)
        let sent = pair.exchangeMedia(count: 3)
        pair.run(for: .milliseconds(50))
        #expect(pair.rtp[.b]! == sent.rtp[.a]!)
    }

    @Test("an answer with other fingerprints once DTLS is up is refused")
    func fingerprintChange() throws {
        let pair = try PeerPair.clientOffers()
        #expect(pair.runUntilConnected())
        let offer = try PeerPair.reparse(pair.a.createOffer(sections: PeerPair.sections))
        var answer = try PeerPair.reparse(
            try pair.b.answer(offer: offer, options: PeerPair.answerOptions(setup: .passive), now: pair.now))
        answer.replaceFingerprints(with: DTLSTestCertificates.mallory.fingerprint)
        #expect(throws: PeerConnectionError.fingerprintsChanged) { try pair.a.setRemoteAnswer(answer, now: pair.now) }
        #expect(pair.a.remoteFingerprints == [DTLSTestCertificates.bob.fingerprint])
    }
}
