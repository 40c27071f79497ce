import Testing
@testable import RTCCore

/// Two agents on a virtual network in deterministic virtual time.
@Suite struct ICEScenarioTests {
    typealias S = ICETestSupport
    typealias LiteHarness = ICETestHarness<ICEAgent, ICELiteAgent>

    static let clientCredentials = S.peerCredentials

    static func client(seed: UInt64 = 1, hosts: [ICEHostAddress]? = nil,
                       tweak: (inout ICEAgent.Configuration) -> Void = { _ in }) -> ICEAgent {
        var config = ICEAgent.Configuration(
            localCredentials: clientCredentials,
            hostAddresses: hosts ?? [ICEHostAddress(base: S.clientV4), ICEHostAddress(base: S.clientV6)],
            seed: seed)
        tweak(&config)
        return ICEAgent(configuration: config, now: .zero)
    }

    static func lite(hosts: [ICEHostAddress] = [ICEHostAddress(base: S.serverV4), ICEHostAddress(base: S.serverV6)],
                     tweak: (inout ICELiteAgent.Configuration) -> Void = { _ in }) -> ICELiteAgent {
        var config = ICELiteAgent.Configuration(localCredentials: S.liteCredentials, hostAddresses: hosts)
        tweak(&config)
        return ICELiteAgent(configuration: config, now: .zero)
    }

    /// Client and lite server; the client learns the server's credentials and candidates as
    /// from its SDP answer.
    static func connectable(client c: ICEAgent = client(), lite l: ICELiteAgent = lite(),
                            seed: UInt64 = 9, loss: Double = 0) -> LiteHarness {
        var c = c
        c.setRemoteCredentials(l.localCredentials, now: .zero)
        for cand in l.localCandidates { c.addRemoteCandidate(cand, now: .zero) }
        var net = ICETestNetwork(seed: seed)
        net.lossRate = loss
        return LiteHarness(a: c, aAddresses: c.configuration.hostAddresses.map(\.base),
                           b: l, bAddresses: l.configuration.hostAddresses.map(\.base), network: net)
    }

    @Test func liteVersusFullConnects() {
        var h = Self.connectable()
        h.run(for: .seconds(2))
        let expected = ICESelectedPair(local: S.clientV6, remote: S.serverV6)  // IPv6 preferred
        #expect(h.a.state == .connected && h.b.state == .connected)
        #expect(h.a.selectedPair == expected)
        #expect(h.b.selectedPair == ICESelectedPair(local: S.serverV6, remote: S.clientV6))
        #expect(LiteHarness.states(h.eventsA) == [.checking, .connected])
        #expect(LiteHarness.states(h.eventsB) == [.checking, .connected])
        #expect(LiteHarness.selections(h.eventsA) == [expected])
        // Two host pairs (one per family): checks paced by Ta; nomination after both succeed.
        #expect(h.a.pairs.count == 2)
        #expect(h.a.pairs.allSatisfy { $0.state == .succeeded })
        #expect(h.a.pairs.first?.nominated == true)
        let connectedAt = LiteHarness.time(of: .connected, in: h.eventsA)
        #expect(connectedAt != nil && connectedAt! < .ms(200))
        #expect(h.b.stats.requestsAccepted == 3)  // 2 checks + 1 nomination
        #expect(h.a.stats.retransmissions == 0)
        // A minute later: consent checks every ~5 s kept both sides connected.
        h.run(for: .seconds(60))
        #expect(LiteHarness.states(h.eventsA) == [.checking, .connected])
        #expect(LiteHarness.states(h.eventsB) == [.checking, .connected])
        #expect((10...15).contains(h.a.stats.consentChecksSent))
        #expect(h.b.stats.requestsAccepted == 3 + h.a.stats.consentChecksSent)
        #expect(h.misrouted == 0)
    }

    @Test func announcedAddressBehindOneToOneNAT() {
        let publicV4 = TransportAddress("203.0.113.5:40000")!
        let l = Self.lite(hosts: [ICEHostAddress(base: S.serverV4, announced: publicV4)])
        var h = Self.connectable(client: Self.client(hosts: [ICEHostAddress(base: S.clientV4)]), lite: l)
        h.network.nat[S.serverV4] = publicV4
        h.run(for: .seconds(2))
        #expect(h.a.selectedPair == ICESelectedPair(local: S.clientV4, remote: publicV4))
        #expect(h.b.selectedPair == ICESelectedPair(local: S.serverV4, remote: S.clientV4))
        #expect(h.a.remoteCandidates.map(\.address) == [publicV4])
    }

