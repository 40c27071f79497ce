import Testing
@testable import RTCCore

/// Trickle ICE (RFC 8840) through the connection's pass-throughs to the full agent.
@Suite("Peer trickle ICE")
struct PeerTrickleTests {
    @Test("candidates trickled after the offer are used, even before the answer is applied")
    func trickled() throws {
        let server = PeerConnection(configuration: PeerPair.serverConfiguration())
        var offer = try PeerPair.reparse(server.createOffer(sections: PeerPair.sections))
        offer.removeCandidates()
        let (client, answer) = try PeerConnection.answer(
            offer: offer, configuration: PeerPair.clientConfiguration(),
            options: PeerPair.answerOptions(setup: .active), now: .zero)
        let pair = PeerPair(a: client, b: server)
        pair.run(for: .milliseconds(100))
        #expect(pair.sent(.stun, by: .a).isEmpty)  // nothing to check yet
        for c in server.localCandidates { client.addRemoteCandidate(c, now: pair.now) }
        client.endOfRemoteCandidates(now: pair.now)
        try server.setRemoteAnswer(try PeerPair.reparse(answer), now: pair.now)
        #expect(pair.runUntilConnected())
    }

    @Test("candidates trickled to an offerer before its answer are held")
    func heldUntilAnswer() throws {
        let client = PeerConnection(configuration: PeerPair.clientConfiguration())
        let offer = try PeerPair.reparse(client.createOffer(sections: PeerPair.sections))
        let (server, answer) = try PeerConnection.answer(
            offer: offer, configuration: PeerPair.serverConfiguration(),
            options: PeerPair.answerOptions(setup: .passive), now: .zero)
        var bare = try PeerPair.reparse(answer)
        bare.removeCandidates()
        for c in server.localCandidates { client.addRemoteCandidate(c, now: .zero) }
        try client.setRemoteAnswer(bare, now: .zero)
        #expect(client.transport?.isFullICE == true)
        let pair = PeerPair(a: client, b: server)
        #expect(pair.runUntilConnected())
    }

    @Test("with end-of-candidates and only unreachable candidates, ICE fails without waiting")
    func endOfCandidatesFailsFast() throws {
        let server = PeerConnection(configuration: PeerPair.serverConfiguration())
        var offer = try PeerPair.reparse(server.createOffer(sections: PeerPair.sections))
        offer.removeCandidates()
        let (client, _) = try PeerConnection.answer(
            offer: offer, configuration: PeerPair.clientConfiguration(),
            options: PeerPair.answerOptions(setup: .active), now: .zero)
        let pair = PeerPair(a: client, b: server)
        let nowhere = ICECandidate(foundation: "1", priority: 2_130_706_431,
                                   address: TransportAddress("10.0.0.77:1")!, type: .host)
        client.addRemoteCandidate(nowhere, now: .zero)
        client.endOfRemoteCandidates(now: .zero)
        pair.run(for: .seconds(40))
        #expect(client.state == .failed(.iceFailed))
        let failedAt = try #require(pair.time(of: .failed(.iceFailed), .a))
        // 7 transmissions with a doubling RTO capped at 3 s: ~ 0.5+1+2+3+3+3+3 s.
        #expect(failedAt < .ms(16_000), "failed at \(failedAt)")
        #expect(pair.misrouted > 0)
    }
}
