import Testing
@testable import RTCCore

/// A link with delay, jitter, loss, reordering and duplication still connects and carries
/// media: ICE and DTLS retransmit, SRTP drops duplicates as replays.
@Suite("Peer impaired link")
struct PeerImpairedLinkTests {
    static let bad = LinkConditions(delay: .milliseconds(40), jitter: .milliseconds(20), loss: 0.1,
                                    duplication: 0.05, reorder: 0.1, reorderDelay: .milliseconds(30))

    @Test("connects and carries media", arguments: [false, true], [UInt64(1), 2, 3])
    func impaired(serverOffers: Bool, seed: UInt64) throws {
        let pair = serverOffers
            ? try PeerPair.serverOffers(conditions: Self.bad, seed: seed)
            : try PeerPair.clientOffers(conditions: Self.bad, seed: seed)
        #expect(pair.runUntilConnected(limit: .seconds(20)), "not connected at \(pair.now)")
        let sent = pair.exchangeMedia(count: 200)
        pair.run(for: .milliseconds(500))
        for side in [PeerSide.a, .b] {
            let receiver = side.other
            let got = pair.rtp[receiver]!
            // Every packet that arrived is byte-identical to one that was sent, once.
            #expect(Set(got).isSubset(of: Set(sent.rtp[side]!)))
            #expect(Set(got).count == got.count)
            // About 10% loss.
            #expect(got.count > 150, "\(receiver) got \(got.count)")
            #expect(pair.dropCount(.srtpAuthenticationFailed, receiver) == 0)
            #expect(pair.dropCount(.unvalidatedSource, receiver) == 0)
            #expect(pair.peer(receiver).state == .connected)
        }
        #expect(pair.linkAB.stats.duplicated + pair.linkBA.stats.duplicated > 0)
        #expect(pair.linkAB.stats.reordered + pair.linkBA.stats.reordered > 0)
        #expect(pair.linkAB.stats.lost + pair.linkBA.stats.lost > 0)
    }
}
