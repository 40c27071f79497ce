import Testing
@testable import RTCCore

@Suite struct ICELiteAgentTests {
    typealias S = ICETestSupport
    let peerA = TransportAddress("198.51.100.7:50000")!
    let peerB = TransportAddress("198.51.100.8:50001")!

    func makeAgent(now: Instant = .zero) -> ICELiteAgent {
        ICELiteAgent(configuration: .init(localCredentials: S.liteCredentials,
                                          hostAddresses: [ICEHostAddress(base: S.serverV4)]), now: now)
    }

    func tid(_ n: UInt64) -> STUNTransactionID { STUNTransactionID(hi: 0xABCD, lo: n) }

    /// The only response in `outputs`, parsed.
    func response(_ outputs: [ICEOutput], _ check: (STUNMessage) throws -> Void) throws {
        let t = S.transmits(outputs)
        try #require(t.count == 1)
        try STUNTestSupport.withMessage(t[0].bytes) { try check($0) }
    }

    @Test func answersValidCheckWithMappedAddress() throws {
        var agent = makeAgent()
        agent.receive(S.check(tid: tid(1)), from: peerA, local: S.serverV4, now: .ms(5))
        let out = S.drain(&agent)
        #expect(S.events(out) == [.stateChanged(.checking)])
        let t = S.transmits(out)
        #expect(t.first?.to == peerA && t.first?.from == S.serverV4)
        try response(out) { m in
            #expect(m.type == .bindingSuccess)
            #expect(m.transactionID == tid(1))
            #expect(try m.xorMappedAddress() == peerA)
            try m.verifyMessageIntegrity(key: Array(S.liteCredentials.pwd.utf8))
            try m.verifyFingerprint()
        }
        #expect(agent.validatedPairs == [ICESelectedPair(local: S.serverV4, remote: peerA)])
        #expect(agent.selectedPair == nil)
        #expect(agent.state == .checking)
        #expect(agent.stats.requestsAccepted == 1 && agent.stats.successResponsesSent == 1)
    }

    @Test func useCandidateSelectsPair() {
        var agent = makeAgent()
        agent.receive(S.check(tid: tid(1), useCandidate: true), from: peerA, local: S.serverV4, now: .ms(5))
        let pair = ICESelectedPair(local: S.serverV4, remote: peerA)
        #expect(S.events(S.drain(&agent)) == [.stateChanged(.checking), .selectedPairChanged(pair), .stateChanged(.connected)])
        #expect(agent.selectedPair == pair)
    }

    @Test func wrongIntegrityIgnoredAndCounted() throws {
        var agent = makeAgent()
        agent.receive(S.check(tid: tid(1), useCandidate: true), from: peerA, local: S.serverV4, now: .ms(1))
        _ = S.drain(&agent)
        // A check with the wrong password, nominating another address: 401, nothing changes.
        agent.receive(S.check(tid: tid(2), key: Array("wrongPasswordOf24Chars+/".utf8), useCandidate: true),
                      from: peerB, local: S.serverV4, now: .ms(2))
        let out = S.drain(&agent)
        #expect(S.events(out).isEmpty)
        try response(out) { m in
            #expect(m.type == .bindingError)
            #expect(try m.errorCode()?.code == .unauthorized)
            #expect(!m.hasMessageIntegrity)
            try m.verifyFingerprint()
        }
        #expect(agent.stats.unauthorizedSent == 1)
        #expect(agent.stats.requestsAccepted == 1)
        #expect(agent.selectedPair?.remote == peerA)
        #expect(!agent.validatedPairs.contains { $0.remote == peerB })
        // A tampered (bit-flipped) valid check is refused the same way.
        var tampered = S.check(tid: tid(3), useCandidate: true, fingerprint: false)
        tampered[30] ^= 1
        agent.receive(tampered, from: peerB, local: S.serverV4, now: .ms(3))
        #expect(S.transmits(S.drain(&agent)).count == 1)
        #expect(agent.stats.unauthorizedSent == 2)
        #expect(agent.selectedPair?.remote == peerA)
    }

