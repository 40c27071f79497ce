import Testing
@testable import RTCCore

@Suite struct DTLSHandshakeTests {
    @Test(arguments: [DTLSRole.client, .server])
    func handshakeCompletesAndKeysAgree(roleA: DTLSRole) throws {
        let pair = try DTLSPair(roleA: roleA)
        pair.start()
        pair.run(until: pair.bothConnected)
        #expect(pair.bothConnected())

        let (pa, ka) = try #require(pair.connectedEvent(.a))
        let (pb, kb) = try #require(pair.connectedEvent(.b))
        #expect(pa == .aeadAES128GCM)
        #expect(pb == .aeadAES128GCM)
        #expect(ka.local == kb.remote)
        #expect(ka.remote == kb.local)
        #expect(ka.local != ka.remote)
        #expect(ka.client == kb.client)
        #expect(ka.server == kb.server)
        #expect(pair.a.keys == ka)
        #expect(pair.b.keys == kb)
        #expect(pair.client.keys?.local == pair.client.keys?.client)
        #expect(pair.server.keys?.local == pair.server.keys?.server)
        #expect(ka.local.key.count == 16)
        #expect(ka.local.salt.count == 12)
        // A successful handshake without loss needs no retransmission and no timer afterwards.
        #expect(pair.a.stats.retransmissions == 0)
        #expect(pair.b.stats.retransmissions == 0)
        #expect(pair.a.stats.handshakeFailures == 0)
        #expect(pair.a.nextTimeout() == nil || pair.a.role == .server)
        // Flights: ClientHello (10 ms), server flight (20 ms), client flight (30 ms), server
        // Finished (40 ms): two round trips on a 10 ms one-way path.
        #expect(pair.now == Instant.zero + .milliseconds(40))
    }

    @Test(arguments: SRTPProfile.allCases)
    func forcedProfileOnServer(profile: SRTPProfile) throws {
        let pair = try DTLSPair(
            roleA: .client, configA: DTLSConfiguration(srtpProfiles: SRTPProfile.allCases),
            configB: DTLSConfiguration(srtpProfiles: [profile]))
        pair.start()
        pair.run(until: pair.bothConnected)
        let (pa, ka) = try #require(pair.connectedEvent(.a))
        let (pb, kb) = try #require(pair.connectedEvent(.b))
        #expect(pa == profile)
        #expect(pb == profile)
        #expect(ka.profile == profile)
        #expect(ka.local == kb.remote)
        #expect(kb.local == ka.remote)
        #expect(ka.local.key.count == profile.keyLength)
        #expect(ka.local.salt.count == profile.saltLength)
    }

    @Test(arguments: SRTPProfile.allCases)
    func forcedProfileOnClient(profile: SRTPProfile) throws {
        let pair = try DTLSPair(
            roleA: .client, configA: DTLSConfiguration(srtpProfiles: [profile]),
            configB: DTLSConfiguration(srtpProfiles: SRTPProfile.allCases))
        pair.start()
        pair.run(until: pair.bothConnected)
        let (pa, ka) = try #require(pair.connectedEvent(.a))
        let (_, kb) = try #require(pair.connectedEvent(.b))
        #expect(pa == profile)
        #expect(ka.local == kb.remote)
    }

    @Test func serverPreferenceWins() throws {
        // The client prefers CM-SHA1-80; the server's own order (GCM first) decides.
        let pair = try DTLSPair(
            roleA: .client,
            configA: DTLSConfiguration(srtpProfiles: [.aes128CMHMACSHA1_80, .aeadAES256GCM]),
            configB: DTLSConfiguration(srtpProfiles: [.aeadAES256GCM, .aes128CMHMACSHA1_80]))
        pair.start()
        pair.run(until: pair.bothConnected)
        #expect(pair.connectedEvent(.a)?.0 == .aeadAES256GCM)
    }

    @Test func noCommonProfileFails() throws {
        let pair = try DTLSPair(
            roleA: .client,
            configA: DTLSConfiguration(srtpProfiles: [.aes128CMHMACSHA1_80]),
            configB: DTLSConfiguration(srtpProfiles: [.aeadAES128GCM]))
        pair.start()
        pair.run()
        // OpenSSL completes the handshake without use_srtp; both sides then refuse it.
        #expect(pair.failure(.a)?.kind == .noSRTPProfile)
        #expect(pair.failure(.b)?.kind == .noSRTPProfile)
        #expect(pair.a.keys == nil)
        #expect(pair.b.keys == nil)
        #expect(pair.a.stats.handshakeFailures == 1)
    }

