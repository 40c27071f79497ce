import Testing
@testable import RTCCore

/// STUN messages with a wrong MESSAGE-INTEGRITY (RFC 8489 §9.1.3) are refused and counted,
/// and validate no address.
@Suite("Peer STUN integrity")
struct PeerSTUNIntegrityTests {
    static let attacker = TransportAddress("10.0.0.66:6666")!
    static let wrongKey = ICECredentials(ufrag: "SrvB", pwd: "notTheServerPassword+/xy")

    static func request(tid: STUNTransactionID, username: String, key: [UInt8], useCandidate: Bool) -> [UInt8] {
        // A valid message by construction; a failure here is a bug in the test.
        try! STUNMessageWriter.message(type: .bindingRequest, transactionID: tid) { w throws(WriteError) in
            try w.appendUsername(username)
            try w.appendPriority(0x6E00_01FF)
            try w.appendICEControlling(7)
            if useCandidate { try w.appendUseCandidate() }
            try w.appendMessageIntegrity(key: key)
            try w.appendFingerprint()
        }
    }

    @Test("a check to the ICE-lite server with a wrong password: 401, counted, nothing validated")
    func wrongCheck() throws {
        let pair = try PeerPair.clientOffers()
        var rng = SeededRandom(seed: 9)
        for from in [Self.attacker, PeerPair.addressA] {
            let bad = Self.request(tid: STUNTransactionID(using: &rng), username: "SrvB:CliA",
                                   key: Array(Self.wrongKey.pwd.utf8), useCandidate: true)
            pair.inject(bad, to: .b, from: from)
        }
        let stats = try #require(pair.b.transport?.iceStats)
        #expect(stats.unauthorizedSent == 2)
        #expect(stats.requestsAccepted == 0)
        #expect(pair.b.selectedPair == nil)
        #expect(pair.b.transport?.iceState == .new)
        // The attacker's address was not validated: its DTLS is dropped.
        pair.inject([22, 0xFE, 0xFD] + [UInt8](repeating: 0, count: 60), to: .b, from: Self.attacker)
        #expect(pair.drops[.b]!.last == .unvalidatedSource)

        #expect(pair.runUntilConnected())
        // Media "from" the attacker (a replay of the client's) is refused by source.
        pair.exchangeMedia(count: 3)
        let stolen = try #require(pair.sent(.rtp, by: .a).last)
        pair.inject(stolen.bytes, to: .b, from: Self.attacker)
        #expect(pair.drops[.b]!.last == .unvalidatedSource)
        #expect(pair.b.transport?.stats.dropped(.unvalidatedSource) == 2)
        #expect(pair.rtp[.b]!.count == 3)
    }

    @Test("a forged response to the full agent's check is dropped and counted")
    func forgedResponse() throws {
        let pair = try PeerPair.clientOffers()
        pair.run(until: pair.now + .milliseconds(1))
        let check = try #require(pair.sent(.stun, by: .a).first)
        let tid = try #require(STUNTransactionID(Array(check.bytes[8..<20])))
        // Wrong key from the right address, and the right key from the wrong address.
        let forged = try #require(ICEConnectivityCheck.success(transactionID: tid, mapped: PeerPair.addressA, local: Self.wrongKey))
        pair.inject(forged, to: .a, from: PeerPair.addressB)
        var stats = try #require(pair.a.transport?.iceStats)
        #expect(stats.responsesDropped == 1)
        #expect(stats.responsesReceived == 0)
        #expect(pair.a.transport?.iceState == .checking)
        let unauthenticated = try STUNMessageWriter.message(type: .bindingSuccess, transactionID: tid) {
            w throws(WriteError) in
            try w.appendXORMappedAddress(PeerPair.addressA)
            try w.appendFingerprint()
        }
        pair.inject(unauthenticated, to: .a, from: PeerPair.addressB)
        stats = try #require(pair.a.transport?.iceStats)
        #expect(stats.responsesDropped == 2)
        // The genuine response still completes the check.
        #expect(pair.runUntilConnected())
        #expect(pair.a.transport?.iceStats.responsesReceived ?? 0 >= 1)
    }

    @Test("a check for another ufrag is refused by the server")
    func otherUfrag() throws {
        let pair = try PeerPair.clientOffers()
        var rng = SeededRandom(seed: 10)
        let bad = Self.request(tid: STUNTransactionID(using: &rng), username: "Else:CliA",
                               key: Array(PeerPair.credentialsB.pwd.utf8), useCandidate: false)
        pair.inject(bad, to: .b, from: Self.attacker)
        #expect(pair.b.transport?.iceStats.unauthorizedSent == 1)
        #expect(pair.runUntilConnected())
    }
}