    @Test func refusalsAndDrops() throws {
        var agent = makeAgent()
        func errorCode(_ bytes: [UInt8]) throws -> STUNErrorCode? {
            agent.receive(bytes, from: peerA, local: S.serverV4, now: .ms(1))
            let t = S.transmits(S.drain(&agent))
            guard let first = t.first else { return nil }
            return try STUNTestSupport.withMessage(first.bytes) { try $0.errorCode()?.code }
        }
        // Wrong ufrag: 401.
        #expect(try errorCode(S.check(tid: tid(1), username: "NoPe:PeEr")) == .unauthorized)
        #expect(try errorCode(S.check(tid: tid(2), username: "LiTe")) == .unauthorized)
        // No USERNAME/MESSAGE-INTEGRITY: 400.
        let bare = try STUNMessageWriter.message(type: .bindingRequest, transactionID: tid(3)) { w throws(WriteError) in
            try w.appendPriority(1)
            try w.appendFingerprint()
        }
        #expect(try errorCode(bare) == .badRequest)
        // No PRIORITY: 400.
        #expect(try errorCode(S.check(tid: tid(4), priority: nil)) == .badRequest)
        // An unknown comprehension-required attribute: 420 with UNKNOWN-ATTRIBUTES.
        agent.receive(S.check(tid: tid(5), extra: STUNAttributeType(0x7F01)), from: peerA, local: S.serverV4, now: .ms(1))
        try response(S.drain(&agent)) { m in
            #expect(try m.errorCode()?.code == .unknownAttribute)
            #expect(try m.unknownAttributes().map(Array.init) == [STUNAttributeType(0x7F01)])
            try m.verifyMessageIntegrity(key: Array(S.liteCredentials.pwd.utf8))
        }
        // A peer that also claims to be controlled: 487 (a lite agent cannot control).
        #expect(try errorCode(S.check(tid: tid(6), controlling: nil, controlled: 7)) == .roleConflict)
        #expect(agent.stats.unauthorizedSent == 2)
        #expect(agent.stats.badRequestsSent == 2)
        #expect(agent.stats.unknownAttributeSent == 1)
        #expect(agent.stats.roleConflictsSent == 1)
        #expect(agent.stats.requestsReceived == 6)
        #expect(agent.stats.requestsAccepted == 0)
        // Dropped without answer: garbage, bad FINGERPRINT, indications, responses.
        #expect(try errorCode([0, 1, 2]) == nil)
        var badFP = S.check(tid: tid(7))
        badFP[badFP.count - 1] ^= 1
        #expect(try errorCode(badFP) == nil)
        let indication = try STUNMessageWriter.message(type: .bindingIndication, transactionID: tid(8)) { w throws(WriteError) in
            try w.appendFingerprint()
        }
        #expect(try errorCode(indication) == nil)
        let resp = try STUNMessageWriter.message(type: .bindingSuccess, transactionID: tid(9)) { _ throws(WriteError) in }
        #expect(try errorCode(resp) == nil)
        #expect(agent.stats.malformedDropped == 2)
        #expect(agent.stats.indicationsReceived == 1)
        #expect(agent.stats.unexpectedDropped == 1)
        #expect(agent.state == .new)
    }

    @Test func followsNominationToNewAddress() {
        var agent = makeAgent()
        agent.receive(S.check(tid: tid(1), useCandidate: true), from: peerA, local: S.serverV4, now: .ms(1))
        _ = S.drain(&agent)
        // Checks from B without USE-CANDIDATE are answered but do not move the selection.
        agent.receive(S.check(tid: tid(2)), from: peerB, local: S.serverV4, now: .ms(100))
        #expect(S.events(S.drain(&agent)).isEmpty)
        #expect(agent.selectedPair?.remote == peerA)
        // The peer nominates B.
        agent.receive(S.check(tid: tid(3), useCandidate: true), from: peerB, local: S.serverV4, now: .ms(200))
        let b = ICESelectedPair(local: S.serverV4, remote: peerB)
        #expect(S.events(S.drain(&agent)) == [.selectedPairChanged(b)])
        #expect(agent.selectedPair == b)
        #expect(agent.validatedPairs.count == 2)
        // And back to A.
        agent.receive(S.check(tid: tid(4), useCandidate: true), from: peerA, local: S.serverV4, now: .ms(300))
        #expect(S.events(S.drain(&agent)) == [.selectedPairChanged(ICESelectedPair(local: S.serverV4, remote: peerA))])
    }

    @Test func consentExpiryThenRecoveryThenFailure() {
        var config = ICELiteAgent.Configuration(localCredentials: S.liteCredentials)
        config.disconnectedAfter = .seconds(5)
        config.failedAfter = .seconds(20)
        var agent = ICELiteAgent(configuration: config, now: .zero)
        agent.receive(S.check(tid: tid(1), useCandidate: true), from: peerA, local: S.serverV4, now: .ms(1000))
        _ = S.drain(&agent)
        #expect(agent.nextTimeout()! == (.ms(6000), .consentExpiry))
        // Checks from another (unselected) address do not refresh consent.
        agent.receive(S.check(tid: tid(2)), from: peerB, local: S.serverV4, now: .ms(4000))
        _ = S.drain(&agent)
        agent.handle(.timeout, now: .ms(5999))
        #expect(agent.state == .connected)
        agent.handle(.timeout, now: .ms(6000))
        #expect(S.events(S.drain(&agent)) == [.stateChanged(.disconnected)])
        #expect(agent.nextTimeout()! == (.ms(21000), .consentExpiry))
        // A valid check on the selected pair brings it back.
        agent.receive(S.check(tid: tid(3)), from: peerA, local: S.serverV4, now: .ms(7000))
        #expect(S.events(S.drain(&agent)) == [.stateChanged(.connected)])
        agent.handle(.timeout, now: .ms(12000))
        agent.handle(.timeout, now: .ms(27000))
        #expect(S.events(S.drain(&agent)) == [.stateChanged(.disconnected), .stateChanged(.failed)])
        #expect(agent.nextTimeout() == nil)
        // Failed is final until a restart.
        agent.receive(S.check(tid: tid(4), useCandidate: true), from: peerA, local: S.serverV4, now: .ms(28000))
        #expect(S.events(S.drain(&agent)).isEmpty)
        #expect(agent.state == .failed)
    }