    @Test func wrongIntegrityFromAnAttackerIsIgnoredAndCounted() {
        var h = Self.connectable()
        h.run(for: .seconds(1))
        let attacker = TransportAddress("192.0.2.66:6666")!
        // To the lite server: a nomination with a wrong password.
        h.inject(toB: S.check(tid: STUNTransactionID(hi: 1, lo: 1), key: Array("attackerPassword24chars+".utf8),
                              useCandidate: true),
                 from: attacker, local: S.serverV6)
        // To the client: a forged success response for an unknown transaction, and one for a
        // transaction it never sent with a bad MESSAGE-INTEGRITY.
        let forged = try! STUNMessageWriter.message(type: .bindingSuccess, transactionID: STUNTransactionID(hi: 9, lo: 9)) { w throws(WriteError) in
            try w.appendXORMappedAddress(attacker)
            try w.appendMessageIntegrity(key: [1, 2, 3])
            try w.appendFingerprint()
        }
        h.inject(toA: forged, from: S.serverV6, local: S.clientV6)
        h.run(for: .seconds(1))
        #expect(h.b.stats.unauthorizedSent == 1)
        #expect(h.a.stats.responsesDropped == 1)
        #expect(h.b.selectedPair?.remote == S.clientV6)
        #expect(h.a.state == .connected && h.b.state == .connected)
    }

    @Test func consentExpiryGivesDisconnectedThenFailed() {
        var h = Self.connectable(client: Self.client { $0.disconnectedAfter = .seconds(8) },
                                 lite: Self.lite { $0.disconnectedAfter = .seconds(8) })
        h.run(for: .seconds(3))
        #expect(h.a.state == .connected)
        let cut = h.now
        h.network.blackhole = true
        h.run(for: .seconds(40))
        #expect(LiteHarness.states(h.eventsA) == [.checking, .connected, .disconnected, .failed])
        #expect(LiteHarness.states(h.eventsB) == [.checking, .connected, .disconnected, .failed])
        // The lite side's last valid check and the client's last response came before the
        // cut; the thresholds are measured from them.
        for events in [h.eventsA, h.eventsB] {
            let d = LiteHarness.time(of: .disconnected, in: events)!
            let f = LiteHarness.time(of: .failed, in: events)!
            #expect(d > cut && d <= cut + .seconds(8))
            #expect(f > cut + .seconds(22) && f <= cut + .seconds(30))
            #expect(f - d == .seconds(22))
        }
        #expect(h.a.nextTimeout() == nil && h.b.nextTimeout() == nil)
    }

    @Test func consentRecoversAfterShortOutage() {
        var h = Self.connectable(client: Self.client { $0.disconnectedAfter = .seconds(6) },
                                 lite: Self.lite { $0.disconnectedAfter = .seconds(6) })
        h.run(for: .seconds(3))
        h.network.blackhole = true
        h.run(for: .seconds(12))
        #expect(h.a.state == .disconnected && h.b.state == .disconnected)
        h.network.blackhole = false
        h.run(for: .seconds(10))
        #expect(LiteHarness.states(h.eventsA) == [.checking, .connected, .disconnected, .connected])
        #expect(LiteHarness.states(h.eventsB) == [.checking, .connected, .disconnected, .connected])
    }

    @Test func iceRestartWithNewAddressMovesTheSelection() {
        var h = Self.connectable(client: Self.client(hosts: [ICEHostAddress(base: S.clientV4)]))
        let oldPublic = TransportAddress("198.51.100.20:7000")!
        h.network.nat[S.clientV4] = oldPublic
        h.run(for: .seconds(2))
        #expect(h.b.selectedPair?.remote == oldPublic)
        // The client's NAT rebinds (new public port); the client restarts ICE.
        let newPublic = TransportAddress("198.51.100.20:7001")!
        h.network.nat[S.clientV4] = newPublic
        let newClient = ICECredentials(ufrag: "CnEw", pwd: "clientNewPassword24chars")
        let newLite = ICECredentials(ufrag: "LnEw", pwd: "liteNewPassword24chars+/")
        h.a.restart(localCredentials: newClient, now: h.now)
        h.run(for: .milliseconds(30))  // offer in flight
        h.b.restart(localCredentials: newLite, now: h.now)  // answer
        h.a.setRemoteCredentials(newLite, now: h.now)
        for c in h.b.localCandidates { h.a.addRemoteCandidate(c, now: h.now) }
        h.run(for: .seconds(2))
        #expect(h.b.selectedPair == ICESelectedPair(local: S.serverV4, remote: newPublic))
        #expect(LiteHarness.selections(h.eventsB).map(\.remote) == [oldPublic, newPublic])
        #expect(h.a.localCredentials == newClient)
        #expect(h.a.state == .connected && h.b.state == .connected)
        // No state flapping during the restart.
        #expect(LiteHarness.states(h.eventsA) == [.checking, .connected])
        #expect(LiteHarness.states(h.eventsB) == [.checking, .connected])
        // Consent continues with the new credentials.
        h.run(for: .seconds(40))
        #expect(h.a.state == .connected && h.b.state == .connected)
        #expect(h.b.stats.unauthorizedSent == 0)
    }

