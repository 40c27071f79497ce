import Testing
@testable import RTCCore

/// Robustness: random and mutated datagrams thrown at an endpoint in every state never crash it
/// and change its state to `.failed` at most.
@Suite struct DTLSGarbageTests {
    enum Stage: String, CaseIterable, Sendable {
        case idleServer, idleClient, clientAwaitingServerFlight, serverAwaitingClientFlight
        case awaitingFingerprint, connected, closed, failed
    }

    /// Builds a pair and returns the endpoint under test with the datagrams seen so far
    /// (material for mutations).
    static func setUp(_ stage: Stage) throws -> (DTLSPair, DTLSSide) {
        switch stage {
        case .idleServer:
            let pair = try DTLSPair(roleA: .server)
            return (pair, .a)
        case .idleClient:
            let pair = try DTLSPair(roleA: .client)
            return (pair, .a)
        case .clientAwaitingServerFlight:
            let pair = try DTLSPair(roleA: .client)
            pair.start()
            return (pair, .a)
        case .serverAwaitingClientFlight:
            let pair = try DTLSPair(roleA: .client)
            pair.start()
            pair.run(for: .milliseconds(10))  // ClientHello delivered, server flight sent
            return (pair, .b)
        case .awaitingFingerprint:
            let pair = try DTLSPair(roleA: .client, fingerprintsForB: [])
            pair.start()
            pair.run()
            return (pair, .b)
        case .connected:
            let pair = try DTLSPair(roleA: .client)
            pair.start()
            pair.run(until: pair.bothConnected)
            return (pair, .b)
        case .closed:
            let pair = try DTLSPair(roleA: .client)
            pair.start()
            pair.run(until: pair.bothConnected)
            pair.b.close(now: pair.now)
            pair.drain()
            return (pair, .b)
        case .failed:
            let pair = try DTLSPair(
                roleA: .client, fingerprintsForA: [DTLSTestCertificates.mallory.fingerprint])
            pair.start()
            pair.run()
            return (pair, .a)
        }
    }

    static func garbage(_ rng: inout SeededRandom, material: [[UInt8]]) -> [UInt8] {
        switch rng.next() % 4 {
        case 0:
            // Pure noise of any length.
            return rng.bytes(Int(rng.next() % 1500))
        case 1:
            // A plausible DTLS record header over noise (RFC 6347 §4.1).
            var d: [UInt8] = [UInt8(20 + rng.next() % 4), 0xFE, rng.next() % 2 == 0 ? 0xFD : 0xFF]
            d += [0, UInt8(rng.next() % 3)]                       // epoch 0...2
            d += rng.bytes(6)                                     // sequence
            let body = rng.bytes(Int(rng.next() % 300))
            let claimed = rng.next() % 4 == 0 ? Int(rng.next() % 0x10000) : body.count
            d += [UInt8(truncatingIfNeeded: claimed >> 8), UInt8(truncatingIfNeeded: claimed)]
            if d[0] == 22, rng.next() % 2 == 0, body.count >= 12 {
                // A handshake header with plausible fields.
                var hs = body
                hs[0] = UInt8(rng.next() % 25)
                hs[1] = 0
                hs[6] = 0
                hs[9] = 0
                d += hs
            } else {
                d += body
            }
            return d
        default:
            // A real datagram with a few bytes changed, cut, or extended.
            guard !material.isEmpty else { return rng.bytes(64) }
            var d = material[Int(rng.next() % UInt64(material.count))]
            for _ in 0..<(1 + Int(rng.next() % 4)) where !d.isEmpty {
                let at = Int(rng.next() % UInt64(d.count))
                switch rng.next() % 4 {
                case 0: d[at] ^= UInt8(1 << (rng.next() % 8))
                case 1: d[at] = UInt8(truncatingIfNeeded: rng.next())
                case 2: d.removeSubrange(at...)
                default: d.insert(contentsOf: rng.bytes(Int(rng.next() % 8)), at: at)
                }
            }
            return d
        }
    }

    @Test(arguments: Stage.allCases)
    func garbageNeverCrashesAndAtMostFails(stage: Stage) throws {
        var rng = SeededRandom(seed: UInt64(stage.rawValue.utf8.count) &* 7919)
        for round in 0..<40 {
            let (pair, side) = try Self.setUp(stage)
            let endpoint = pair.endpoint(side)
            let before = endpoint.state
            let material = pair.sent[.a, default: []] + pair.sent[.b, default: []]
            for _ in 0..<50 {
                let d = Self.garbage(&rng, material: material)
                d.withUnsafeBytes { endpoint.handle(datagram: $0, now: pair.now) }
                pair.now = pair.now + .milliseconds(1)
                endpoint.handleTimeout(now: pair.now)
                while endpoint.pollOutput() != nil {}
                let after = endpoint.state
                switch (before, after) {
                case (_, .failed):
                    break
                case (.idle, .handshaking) where endpoint.role == .server:
                    break
                default:
                    #expect(after == before, "stage \(stage) round \(round): \(before) → \(after)")
                }
                if case .failed = after { break }
            }
            // A connected endpoint that survived still works.
            if stage == .connected, case .connected = endpoint.state {
                let message: [UInt8] = [1, 2, 3, 4]
                try message.withUnsafeBytes { try pair.a.send(applicationData: $0, now: pair.now) }
                pair.run()
                #expect(pair.events[.b, default: []].contains(.applicationData(message)))
            }
        }
    }

    @Test func noiseBeforeTheHandshakeDoesNotPreventIt() throws {
        let pair = try DTLSPair(roleA: .client)
        var rng = SeededRandom(seed: 77)
        for _ in 0..<200 {
            pair.inject(rng.bytes(1 + Int(rng.next() % 1200)), to: .b)
            pair.inject(rng.bytes(1 + Int(rng.next() % 1200)), to: .a)
        }
        #expect(pair.a.state == .idle)
        pair.start()
        pair.run(until: pair.bothConnected)
        #expect(pair.bothConnected())
    }

    @Test func emptyAndOversizedDatagramsAreIgnored() throws {
        let (pair, side) = try Self.setUp(.connected)
        let e = pair.endpoint(side)
        let empty: [UInt8] = []
        empty.withUnsafeBytes { e.handle(datagram: $0, now: pair.now) }
        let huge = [UInt8](repeating: 22, count: DTLSEndpoint.maximumDatagramLength + 1)
        huge.withUnsafeBytes { e.handle(datagram: $0, now: pair.now) }
        #expect(e.stats.ignoredDatagrams == 2)
        #expect(e.state == .connected)
    }

    @Test func replayedHandshakeAfterConnectedIsHarmless() throws {
        let (pair, side) = try Self.setUp(.connected)
        // Every datagram of the handshake delivered again to both sides.
        for (from, datagrams) in pair.sent {
            for d in datagrams { pair.inject(d, to: from.other) }
        }
        pair.run()
        #expect(pair.a.state == .connected)
        #expect(pair.endpoint(side).state == .connected)
        #expect(pair.a.stats.handshakeFailures == 0)
        #expect(pair.b.stats.handshakeFailures == 0)
    }
}