    @Test func checkingTimeout() {
        var config = ICELiteAgent.Configuration(localCredentials: S.liteCredentials)
        config.checkingTimeout = .seconds(8)
        var agent = ICELiteAgent(configuration: config, now: .ms(100))
        #expect(agent.nextTimeout()! == (.ms(8100), .checkingTimeout))
        agent.receive(S.check(tid: tid(1)), from: peerA, local: S.serverV4, now: .ms(200))
        agent.handle(.timeout, now: .ms(8100))
        #expect(S.events(S.drain(&agent)) == [.stateChanged(.checking), .stateChanged(.failed)])
    }

    @Test func restartWithNewCredentials() throws {
        var agent = makeAgent()
        agent.receive(S.check(tid: tid(1), useCandidate: true), from: peerA, local: S.serverV4, now: .ms(1))
        _ = S.drain(&agent)
        let fresh = ICECredentials(ufrag: "NeWu", pwd: "newPasswordOf24Chars+/xy")
        agent.restart(localCredentials: fresh, now: .ms(1000))
        #expect(agent.localCredentials == fresh)
        #expect(agent.state == .connected)
        // The old credentials still work until the peer uses the new ones...
        agent.receive(S.check(tid: tid(2)), from: peerA, local: S.serverV4, now: .ms(1010))
        try response(S.drain(&agent)) { m in
            #expect(m.type == .bindingSuccess)
            try m.verifyMessageIntegrity(key: Array(S.liteCredentials.pwd.utf8))
        }
        // ...the new ones are used by the peer, nominating a new address...
        agent.receive(S.check(tid: tid(3), username: "NeWu:PeEr", key: Array(fresh.pwd.utf8), useCandidate: true),
                      from: peerB, local: S.serverV4, now: .ms(1020))
        let out = S.drain(&agent)
        #expect(S.events(out) == [.selectedPairChanged(ICESelectedPair(local: S.serverV4, remote: peerB))])
        try response(out) { m in try m.verifyMessageIntegrity(key: Array(fresh.pwd.utf8)) }
        // ...and from then on the old ones are refused.
        agent.receive(S.check(tid: tid(4)), from: peerA, local: S.serverV4, now: .ms(1030))
        try response(S.drain(&agent)) { (m) throws in #expect(try m.errorCode()?.code == .unauthorized) }
    }

    @Test func restartAfterFailure() {
        var config = ICELiteAgent.Configuration(localCredentials: S.liteCredentials)
        config.checkingTimeout = .seconds(1)
        var agent = ICELiteAgent(configuration: config, now: .zero)
        agent.handle(.timeout, now: .ms(1000))
        #expect(agent.state == .failed)
        let fresh = ICECredentials(ufrag: "NeWu", pwd: "newPasswordOf24Chars+/xy")
        agent.restart(localCredentials: fresh, now: .ms(2000))
        #expect(agent.state == .checking)
        agent.receive(S.check(tid: tid(1), username: "NeWu:PeEr", key: Array(fresh.pwd.utf8), useCandidate: true),
                      from: peerA, local: S.serverV4, now: .ms(2100))
        #expect(agent.state == .connected)
    }

    @Test func closeStopsEverything() {
        var agent = makeAgent()
        agent.close(now: .ms(1))
        #expect(S.events(S.drain(&agent)) == [.stateChanged(.closed)])
        agent.receive(S.check(tid: tid(1), useCandidate: true), from: peerA, local: S.serverV4, now: .ms(2))
        #expect(agent.pollOutput() == nil)
        #expect(agent.nextTimeout() == nil)
    }

    @Test func localCandidatesAreSignalled() {
        let config = ICELiteAgent.Configuration(
            localCredentials: S.liteCredentials,
            hostAddresses: [ICEHostAddress(base: S.serverV4, announced: TransportAddress("203.0.113.5:40000")),
                            ICEHostAddress(base: S.serverV6)])
        let agent = ICELiteAgent(configuration: config, now: .zero)
        #expect(agent.localCandidates.map(\.address) == [TransportAddress("203.0.113.5:40000"), S.serverV6])
    }
}
