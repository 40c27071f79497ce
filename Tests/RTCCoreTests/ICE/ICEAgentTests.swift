import Testing
@testable import RTCCore

/// Full-agent behaviour against hand-made peers.
@Suite struct ICEAgentTests {
    typealias S = ICETestSupport
    let server = TransportAddress("10.0.0.2:40000")!

    func agent(tweak: (inout ICEAgent.Configuration) -> Void = { _ in }) -> ICEAgent {
        var config = ICEAgent.Configuration(localCredentials: S.peerCredentials,
                                            hostAddresses: [ICEHostAddress(base: S.clientV4)], seed: 11)
        tweak(&config)
        var a = ICEAgent(configuration: config, now: .zero)
        a.setRemoteCredentials(S.liteCredentials, now: .zero)
        a.addRemoteCandidate(ICECandidate("candidate:1 1 udp 2130706431 10.0.0.2 40000 typ host")!, now: .zero)
        return a
    }

    func success(for request: ICETransmit, key: String = ICETestSupport.liteCredentials.pwd) throws -> [UInt8] {
        let tid = try STUNTestSupport.withMessage(request.bytes) { $0.transactionID }
        return try STUNMessageWriter.message(type: .bindingSuccess, transactionID: tid) { w throws(WriteError) in
            try w.appendXORMappedAddress(request.from)
            try w.appendMessageIntegrity(key: Array(key.utf8))
            try w.appendFingerprint()
        }
    }

    @Test func checkCarriesICEAttributes() throws {
        var a = agent()
        let t = try #require(S.transmits(S.drain(&a)).first)
        #expect(t.to == server && t.from == S.clientV4)
        try STUNTestSupport.withMessage(t.bytes) { (m) throws in
            #expect(m.type == .bindingRequest)
            #expect(try m.username()?.stunTestString == "LiTe:PeEr")
            #expect(try m.priority() == 110 << 24 | (a.localCandidates[0].priority & 0xFF_FFFF))
            #expect(try m.iceControlling() == a.tieBreaker)
            #expect(!m.hasUseCandidate)
            try m.verifyMessageIntegrity(key: Array(S.liteCredentials.pwd.utf8))
            try m.verifyFingerprint()
        }
        #expect(a.state == .checking)
    }

    @Test func badResponsesAreDroppedAndCounted() throws {
        var a = agent()
        let t = try #require(S.transmits(S.drain(&a)).first)
        // Wrong key.
        a.receive(try success(for: t, key: "wrongPasswordOf24Chars+/"), from: server, local: S.clientV4, now: .ms(10))
        #expect(a.stats.responsesDropped == 1)
        #expect(a.pairs[0].state == .inProgress)
        // From another address (non-symmetric): the pair fails.
        a.receive(try success(for: t), from: TransportAddress("10.0.0.3:40000")!, local: S.clientV4, now: .ms(20))
        #expect(a.stats.responsesDropped == 2)
        #expect(a.pairs[0].state == .failed)
    }

    @Test func regularNominationSelectsAfterSuccess() throws {
        var a = agent()
        let check = try #require(S.transmits(S.drain(&a)).first)
        a.receive(try success(for: check), from: server, local: S.clientV4, now: .ms(10))
        // No better pair pending: the nomination goes out at the next pacing slot.
        #expect(a.nextTimeout()! == (.ms(50), .pacing))
        a.handle(.timeout, now: .ms(50))
        let nomination = try #require(S.transmits(S.drain(&a)).first)
        try STUNTestSupport.withMessage(nomination.bytes) { (m) throws in #expect(m.hasUseCandidate) }
        a.receive(try success(for: nomination), from: server, local: S.clientV4, now: .ms(60))
        let pair = ICESelectedPair(local: S.clientV4, remote: server)
        #expect(S.events(S.drain(&a)) == [.selectedPairChanged(pair), .stateChanged(.connected)])
        #expect(a.nextTimeout()!.1 == .consentCheck)
    }

    @Test func answersChecksAndLearnsPeerReflexiveCandidates() throws {
        var a = agent { $0.role = .controlled }
        _ = S.drain(&a)
        let prflx = TransportAddress("10.0.0.9:41000")!
        a.receive(S.check(tid: STUNTransactionID(hi: 5, lo: 5), username: "PeEr:LiTe",
                          key: Array(S.peerCredentials.pwd.utf8), priority: 0x6E00_0001, controlling: 1,
                          useCandidate: true),
                  from: prflx, local: S.clientV4, now: .ms(5))
        let out = S.transmits(S.drain(&a))
        #expect(out.first?.to == prflx)
        try STUNTestSupport.withMessage(out[0].bytes) { (m) throws in
            #expect(m.type == .bindingSuccess)
            #expect(try m.xorMappedAddress() == prflx)
        }
        #expect(a.remoteCandidates.last?.type == .peerReflexive)
        #expect(a.remoteCandidates.last?.priority == 0x6E00_0001)
        // A triggered check goes to the new address next; its success selects the pair
        // because the peer nominated it.
        a.handle(.timeout, now: .ms(50))
        let triggered = try #require(S.transmits(S.drain(&a)).first)
        #expect(triggered.to == prflx)
        let tid = try STUNTestSupport.withMessage(triggered.bytes) { $0.transactionID }
        let resp = try STUNMessageWriter.message(type: .bindingSuccess, transactionID: tid) { w throws(WriteError) in
            try w.appendXORMappedAddress(S.clientV4)
            try w.appendMessageIntegrity(key: Array(S.liteCredentials.pwd.utf8))
            try w.appendFingerprint()
        }
        a.receive(resp, from: prflx, local: S.clientV4, now: .ms(60))
        #expect(a.selectedPair == ICESelectedPair(local: S.clientV4, remote: prflx))
        #expect(a.state == .connected)
    }

    @Test func closeStopsEverything() {
        var a = agent()
        a.close(now: .ms(1))
        let events = S.events(S.drain(&a))
        #expect(events.last == .stateChanged(.closed))
        #expect(a.nextTimeout() == nil)
        a.handle(.timeout, now: .ms(5000))
        #expect(a.pollOutput() == nil)
    }
}

@Suite struct ICEUsernameRoutingTests {
    @Test func ufragsFromUsername() throws {
        let bytes = ICETestSupport.check(tid: STUNTransactionID(hi: 1, lo: 2), username: "LiTe:PeEr")
        try STUNTestSupport.withMessage(bytes) { m in
            #expect(m.iceReceiverUfrag?.stunTestString == "LiTe")
            #expect(m.iceSenderUfrag?.stunTestString == "PeEr")
        }
        let noColon = ICETestSupport.check(tid: STUNTransactionID(hi: 1, lo: 2), username: "LiTe")
        try STUNTestSupport.withMessage(noColon) { m in
            #expect(m.iceReceiverUfrag == nil && m.iceSenderUfrag == nil)
        }
        try STUNTestSupport.withMessage(STUNRFC5769VectorTests.request) { m in
            #expect(m.iceReceiverUfrag?.stunTestString == "evtj")
        }
    }
}
