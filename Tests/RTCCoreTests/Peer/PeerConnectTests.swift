import Testing
@testable import RTCCore

/// Connecting in both offer/answer directions and both DTLS roles, over a clean link.
@Suite("Peer connect")
struct PeerConnectTests {
    static let roles: [DTLSRole] = [.client, .server]

    @Test("client (full ICE) offers, server (ICE-lite) answers", arguments: roles)
    func clientOffers(serverDTLS: DTLSRole) throws {
        let pair = try PeerPair.clientOffers(serverDTLS: serverDTLS)
        #expect(pair.b.transport?.dtlsRole == serverDTLS)
        #expect(pair.a.transport?.dtlsRole == (serverDTLS == .client ? .server : .client))
        #expect(pair.a.transport?.iceRole == .controlling)
        #expect(pair.runUntilConnected(limit: .seconds(2)))
        checkConnected(pair)
    }

    @Test("server (ICE-lite) offers, client (full ICE) answers", arguments: roles)
    func serverOffers(clientDTLS: DTLSRole) throws {
        let pair = try PeerPair.serverOffers(clientDTLS: clientDTLS)
        #expect(pair.a.transport?.dtlsRole == clientDTLS)
        #expect(pair.b.transport?.dtlsRole == (clientDTLS == .client ? .server : .client))
        // A full agent facing ICE-lite controls even when it answers (RFC 8445 §6.1.1).
        #expect(pair.a.transport?.iceRole == .controlling)
        #expect(pair.runUntilConnected(limit: .seconds(2)))
        checkConnected(pair)
    }

    func checkConnected(_ pair: PeerPair) {
        for side in [PeerSide.a, .b] {
            #expect(pair.states(side) == [.connecting, .connected], "\(side)")
            #expect(pair.iceStates(side).first == .checking, "\(side)")
            #expect(pair.peer(side).selectedPair == ICESelectedPair(
                local: side == .a ? PeerPair.addressA : PeerPair.addressB,
                remote: side == .a ? PeerPair.addressB : PeerPair.addressA))
            #expect(pair.transport(side)?.srtpProfile == .aeadAES128GCM)
            #expect(pair.drops[side]!.isEmpty, "\(side): \(pair.drops[side]!)")
        }
        // On a 10 ms link: a check round trip, nomination, then two DTLS round trips.
        #expect(pair.now < .ms(200), "connected at \(pair.now)")
        #expect(pair.misrouted == 0)
    }

    @Test("checks that arrive before the offerer has the answer are held and replayed")
    func earlyChecks() throws {
        // The server offers; the client answers, and its checks reach the server before the
        // answer does (signaling slower than media).
        let server = PeerConnection(configuration: PeerPair.serverConfiguration())
        let offer = server.createOffer(sections: PeerPair.sections)
        let (client, answer) = try PeerConnection.answer(
            offer: try PeerPair.reparse(offer), configuration: PeerPair.clientConfiguration(),
            options: PeerPair.answerOptions(setup: .active), now: .zero)
        let pair = PeerPair(a: client, b: server)
        pair.run(for: .milliseconds(30))
        #expect(server.transport == nil)
        #expect(server.state == .new)
        #expect(pair.sent(.stun, by: .a).count >= 1)
        try server.setRemoteAnswer(try PeerPair.reparse(answer), now: pair.now)
        #expect(pair.runUntilConnected(limit: .seconds(2)))
        // Answered from the held check: connected well before the client's first retransmission
        // (500 ms) would have been needed.
        #expect(pair.now < .ms(150), "connected at \(pair.now)")
        #expect(server.earlyDatagramsDropped == 0)
    }

    @Test("close sends close_notify and the peer sees closed")
    func close() throws {
        let pair = try PeerPair.clientOffers()
        #expect(pair.runUntilConnected())
        pair.a.close(now: pair.now)
        pair.run(for: .milliseconds(100))
        #expect(pair.a.state == .closed)
        #expect(pair.b.state == .closed)
        #expect(pair.a.nextTimeout() == nil)
        #expect(pair.b.nextTimeout() == nil)
        #expect(!pair.a.sendRTP(PeerTestMedia.rtp(ssrc: 1, sequence: 1)))
    }
}