    @Test func lossOfChecksIsRecoveredByRetransmission() {
        var connectedTimes: [Instant] = []
        var totalRetransmissions = 0
        for seed: UInt64 in 1...8 {
            var h = Self.connectable(client: Self.client(seed: seed), seed: seed, loss: 0.4)
            h.run(for: .seconds(20))
            #expect(h.a.state == .connected, "seed \(seed)")
            #expect(h.b.state == .connected, "seed \(seed)")
            #expect(h.a.selectedPair?.remote == h.b.selectedPair?.local, "seed \(seed)")
            totalRetransmissions += h.a.stats.retransmissions
            if let t = LiteHarness.time(of: .connected, in: h.eventsA) { connectedTimes.append(t) }
        }
        #expect(totalRetransmissions > 0)
        #expect(connectedTimes.count == 8)
    }

    @Test func retransmissionScheduleAndFailure() {
        var c = Self.client(hosts: [ICEHostAddress(base: S.clientV4)])
        c.setRemoteCredentials(S.liteCredentials, now: .zero)
        c.addRemoteCandidate(ICECandidate("candidate:1 1 udp 2130706431 10.0.0.2 40000 typ host")!, now: .zero)
        c.endOfRemoteCandidates(now: .zero)
        var sendTimes: [Instant] = []
        var now = Instant.zero
        for o in S.drain(&c) { if case .transmit = o { sendTimes.append(now) } }
        while let (t, _) = c.nextTimeout() {
            now = t
            c.handle(.timeout, now: now)
            for o in S.drain(&c) { if case .transmit = o { sendTimes.append(now) } }
            if c.state == .failed { break }
        }
        // RTO 500 ms doubling, capped at 3 s, 7 transmissions, then a last wait.
        #expect(sendTimes == [.ms(0), .ms(500), .ms(1500), .ms(3500), .ms(6500), .ms(9500), .ms(12500)])
        #expect(c.state == .failed && now == .ms(15500))
        #expect(c.stats.retransmissions == 6 && c.stats.transactionTimeouts == 1)
        #expect(c.nextTimeout() == nil)
    }

    @Test func pacingAndPairFormation() {
        var c = Self.client()
        c.setRemoteCredentials(S.liteCredentials, now: .zero)
        let remotes = [
            "candidate:1 1 udp 2130706431 10.0.0.2 40000 typ host",
            "candidate:2 1 udp 2130706175 fd00::2 40000 typ host",
            "candidate:3 1 udp 2113937151 1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718.local 54321 typ host",
            "candidate:4 1 tcp 2105524479 10.0.0.2 9 typ host tcptype passive",
            "candidate:5 2 udp 2130706430 10.0.0.2 40001 typ host",
            "candidate:6 1 udp 1694498815 198.51.100.9 40000 typ srflx raddr 10.0.0.2 rport 40000",
        ]
        for r in remotes { c.addRemoteCandidate(ICECandidate(r)!, now: .zero) }
        // Only UDP, component 1, IP-literal candidates; pairs only within an address family.
        #expect(c.remoteCandidates.count == 3)
        #expect(c.pairs.count == 3)
        #expect(c.pairs.allSatisfy { $0.local.isIPv6 == $0.remote.isIPv6 })
        #expect(c.pairs.map(\.priority) == c.pairs.map(\.priority).sorted(by: >))
        #expect(c.pairs.first?.remote == TransportAddress("[fd00::2]:40000"))
        // One check now; the next only after Ta.
        var times: [Instant] = []
        var now = Instant.zero
        times += S.transmits(S.drain(&c)).map { _ in now }
        for _ in 0..<2 {
            let (t, reason) = c.nextTimeout()!
            #expect(reason == .pacing)
            now = t
            c.handle(.timeout, now: now)
            times += S.transmits(S.drain(&c)).map { _ in now }
        }
        #expect(times == [.ms(0), .ms(50), .ms(100)])
    }

    @Test func checkingTimeoutWithoutCandidates() {
        var c = Self.client { $0.checkingTimeout = .seconds(5) }
        c.setRemoteCredentials(S.liteCredentials, now: .zero)
        c.addRemoteCandidate(ICECandidate("candidate:1 1 udp 1 10.9.9.9 1 typ host")!, now: .zero)
        var now = Instant.zero
        while let (t, _) = c.nextTimeout(), c.state != .failed {
            now = t
            c.handle(.timeout, now: now)
        }
        #expect(c.state == .failed)
        #expect(now == Instant.ms(5000))
    }
}
