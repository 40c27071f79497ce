import Testing
@testable import RTCCore

/// Two full agents claiming the same role (RFC 8445 §7.3.1.1, §7.2.5.1).
@Suite struct ICERoleConflictTests {
    typealias S = ICETestSupport
    typealias FullHarness = ICETestHarness<ICEAgent, ICEAgent>

    static let aCredentials = ICECredentials(ufrag: "AaAa", pwd: "agentAPassword24chars+/x")
    static let bCredentials = ICECredentials(ufrag: "BbBb", pwd: "agentBPassword24chars+/x")

    static func pair(roleA: ICERole, tieA: UInt64, roleB: ICERole, tieB: UInt64, loss: Double = 0,
                     seed: UInt64 = 3) -> FullHarness {
        var ca = ICEAgent.Configuration(localCredentials: aCredentials,
                                        hostAddresses: [ICEHostAddress(base: S.clientV4)], role: roleA, seed: seed)
        ca.tieBreaker = tieA
        var cb = ICEAgent.Configuration(localCredentials: bCredentials,
                                        hostAddresses: [ICEHostAddress(base: S.serverV4)], role: roleB, seed: seed + 100)
        cb.tieBreaker = tieB
        var a = ICEAgent(configuration: ca, now: .zero)
        var b = ICEAgent(configuration: cb, now: .zero)
        a.setRemoteCredentials(bCredentials, now: .zero)
        b.setRemoteCredentials(aCredentials, now: .zero)
        for c in b.localCandidates { a.addRemoteCandidate(c, now: .zero) }
        for c in a.localCandidates { b.addRemoteCandidate(c, now: .zero) }
        var net = ICETestNetwork(seed: seed)
        net.lossRate = loss
        return FullHarness(a: a, aAddresses: [S.clientV4], b: b, bAddresses: [S.serverV4], network: net)
    }

    static func roleEvents(_ events: [(Instant, ICEEvent)]) -> [ICERole] {
        events.compactMap { if case .roleChanged(let r) = $0.1 { return r } else { return nil } }
    }

    @Test func bothControllingLowerTieBreakerYields() {
        var h = Self.pair(roleA: .controlling, tieA: 10, roleB: .controlling, tieB: 1_000)
        h.run(for: .seconds(3))
        #expect(h.a.role == .controlled && h.b.role == .controlling)
        #expect(Self.roleEvents(h.eventsA) == [.controlled])
        #expect(Self.roleEvents(h.eventsB).isEmpty)
        #expect(h.b.stats.roleConflictsSent >= 1)
        #expect(h.a.stats.roleSwitches == 1 && h.b.stats.roleSwitches == 0)
        #expect(h.a.state == .connected && h.b.state == .connected)
        #expect(h.a.selectedPair == ICESelectedPair(local: S.clientV4, remote: S.serverV4))
        #expect(h.b.selectedPair == ICESelectedPair(local: S.serverV4, remote: S.clientV4))
        // The controlling agent nominated; the controlled one followed.
        #expect(h.b.pairs.first?.nominated == true)
    }

    @Test func bothControlledHigherTieBreakerTakesControl() {
        var h = Self.pair(roleA: .controlled, tieA: 7, roleB: .controlled, tieB: 3)
        h.run(for: .seconds(3))
        #expect(h.a.role == .controlling && h.b.role == .controlled)
        #expect(h.a.stats.roleSwitches + h.b.stats.roleSwitches == 1)
        #expect(h.a.state == .connected && h.b.state == .connected)
    }

    @Test func complementaryRolesNoConflict() {
        var h = Self.pair(roleA: .controlling, tieA: 1, roleB: .controlled, tieB: 2)
        h.run(for: .seconds(3))
        #expect(h.a.stats.roleConflictsSent == 0 && h.b.stats.roleConflictsSent == 0)
        #expect(h.a.stats.roleSwitches == 0 && h.b.stats.roleSwitches == 0)
        #expect(h.a.state == .connected && h.b.state == .connected)
        // Each side's consent checks keep the other side's consent fresh for a minute.
        h.run(for: .seconds(60))
        #expect(FullHarness.states(h.eventsA) == [.checking, .connected])
        #expect(FullHarness.states(h.eventsB) == [.checking, .connected])
    }

    @Test func conflictUnderLoss() {
        for seed: UInt64 in 1...6 {
            var h = Self.pair(roleA: .controlling, tieA: UInt64.max, roleB: .controlling, tieB: 5, loss: 0.3, seed: seed)
            h.run(for: .seconds(20))
            #expect(h.a.role == .controlling && h.b.role == .controlled, "seed \(seed)")
            #expect(h.a.state == .connected && h.b.state == .connected, "seed \(seed)")
        }
    }

    /// A 487 answered to our check: the agent switches role and checks the pair again.
    @Test func roleConflictResponseSwitchesRole() throws {
        var c = ICEAgent(configuration: .init(localCredentials: Self.aCredentials,
                                              hostAddresses: [ICEHostAddress(base: S.clientV4)], seed: 1), now: .zero)
        c.setRemoteCredentials(Self.bCredentials, now: .zero)
        c.addRemoteCandidate(ICECandidate("candidate:1 1 udp 2130706431 10.0.0.2 40000 typ host")!, now: .zero)
        let first = try #require(S.transmits(S.drain(&c)).first)
        let tid = try STUNTestSupport.withMessage(first.bytes) { (m) throws in
            #expect(try m.iceControlling() == c.tieBreaker)
            return m.transactionID
        }
        let conflict = try STUNMessageWriter.message(type: .bindingError, transactionID: tid) { w throws(WriteError) in
            try w.appendErrorCode(.roleConflict)
            try w.appendMessageIntegrity(key: Array(Self.bCredentials.pwd.utf8))
            try w.appendFingerprint()
        }
        c.receive(conflict, from: first.to, local: first.from, now: .ms(20))
        #expect(c.role == .controlled)
        #expect(S.events(S.drain(&c)) == [.roleChanged(.controlled)])
        // The pair is checked again (after Ta), now as controlled.
        c.handle(.timeout, now: .ms(50))
        let again = try #require(S.transmits(S.drain(&c)).first)
        try STUNTestSupport.withMessage(again.bytes) { (m) throws in
            #expect(try m.iceControlled() == c.tieBreaker)
            #expect(try m.iceControlling() == nil)
        }
    }
}
