import Testing
@testable import RTCCore

/// Consent freshness (RFC 7675): when the path dies, both sides go disconnected, then failed,
/// and stop sending media.
@Suite("Peer consent expiry")
struct PeerConsentTests {
    @Test("a dead link: disconnected, then failed, on both sides", arguments: [false, true])
    func expiry(serverOffers: Bool) throws {
        let pair = serverOffers ? try PeerPair.serverOffers() : try PeerPair.clientOffers()
        #expect(pair.runUntilConnected())
        pair.exchangeMedia(count: 100)  // 2 s of media, consent checks keep flowing
        let died = pair.now
        pair.linkAB.conditions.loss = 1
        pair.linkBA.conditions.loss = 1
        pair.run(for: .seconds(45))
        for side in [PeerSide.a, .b] {
            #expect(pair.states(side) == [.connecting, .connected, .disconnected, .failed(.iceFailed)],
                    "\(side): \(pair.states(side))")
            let disconnected = try #require(pair.time(of: .disconnected, side))
            let failed = try #require(pair.time(of: .failed(.iceFailed), side))
            // The last consent was at most one check interval (5 s ± 20%) before the link died.
            #expect(disconnected > died + .seconds(3) && disconnected <= died + .seconds(10), "\(side) \(disconnected)")
            #expect(failed - disconnected == .seconds(20), "\(side)")
            // RFC 7675 §5.1: no more media once consent expired.
            #expect(!pair.peer(side).sendRTP(PeerTestMedia.rtp(ssrc: 1, sequence: 1)))
            #expect(pair.peer(side).nextTimeout() == nil, "\(side) still has a timer")
        }
        // The client kept probing while consent lapsed.
        #expect((pair.a.transport?.iceStats.consentChecksSent ?? 0) > 10)
    }

    @Test("a link that comes back before the failure threshold recovers to connected")
    func recovers() throws {
        let pair = try PeerPair.clientOffers()
        #expect(pair.runUntilConnected())
        pair.linkAB.conditions.loss = 1
        pair.linkBA.conditions.loss = 1
        pair.run(until: pair.now + .seconds(15)) { pair.a.state == .disconnected && pair.b.state == .disconnected }
        #expect(pair.a.state == .disconnected)
        pair.linkAB.conditions.loss = 0
        pair.linkBA.conditions.loss = 0
        pair.run(for: .seconds(3))
        for side in [PeerSide.a, .b] {
            #expect(pair.peer(side).state == .connected, "\(side)")
            #expect(pair.states(side).suffix(2) == [.disconnected, .connected], "\(side)")
        }
        let sent = pair.exchangeMedia(count: 10)
        pair.run(for: .milliseconds(50))
        #expect(pair.rtp[.b]!.suffix(10) == sent.rtp[.a]![...])
    }
}
