import Foundation
import Testing
@testable import RTCCore

/// Replies whose size an authenticated peer controls stay bounded, and nothing an agent writes
/// can trap. Regression: a 420 listing ~100 unknown attributes overflowed a fixed 256-byte
/// buffer and `preconditionFailure` stopped the whole server.
@Suite struct ICEReplySizeTests {
    typealias S = ICETestSupport
    let peer = TransportAddress("198.51.100.7:50000")!

    /// `n` distinct comprehension-required types that no agent understands (0x4000...).
    func unknownTypes(_ n: Int) -> [STUNAttributeType] {
        (0..<n).map { STUNAttributeType(UInt16(0x4000 + $0)) }
    }

    func expectBounded420(_ outputs: [ICEOutput], key: String) throws {
        let t = S.transmits(outputs)
        try #require(t.count == 1)
        #expect(t[0].bytes.count <= 20 + 36 + 4 + 2 * ICEConnectivityCheck.maximumUnknownAttributes + 32)
        try STUNTestSupport.withMessage(t[0].bytes) { (m) throws in
            #expect(m.type == .bindingError)
            #expect(try m.errorCode()?.code == .unknownAttribute)
            let listed = try #require(try m.unknownAttributes()).map { $0 }
            #expect(listed == Array(unknownTypes(ICEConnectivityCheck.maximumUnknownAttributes)))
            try m.verifyMessageIntegrity(key: Array(key.utf8))
            try m.verifyFingerprint()
        }
    }

    @Test(arguments: [17, 100, 4_000])
    func liteAgentTruncatesUnknownAttributes(count: Int) throws {
        var agent = ICELiteAgent(configuration: .init(localCredentials: S.liteCredentials,
                                                      hostAddresses: [ICEHostAddress(base: S.serverV4)]), now: .zero)
        let request = S.check(tid: STUNTransactionID(hi: 1, lo: 1), extras: unknownTypes(count))
        agent.receive(request, from: peer, local: S.serverV4, now: .ms(1))
        try expectBounded420(S.drain(&agent), key: S.liteCredentials.pwd)
        #expect(agent.stats.unknownAttributeSent == 1)
        // The agent carries on: the next valid check is answered and nominates.
        agent.receive(S.check(tid: STUNTransactionID(hi: 1, lo: 2), useCandidate: true),
                      from: peer, local: S.serverV4, now: .ms(2))
        _ = S.drain(&agent)
        #expect(agent.state == .connected)
    }

    @Test(arguments: [100, 4_000])
    func fullAgentTruncatesUnknownAttributes(count: Int) throws {
        var agent = ICEAgent(configuration: .init(localCredentials: S.peerCredentials,
                                                  hostAddresses: [ICEHostAddress(base: S.clientV4)], seed: 3),
                             now: .zero)
        agent.setRemoteCredentials(S.liteCredentials, now: .zero)
        _ = S.drain(&agent)
        let request = S.check(tid: STUNTransactionID(hi: 2, lo: 1), username: "PeEr:LiTe",
                              key: Array(S.peerCredentials.pwd.utf8), extras: unknownTypes(count))
        agent.receive(request, from: peer, local: S.clientV4, now: .ms(1))
        try expectBounded420(S.drain(&agent), key: S.peerCredentials.pwd)
        #expect(agent.stats.unknownAttributeSent == 1)
    }

    /// A remote ufrag too long for a USERNAME attribute (over 65,535 bytes) from a peer's SDP:
    /// the checks cannot be written, so they are counted and not sent, and nothing traps.
    @Test func fullAgentCountsChecksItCannotWrite() {
        var agent = ICEAgent(configuration: .init(localCredentials: S.peerCredentials,
                                                  hostAddresses: [ICEHostAddress(base: S.clientV4)], seed: 5),
                             now: .zero)
        let huge = ICECredentials(ufrag: String(repeating: "u", count: 70_000), pwd: S.liteCredentials.pwd)
        agent.setRemoteCredentials(huge, now: .zero)
        agent.addRemoteCandidate(ICECandidate("candidate:1 1 udp 2130706431 10.0.0.2 40000 typ host")!, now: .zero)
        var sent = 0
        var t = Instant.zero
        for _ in 0..<50 {
            sent += S.transmits(S.drain(&agent)).count
            guard let (next, _) = agent.nextTimeout() else { break }
            t = max(t, next)
            agent.handle(.timeout, now: t)
        }
        #expect(sent == 0)
        #expect(agent.stats.messagesNotWritten >= 1)
    }

