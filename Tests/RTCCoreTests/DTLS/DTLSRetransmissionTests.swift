import Testing
@testable import RTCCore

@Suite struct DTLSRetransmissionTests {
    @Test func timerScheduleDoublesAndCaps() {
        // Table: expiry k → timeout armed after it (250 ms doubling, capped at 4 s).
        var t = DTLSRetransmissionTimer(policy: DTLSRetransmissionPolicy())
        #expect(t.deadline == nil)
        t.start(now: .zero)
        #expect(t.deadline == Instant.zero + .milliseconds(250))
        let expected: [Int64] = [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000]
        var now = Instant.zero + .milliseconds(250)
        for ms in expected {
            #expect(!t.isExpired(now: now - .nanoseconds(1)))
            #expect(t.isExpired(now: now))
            let resend = t.expire(now: now)
            #expect(resend)
            #expect(t.timeout == .milliseconds(ms))
            #expect(t.deadline == now + .milliseconds(ms))
            now = now + .milliseconds(ms)
        }
        #expect(t.retransmissions == 10)
        let exhausted = !t.expire(now: now)
        #expect(exhausted)
        #expect(t.deadline == nil)
        // A new flight starts over.
        t.start(now: now)
        #expect(t.timeout == .milliseconds(250))
        #expect(t.retransmissions == 0)
        t.stop()
        #expect(!t.isExpired(now: now + .seconds(100)))
    }

    @Test func lostClientHelloIsRetransmitted() throws {
        let pair = try DTLSPair(roleA: .client)
        pair.lose = { side, index, _ in side == .a && index == 0 }
        pair.start()
        pair.run(until: pair.bothConnected)
        #expect(pair.bothConnected())
        #expect(pair.a.stats.retransmissions == 1)
        #expect(pair.b.stats.retransmissions == 0)
        // 250 ms retransmission timeout, then two round trips of 10 ms one way.
        #expect(pair.now == Instant.zero + .milliseconds(290))
        #expect(pair.sendTimes[.a]?[1] == Instant.zero + .milliseconds(250))
        // The retransmission is the same ClientHello in a record with a new sequence number.
        let first = try #require(pair.sent[.a]?[0])
        let second = try #require(pair.sent[.a]?[1])
        #expect(DTLSRecordHeader.handshakeTypes(second) == [1])
        let h1 = try #require(DTLSRecordHeader(first))
        let h2 = try #require(DTLSRecordHeader(second))
        #expect(h2.sequence > h1.sequence)
        #expect(Array(first[13...]) == Array(second[13...]))
        let (_, ka) = try #require(pair.connectedEvent(.a))
        let (_, kb) = try #require(pair.connectedEvent(.b))
        #expect(ka.local == kb.remote)
    }

    @Test func lostServerFlightIsRetransmitted() throws {
        // A small MTU splits the server's first flight over several datagrams; lose all of
        // them (everything the server sends before 100 ms).
        let config = DTLSConfiguration(mtu: 300)
        let pair = try DTLSPair(roleA: .client, configA: config, configB: config)
        pair.lose = { side, _, _ in side == .b && pair.now < Instant.zero + .milliseconds(100) }
        pair.start()
        pair.run(until: pair.bothConnected)
        #expect(pair.bothConnected())
        #expect(pair.b.stats.retransmissions >= 1)
        let lostCount = pair.sendTimes[.b, default: []].filter { $0 < Instant.zero + .milliseconds(100) }.count
        #expect(lostCount > 1)
        // The server flight was sent at 10 ms and resent, whole, at 10 + 250 ms. OpenSSL
        // retransmits message by message (one record per datagram), so the datagrams differ
        // but carry the same handshake messages, with newer record sequence numbers.
        let times = pair.sendTimes[.b, default: []]
        let sent = pair.sent[.b, default: []]
        let original = sent.indices.filter { times[$0] == Instant.zero + .milliseconds(10) }
        let resent = sent.indices.filter { times[$0] == Instant.zero + .milliseconds(260) }
        #expect(original.count == lostCount)
        let types = { (ix: [Int]) in Set(ix.flatMap { DTLSRecordHeader.handshakeTypes(sent[$0]) }) }
        #expect(types(original) == [2, 11, 12, 13, 14])
        #expect(types(resent) == types(original))
        let lastOriginal = original.compactMap { DTLSRecordHeader(sent[$0])?.sequence }.max() ?? 0
        #expect(resent.allSatisfy { (DTLSRecordHeader(sent[$0])?.sequence ?? 0) > lastOriginal })
        #expect(sent.allSatisfy { $0.count <= 300 })
        let (_, ka) = try #require(pair.connectedEvent(.a))
        let (_, kb) = try #require(pair.connectedEvent(.b))
        #expect(ka.local == kb.remote)
    }

    @Test func lostFinalServerFlightIsRecoveredByClient() throws {
        // The server's CCS + Finished (its second flight) is lost once: the client's timer
        // resends its last flight and the server, already connected, answers it again.
        let pair = try DTLSPair(roleA: .client)
        pair.lose = { side, index, _ in side == .b && index == 1 }
        pair.start()
        pair.run(until: pair.bothConnected)
        #expect(pair.bothConnected())
        #expect(pair.a.stats.retransmissions == 1)
        #expect(pair.b.stats.retransmissions == 0)
        #expect(pair.now == Instant.zero + .milliseconds(20 + 250 + 20))
        let (_, ka) = try #require(pair.connectedEvent(.a))
        let (_, kb) = try #require(pair.connectedEvent(.b))
        #expect(ka.local == kb.remote)
        // Each side reported `.connected` exactly once.
        let connectedCount = pair.events[.b, default: []].filter {
            if case .connected = $0 { true } else { false }
        }.count
        #expect(connectedCount == 1)
    }