    @Test func fingerprintMismatchFailsWithoutKeys() throws {
        // A expects mallory, but bob answers.
        let pair = try DTLSPair(
            roleA: .client, fingerprintsForA: [DTLSTestCertificates.mallory.fingerprint])
        pair.start()
        pair.run()
        #expect(pair.failure(.a)?.kind == .fingerprintMismatch)
        #expect(pair.a.keys == nil)
        #expect(pair.connectedEvent(.a) == nil)
        #expect(pair.a.stats.handshakeFailures == 1)
        guard case .failed(let e) = pair.a.state else {
            Issue.record("expected failed state, got \(pair.a.state)")
            return
        }
        #expect(e.kind == .fingerprintMismatch)
        // The honest side learns that A left (close_notify).
        #expect(pair.events[.b, default: []].contains(.closed))
    }

    @Test func serverSideFingerprintMismatch() throws {
        let pair = try DTLSPair(
            roleA: .server, fingerprintsForA: [DTLSTestCertificates.mallory.fingerprint])
        pair.start()
        pair.run()
        #expect(pair.failure(.a)?.kind == .fingerprintMismatch)
        #expect(pair.a.keys == nil)
        #expect(pair.connectedEvent(.a) == nil)
    }

    @Test(arguments: DTLSFingerprintHash.allCases)
    func otherHashFingerprintsMatch(hash: DTLSFingerprintHash) throws {
        let fp = try #require(DTLSTestCertificates.bob.fingerprint(using: hash))
        #expect(fp.digest.count == hash.digestLength)
        let pair = try DTLSPair(roleA: .client, fingerprintsForA: [fp])
        pair.start()
        pair.run(until: pair.bothConnected)
        #expect(pair.bothConnected())
    }

    @Test func anyOfSeveralFingerprintsMatches() throws {
        let pair = try DTLSPair(
            roleA: .client,
            fingerprintsForA: [
                DTLSTestCertificates.mallory.fingerprint, DTLSTestCertificates.bob.fingerprint,
            ])
        pair.start()
        pair.run(until: pair.bothConnected)
        #expect(pair.bothConnected())
    }

    @Test func fingerprintArrivingAfterHandshake() throws {
        // The server sees the ClientHello before the SDP answer with the client's fingerprint.
        let pair = try DTLSPair(roleA: .client, fingerprintsForB: [])
        pair.start()
        pair.run()
        #expect(pair.a.state == .connected)
        #expect(pair.b.state == .awaitingFingerprint)
        #expect(pair.connectedEvent(.b) == nil)
        #expect(pair.b.keys == nil)

        // Application data sent meanwhile is held, not delivered unauthenticated.
        let early: [UInt8] = Array("early".utf8)
        try early.withUnsafeBytes { try pair.a.send(applicationData: $0, now: pair.now) }
        pair.run()
        #expect(!pair.events[.b, default: []].contains(.applicationData(early)))

        pair.b.setRemoteFingerprints([DTLSTestCertificates.alice.fingerprint], now: pair.now)
        pair.drain()
        #expect(pair.b.state == .connected)
        let (_, kb) = try #require(pair.connectedEvent(.b))
        #expect(kb.remote == pair.a.keys?.local)
        let bEvents = pair.events[.b, default: []]
        let connectedAt = try #require(bEvents.firstIndex { if case .connected = $0 { true } else { false } })
        let dataAt = try #require(bEvents.firstIndex(of: .applicationData(early)))
        #expect(connectedAt < dataAt)
    }

    @Test func lateWrongFingerprintFails() throws {
        let pair = try DTLSPair(roleA: .client, fingerprintsForB: [])
        pair.start()
        pair.run()
        #expect(pair.b.state == .awaitingFingerprint)
        pair.b.setRemoteFingerprints([DTLSTestCertificates.mallory.fingerprint], now: pair.now)
        pair.drain()
        #expect(pair.failure(.b)?.kind == .fingerprintMismatch)
        #expect(pair.b.keys == nil)
    }