    /// Every reply is sized from what it carries: the largest success (IPv6 mapped address)
    /// and the largest error fit exactly.
    @Test func repliesAreSizedFromContent() throws {
        let v6 = TransportAddress("[2001:db8::1]:65535")!
        let tid = STUNTransactionID(hi: 9, lo: 9)
        let ok = try #require(ICEConnectivityCheck.success(transactionID: tid, mapped: v6, local: S.liteCredentials))
        #expect(ok.count == 20 + 24 + 24 + 8)
        let err = try #require(ICEConnectivityCheck.error(transactionID: tid, code: .unknownAttribute,
                                                          unknown: unknownTypes(1_000), local: S.liteCredentials))
        try STUNTestSupport.withMessage(err) { (m) throws in
            #expect(try m.unknownAttributes()?.count == ICEConnectivityCheck.maximumUnknownAttributes)
            try m.verifyFingerprint()
        }
    }
}

/// The committed attack request, and the authenticated fuzz target's re-sealing.
@Suite struct ICEAuthenticatedFuzzTests {
    typealias S = ICETestSupport

    func fixture() throws -> [UInt8] {
        let url = STUNTestSupport.packageRoot()
            .appendingPathComponent("Fixtures/stun/ice-request-100-unknown-attributes.stun")
        return [UInt8](try Data(contentsOf: url))
    }

    @Test func committedAttackRequestGetsBounded420() throws {
        let bytes = try fixture()
        var agent = ICELiteAgent(configuration: .init(localCredentials: S.liteCredentials,
                                                      hostAddresses: [ICEHostAddress(base: S.serverV4)]), now: .zero)
        bytes.withUnsafeBytes {
            agent.handle(.datagram($0, from: S.clientV4, local: S.serverV4), now: .ms(1))
        }
        let t = S.transmits(S.drain(&agent))
        try #require(t.count == 1)
        #expect(t[0].bytes.count <= ICEAuthenticatedFuzz.maximumReplySize)
        try STUNTestSupport.withMessage(t[0].bytes) { (m) throws in
            #expect(try m.errorCode()?.code == .unknownAttribute)
            #expect(try m.unknownAttributes()?.count == ICEConnectivityCheck.maximumUnknownAttributes)
        }
    }

    /// Sealed inputs pass the first checks: a plain valid check is accepted, and so the
    /// mutations reach the code behind MESSAGE-INTEGRITY.
    @Test func sealedRequestsPassIntegrity() throws {
        // Only header bytes and PRIORITY: USERNAME comes from the seal.
        var plain: [UInt8] = [0, 1, 0, 0, 0x21, 0x12, 0xA4, 0x42] + Array(repeating: 7, count: 12)
        plain += [0x00, 0x24, 0x00, 0x04, 0x6E, 0x00, 0x01, 0xFF]
        #expect(plain.withUnsafeBytes { ICEAuthenticatedFuzz.fuzz($0) })
        var rng = SeededRandom(seed: 42)
        var seed = try fixture()
        var accepted = 0
        for i in 0..<2_000 {
            var b = i % 2 == 0 ? seed : plain
            let n = 1 + Int(rng.next() % 4)
            for _ in 0..<n where !b.isEmpty { b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            if b.withUnsafeBytes({ ICEAuthenticatedFuzz.fuzz($0) }) { accepted += 1 }
            if i == 1_000 { seed.removeLast(seed.count / 2) }
        }
        #expect(accepted > 0)
    }
}