    @Test func retransmissionScheduleInVirtualTimeThenGiveUp() throws {
        // The server never answers: the client resends at 250 ms, then doubling to a 4 s cap,
        // ten times, and fails when the eleventh timeout expires.
        let pair = try DTLSPair(roleA: .client)
        pair.lose = { side, _, _ in side == .a }
        pair.start()
        pair.run(for: .seconds(600))
        let times = pair.sendTimes[.a, default: []].map { $0.nanoseconds / 1_000_000 }
        #expect(times == [0, 250, 750, 1750, 3750, 7750, 11750, 15750, 19750, 23750, 27750])
        #expect(pair.failure(.a)?.kind == .handshakeTimeout)
        #expect(pair.a.stats.handshakeFailures == 1)
        #expect(pair.a.stats.retransmissions == 10)
        #expect(pair.a.nextTimeout() == nil)
        #expect(pair.a.keys == nil)
        #expect(pair.now == Instant.zero + .milliseconds(31750))
    }

    @Test func customPolicy() throws {
        let policy = DTLSRetransmissionPolicy(
            initialTimeout: .milliseconds(100), maximumTimeout: .milliseconds(300),
            maximumRetransmissions: 3)
        let pair = try DTLSPair(roleA: .client, configA: DTLSConfiguration(retransmission: policy))
        pair.lose = { side, _, _ in side == .a }
        pair.start()
        pair.run(for: .seconds(60))
        let times = pair.sendTimes[.a, default: []].map { $0.nanoseconds / 1_000_000 }
        #expect(times == [0, 100, 300, 600])
        #expect(pair.failure(.a)?.kind == .handshakeTimeout)
        #expect(pair.now == Instant.zero + .milliseconds(900))
    }

    @Test func moreRetransmissionsThanOpenSSLCanPrepareAreCapped() throws {
        let policy = DTLSRetransmissionPolicy(
            initialTimeout: .milliseconds(10), maximumTimeout: .milliseconds(10),
            maximumRetransmissions: 30)
        let pair = try DTLSPair(roleA: .client, configA: DTLSConfiguration(retransmission: policy))
        pair.lose = { side, _, _ in side == .a }
        pair.start()
        pair.run(for: .seconds(60))
        // The original plus the 11 retransmissions OpenSSL can produce for one flight.
        #expect(pair.sent[.a, default: []].count == 12)
        #expect(pair.failure(.a)?.kind == .handshakeTimeout)
    }

    @Test(arguments: 0..<24)
    func randomLossStillConnects(seed: Int) throws {
        var rng = SeededRandom(seed: UInt64(seed) &+ 1000)
        let mtu = seed % 2 == 0 ? 1200 : 300
        let pair = try DTLSPair(
            roleA: seed % 3 == 0 ? .server : .client,
            configA: DTLSConfiguration(mtu: mtu), configB: DTLSConfiguration(mtu: mtu))
        // 25% loss in both directions.
        pair.lose = { _, _, _ in rng.next() % 4 == 0 }
        pair.start()
        pair.run(for: .seconds(120), until: pair.bothConnected)
        #expect(pair.bothConnected(), "seed \(seed)")
        if let (_, ka) = pair.connectedEvent(.a), let (_, kb) = pair.connectedEvent(.b) {
            #expect(ka.local == kb.remote)
            #expect(ka.remote == kb.local)
        }
    }

    @Test func duplicatedDatagramsAreHarmless() throws {
        let pair = try DTLSPair(roleA: .client, configA: DTLSConfiguration(mtu: 300),
                                configB: DTLSConfiguration(mtu: 300))
        pair.rewrite = { _, _, bytes in [bytes, bytes] }
        pair.start()
        pair.run(until: pair.bothConnected)
        #expect(pair.bothConnected())
        #expect(pair.a.stats.handshakeFailures == 0)
        #expect(pair.b.stats.handshakeFailures == 0)
    }

    @Test func reorderedFlightConnects() throws {
        let pair = try DTLSPair(roleA: .client, configA: DTLSConfiguration(mtu: 300),
                                configB: DTLSConfiguration(mtu: 300))
        pair.start()
        // Deliver each batch in flight in reverse order, 10 ms later.
        for _ in 0..<200 where !pair.bothConnected() {
            let batch = pair.network
            pair.network = []
            pair.now = pair.now + .milliseconds(10)
            for f in batch.reversed() {
                pair.inject(f.bytes, to: f.to)
            }
            pair.a.handleTimeout(now: pair.now)
            pair.b.handleTimeout(now: pair.now)
            pair.drain()
        }
        // OpenSSL drops the records it cannot place yet (e.g. epoch 1 before the CCS); the
        // retransmission timers recover them.
        #expect(pair.bothConnected())
        #expect(pair.now < Instant.zero + .seconds(1))
    }
}