    @Test(arguments: [DTLSRole.client, .server])
    func closeNotifyClosesBothSides(closer: DTLSRole) throws {
        let pair = try DTLSPair(roleA: .client)
        pair.start()
        pair.run(until: pair.bothConnected)
        let side: DTLSSide = closer == .client ? pair.clientSide : pair.serverSide
        pair.endpoint(side).close(now: pair.now)
        pair.drain()
        #expect(pair.endpoint(side).state == .closed)
        #expect(pair.events[side, default: []].last == .closed)
        // The close_notify alert is one encrypted alert record (content type 21, epoch 1).
        let last = try #require(pair.sent[side, default: []].last)
        let header = try #require(DTLSRecordHeader(last))
        #expect(header.contentType == 21)
        #expect(header.epoch == 1)
        pair.run()
        #expect(pair.endpoint(side.other).state == .closed)
        #expect(pair.events[side.other, default: []].last == .closed)
        // Closed endpoints ignore further datagrams and refuse to send.
        #expect(throws: DTLSError.self) {
            try [1, 2, 3].withUnsafeBytes { try pair.a.send(applicationData: $0, now: pair.now) }
        }
        pair.inject(last, to: side.other)
        #expect(pair.endpoint(side.other).stats.ignoredDatagrams >= 1)
    }

    @Test func closeBeforeHandshakeJustCloses() throws {
        let pair = try DTLSPair(roleA: .client)
        pair.a.close(now: pair.now)
        #expect(pair.a.state == .closed)
        #expect(pair.a.pollOutput() == .event(.closed))
        #expect(pair.a.pollOutput() == nil)
    }

    @Test func applicationDataBothWays() throws {
        let pair = try DTLSPair(roleA: .client)
        pair.start()
        pair.run(until: pair.bothConnected)
        var rng = SeededRandom(seed: 7)
        var expectedAtB: [[UInt8]] = []
        var expectedAtA: [[UInt8]] = []
        for _ in 0..<20 {
            let m1 = rng.bytes(Int(rng.next() % 1000) + 1)
            let m2 = rng.bytes(Int(rng.next() % 1000) + 1)
            try m1.withUnsafeBytes { try pair.a.send(applicationData: $0, now: pair.now) }
            try m2.withUnsafeBytes { try pair.b.send(applicationData: $0, now: pair.now) }
            expectedAtB.append(m1)
            expectedAtA.append(m2)
        }
        pair.run()
        let gotB = pair.events[.b, default: []].compactMap { e -> [UInt8]? in
            if case .applicationData(let d) = e { d } else { nil }
        }
        let gotA = pair.events[.a, default: []].compactMap { e -> [UInt8]? in
            if case .applicationData(let d) = e { d } else { nil }
        }
        #expect(gotB == expectedAtB)
        #expect(gotA == expectedAtA)
    }

    @Test func sendBeforeConnectedIsRefused() throws {
        let pair = try DTLSPair(roleA: .client)
        #expect(throws: DTLSError(.notConnected)) {
            try [1].withUnsafeBytes { try pair.a.send(applicationData: $0, now: pair.now) }
        }
    }

    @Test func datagramsRespectMTU() throws {
        let mtu = 300
        let pair = try DTLSPair(
            roleA: .client, configA: DTLSConfiguration(mtu: mtu), configB: DTLSConfiguration(mtu: mtu))
        pair.start()
        pair.run(until: pair.bothConnected)
        #expect(pair.bothConnected())
        for side in [DTLSSide.a, .b] {
            for d in pair.sent[side, default: []] {
                #expect(d.count <= mtu)
            }
        }
        // The server's first flight (ServerHello, Certificate, ServerKeyExchange,
        // CertificateRequest, ServerHelloDone) no longer fits one datagram.
        #expect(pair.sent[pair.serverSide, default: []].count > 2)
    }

    @Test func defaultMTUDatagramsFit1200() throws {
        let pair = try DTLSPair(roleA: .client)
        pair.start()
        pair.run(until: pair.bothConnected)
        for side in [DTLSSide.a, .b] {
            for d in pair.sent[side, default: []] {
                #expect(d.count <= 1200)
                // Every datagram holds whole records, as OpenSSL wrote them.
                let records = DTLSRecordHeader.records(d)
                let covered = records.reduce(0) { $0 + 13 + $1.0.length }
                #expect(covered == d.count)
            }
        }
    }

    @Test func invalidConfigurationIsRefused() {
        #expect(throws: DTLSError.self) {
            _ = try DTLSEndpoint(
                role: .client, certificate: DTLSTestCertificates.alice,
                configuration: DTLSConfiguration(srtpProfiles: []))
        }
        #expect(throws: DTLSError.self) {
            _ = try DTLSEndpoint(
                role: .client, certificate: DTLSTestCertificates.alice,
                configuration: DTLSConfiguration(mtu: 100))
        }
    }
}
