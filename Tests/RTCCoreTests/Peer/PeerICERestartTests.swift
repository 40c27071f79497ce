import Testing
@testable import RTCCore

/// ICE restart (RFC 8445 §9) through a new offer/answer keeps the transport and media flowing.
@Suite("Peer ICE restart")
struct PeerICERestartTests {
    static let newA = ICECredentials(ufrag: "CliA2", pwd: "clientPasswordTwo24Chars")
    static let newB = ICECredentials(ufrag: "SrvB2", pwd: "serverPasswordTwo24Chars")

    @Test("the client restarts (it offers again with new credentials)")
    func clientRestarts() throws {
        let pair = try PeerPair.clientOffers()
        #expect(pair.runUntilConnected())
        let transports = (pair.a.transport, pair.b.transport)
        pair.exchangeMedia(count: 10)

        pair.a.restartICE(localCredentials: Self.newA, now: pair.now)
        let offer = try PeerPair.reparse(pair.a.createOffer(sections: PeerPair.sections))
        #expect(offer.media.allSatisfy { offer.iceUfrag(for: $0) == "CliA2" })
        pair.exchangeMedia(count: 5)  // the offer is on its way; media continues
        let answer = try pair.b.answer(offer: offer, options: PeerPair.answerOptions(setup: .passive),
                                       restartCredentials: Self.newB, now: pair.now)
        #expect(answer.media.allSatisfy { answer.iceUfrag(for: $0) == "SrvB2" })
        try pair.a.setRemoteAnswer(try PeerPair.reparse(answer), now: pair.now)
        try checkRestarted(pair, transports: transports, sentBefore: 15)
    }

    @Test("the server restarts (it offers again with new credentials)")
    func serverRestarts() throws {
        let pair = try PeerPair.serverOffers()
        #expect(pair.runUntilConnected())
        let transports = (pair.a.transport, pair.b.transport)
        pair.exchangeMedia(count: 10)

        pair.b.restartICE(localCredentials: Self.newB, now: pair.now)
        let offer = try PeerPair.reparse(pair.b.createOffer(sections: PeerPair.sections))
        pair.exchangeMedia(count: 5)
        let answer = try pair.a.answer(offer: offer, options: PeerPair.answerOptions(setup: .active),
                                       restartCredentials: Self.newA, now: pair.now)
        try pair.b.setRemoteAnswer(try PeerPair.reparse(answer), now: pair.now)
        try checkRestarted(pair, transports: transports, sentBefore: 15)
    }

    func checkRestarted(_ pair: PeerPair, transports: (PeerTransport?, PeerTransport?), sentBefore: Int) throws {
        #expect(pair.a.transport === transports.0)
        #expect(pair.b.transport === transports.1)
        let acceptedBefore = pair.b.transport?.iceStats.requestsAccepted ?? 0
        // Media through and well past the restart: consent (30 s) must hold with the new
        // credentials alone.
        pair.exchangeMedia(count: 2_000, interval: .milliseconds(20))
        for side in [PeerSide.a, .b] {
            #expect(pair.rtp[side]!.count == sentBefore + 2_000, "\(side)")
            #expect(pair.states(side) == [.connecting, .connected], "\(side): \(pair.states(side))")
            #expect(pair.drops[side]!.isEmpty, "\(side): \(pair.drops[side]!.prefix(5))")
        }
        #expect(pair.a.transport?.localCredentials == Self.newA)
        #expect(pair.b.transport?.localCredentials == Self.newB)
        #expect(pair.a.remoteCredentials == Self.newB)
        #expect(pair.b.remoteCredentials == Self.newA)
        #expect((pair.b.transport?.iceStats.requestsAccepted ?? 0) > acceptedBefore + 5)
        // Only one DTLS handshake: the association survived.
        #expect(pair.events[.a]!.filter { if case .dtlsConnected = $0.1 { true } else { false } }.count == 1)
    }

    @Test("a restart brings a transport back after consent failed")
    func afterFailure() throws {
        let pair = try PeerPair.clientOffers()
        #expect(pair.runUntilConnected())
        pair.linkAB.conditions.loss = 1
        pair.linkBA.conditions.loss = 1
        pair.run(for: .seconds(40))
        #expect(pair.a.state == .failed(.iceFailed))
        #expect(pair.b.state == .failed(.iceFailed))
        pair.linkAB.conditions.loss = 0
        pair.linkBA.conditions.loss = 0

        pair.a.restartICE(localCredentials: Self.newA, now: pair.now)
        let offer = try PeerPair.reparse(pair.a.createOffer(sections: PeerPair.sections))
        let answer = try pair.b.answer(offer: offer, options: PeerPair.answerOptions(setup: .passive),
                                       restartCredentials: Self.newB, now: pair.now)
        try pair.a.setRemoteAnswer(try PeerPair.reparse(answer), now: pair.now)
        let restartedAt = pair.now
        #expect(pair.runUntilConnected(limit: .seconds(2)))
        #expect(pair.now - restartedAt < .milliseconds(200))
        let sent = pair.exchangeMedia(count: 10)
        pair.run(for: .milliseconds(50))
        #expect(pair.rtp[.b]! == sent.rtp[.a]!)
        #expect(pair.rtp[.a]! == sent.rtp[.b]!)
    }
}
