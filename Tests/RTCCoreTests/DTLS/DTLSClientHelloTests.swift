import Testing
@testable import RTCCore

/// Big-endian byte building for hand-made DTLS messages.
private extension Array where Element == UInt8 {
    mutating func u8(_ v: Int) { append(UInt8(truncatingIfNeeded: v)) }
    mutating func u16(_ v: Int) { u8(v >> 8); u8(v) }
    mutating func u24(_ v: Int) { u8(v >> 16); u8(v >> 8); u8(v) }
    mutating func u48(_ v: UInt64) { for k in stride(from: 40, through: 0, by: -8) { u8(Int(truncatingIfNeeded: v >> UInt64(k))) } }
    /// Appends `body` preceded by its length in `width` bytes.
    mutating func vector(_ width: Int, _ body: [UInt8]) {
        switch width {
        case 1: u8(body.count)
        case 2: u16(body.count)
        default: u24(body.count)
        }
        append(contentsOf: body)
    }
}

/// Handshake fragments of one handshake message, each in its own record and datagram
/// (RFC 6347 §4.2.3):
///
/// ```
/// record:    | 22 | version (2) | epoch 0 (2) | seq (6) | length (2) |
/// handshake: | msg_type | length (3) | message_seq (2) | fragment_offset (3) | fragment_length (3) | fragment |
/// ```
private func fragmentedDatagrams(
    type: UInt8, messageSeq: Int, body: [UInt8], splitAt: Int, recordVersion: Int, firstRecordSeq: UInt64
) -> [[UInt8]] {
    let pieces = [(0, Array(body[0..<splitAt])), (splitAt, Array(body[splitAt...]))]
    return pieces.enumerated().map { k, piece in
        var hs: [UInt8] = []
        hs.u8(Int(type))
        hs.u24(body.count)
        hs.u16(messageSeq)
        hs.u24(piece.0)
        hs.vector(3, piece.1)
        var rec: [UInt8] = [22]
        rec.u16(recordVersion)
        rec.u16(0)
        rec.u48(firstRecordSeq + UInt64(k))
        rec.vector(2, hs)
        return rec
    }
}

/// A ClientHello shaped like Chromium's (BoringSSL, DTLS 1.3-capable): it offers DTLS 1.3
/// and 1.2 in supported_versions, a post-quantum X25519MLKEM768 key share (which makes it
/// ~1,400 bytes, so it is sent in two fragments), GREASE, and the three SRTP profiles.
private func chromiumLikeClientHelloBody(_ rng: inout SeededRandom) -> [UInt8] {
    var b: [UInt8] = []
    b.u16(0xFEFD)                        // legacy_version: DTLS 1.2
    b.append(contentsOf: rng.bytes(32))  // random
    b.vector(1, [])                      // legacy_session_id
    b.vector(1, [])                      // cookie
    var suites: [UInt8] = []
    for s in [0x0A0A, 0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xCCA9, 0xCCA8, 0xC009, 0xC013,
              0xC00A, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035] { suites.u16(s) }
    b.vector(2, suites)
    b.vector(1, [0])                     // compression: null

    var ext: [UInt8] = []
    func add(_ type: Int, _ body: [UInt8]) { ext.u16(type); ext.vector(2, body) }
    add(0x1A1A, [])                                      // GREASE
    add(0x0017, [])                                      // extended_master_secret
    add(0xFF01, [0])                                     // renegotiation_info
    var groups: [UInt8] = []
    for g in [0x2A2A, 0x11EC, 0x001D, 0x0017, 0x0018] { groups.u16(g) }
    var groupList: [UInt8] = []
    groupList.vector(2, groups)
    add(0x000A, groupList)                               // supported_groups
    add(0x000B, [1, 0])                                  // ec_point_formats
    add(0x0023, [])                                      // session_ticket
    var sigs: [UInt8] = []
    for s in [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601] { sigs.u16(s) }
    var sigList: [UInt8] = []
    sigList.vector(2, sigs)
    add(0x000D, sigList)                                 // signature_algorithms
    var srtp: [UInt8] = []
    var profiles: [UInt8] = []
    for p in [0x0007, 0x0008, 0x0001] { profiles.u16(p) }
    srtp.vector(2, profiles)
    srtp.vector(1, [])                                   // no MKI
    add(0x000E, srtp)                                    // use_srtp
    var versions: [UInt8] = []
    for v in [0xFEFC, 0xFEFD] { versions.u16(v) }        // DTLS 1.3, DTLS 1.2
    var versionList: [UInt8] = []
    versionList.vector(1, versions)
    add(0x002B, versionList)                             // supported_versions
    var shares: [UInt8] = []
    shares.u16(0x11EC)
    shares.vector(2, rng.bytes(1216))                    // X25519MLKEM768 share
    shares.u16(0x001D)
    shares.vector(2, rng.bytes(32))                      // X25519 share
    var shareList: [UInt8] = []
    shareList.vector(2, shares)
    add(0x0033, shareList)                               // key_share
    add(0x002D, [1, 1])                                  // psk_key_exchange_modes
    b.vector(2, ext)
    return b
}

/// The fields of a ServerHello this test checks.
private struct ServerHelloSummary {
    var version: Int
    var cipherSuite: Int
    var srtpProfile: Int?
}

private func serverHello(in datagrams: [[UInt8]]) -> ServerHelloSummary? {
    for d in datagrams {
        for (h, at) in DTLSRecordHeader.records(d) where h.contentType == 22 && h.epoch == 0 {
            let m = Array(d[(at + 13)..<(at + 13 + h.length)])
            guard m.count > 12 + 38, m[0] == 2 else { continue }
            let body = Array(m[12...])
            var i = 0
            let version = Int(body[i]) << 8 | Int(body[i + 1]); i += 2 + 32
            let sid = Int(body[i]); i += 1 + sid
            let suite = Int(body[i]) << 8 | Int(body[i + 1]); i += 2 + 1
            var srtp: Int?
            if i + 2 <= body.count {
                let extEnd = i + 2 + (Int(body[i]) << 8 | Int(body[i + 1])); i += 2
                while i + 4 <= min(extEnd, body.count) {
                    let type = Int(body[i]) << 8 | Int(body[i + 1])
                    let len = Int(body[i + 2]) << 8 | Int(body[i + 3])
                    if type == 0x000E, len >= 4 { srtp = Int(body[i + 6]) << 8 | Int(body[i + 7]) }
                    i += 4 + len
                }
            }
            return ServerHelloSummary(version: version, cipherSuite: suite, srtpProfile: srtp)
        }
    }
    return nil
}

@Suite struct DTLSClientHelloTests {
    @Test(arguments: [false, true])
    func chromiumLikeFragmentedClientHelloOffering13(reversed: Bool) throws {
        var rng = SeededRandom(seed: 156)
        let body = chromiumLikeClientHelloBody(&rng)
        #expect(body.count > 1300)
        var datagrams = fragmentedDatagrams(
            type: 1, messageSeq: 0, body: body, splitAt: 1100, recordVersion: 0xFEFF, firstRecordSeq: 0)
        #expect(datagrams.count == 2)
        #expect(datagrams.allSatisfy { $0.count <= 1200 })
        if reversed { datagrams.reverse() }

        let server = try DTLSEndpoint(
            role: .server, certificate: DTLSTestCertificates.bob,
            remoteFingerprints: [DTLSTestCertificates.alice.fingerprint])
        datagrams[0].withUnsafeBytes { server.handle(datagram: $0, now: .zero) }
        // Half a ClientHello: nothing to answer yet.
        #expect(server.pollOutput() == nil)
        #expect(server.state == .handshaking)
        datagrams[1].withUnsafeBytes { server.handle(datagram: $0, now: .zero) }

        var sent: [[UInt8]] = []
        while let out = server.pollOutput() {
            if case .transmit(let d) = out { sent.append(d) } else { Issue.record("unexpected \(out)") }
        }
        #expect(server.state == .handshaking)
        let hello = try #require(serverHello(in: sent))
        #expect(hello.version == 0xFEFD)             // DTLS 1.2 chosen
        #expect(hello.cipherSuite == 0xC02B)         // ECDHE-ECDSA-AES128-GCM-SHA256
        #expect(hello.srtpProfile == 0x0007)         // SRTP_AEAD_AES_128_GCM
        #expect(sent.allSatisfy { $0.count <= 1200 })
        // The server flight waits for an answer: its retransmission timer runs.
        #expect(server.nextTimeout()?.0 == Instant.zero + .milliseconds(250))
    }

    @Test func dtls10OnlyClientHelloIsRefused() throws {
        var rng = SeededRandom(seed: 10)
        var body = chromiumLikeClientHelloBody(&rng)
        body[0] = 0xFE
        body[1] = 0xFF  // legacy_version DTLS 1.0 (supported_versions is ignored in DTLS 1.2)
        let datagrams = fragmentedDatagrams(
            type: 1, messageSeq: 0, body: body, splitAt: 700, recordVersion: 0xFEFF, firstRecordSeq: 0)
        let server = try DTLSEndpoint(role: .server, certificate: DTLSTestCertificates.bob)
        for d in datagrams { d.withUnsafeBytes { server.handle(datagram: $0, now: .zero) } }
        var alerts = 0
        var failure: DTLSError?
        while let out = server.pollOutput() {
            switch out {
            case .transmit(let d): if DTLSRecordHeader(d)?.contentType == 21 { alerts += 1 }
            case .event(.failed(let e)): failure = e
            case .event: break
            }
        }
        #expect(failure?.kind == .handshakeFailed)
        #expect(failure?.openSSLReason != nil)
        #expect(alerts == 1)  // protocol_version alert
        #expect(server.stats.handshakeFailures == 1)
        #expect(server.keys == nil)
    }

    @Test func fragmentedClientHelloFromRealClientCompletesHandshake() throws {
        // The OpenSSL client's ClientHello is re-sent as two fragments in two datagrams; the
        // client's later epoch-0 records are renumbered past the extra record.
        let pair = try DTLSPair(roleA: .client)
        pair.rewrite = { side, index, bytes in
            guard side == .a else { return [bytes] }
            if index == 0 {
                let h = DTLSRecordHeader(bytes)!
                let msg = Array(bytes[13...])
                #expect(msg[0] == 1)
                let body = Array(msg[12...])
                return fragmentedDatagrams(
                    type: 1, messageSeq: 0, body: body, splitAt: body.count / 2,
                    recordVersion: Int(h.version), firstRecordSeq: h.sequence)
            }
            var out = bytes
            for (h, at) in DTLSRecordHeader.records(bytes) where h.epoch == 0 {
                let seq = h.sequence + 1
                for k in 0..<6 { out[at + 5 + k] = UInt8(truncatingIfNeeded: seq >> UInt64(8 * (5 - k))) }
            }
            return [out]
        }
        pair.start()
        pair.run(until: pair.bothConnected)
        #expect(pair.bothConnected())
        #expect(pair.a.stats.retransmissions == 0)
        #expect(pair.b.stats.retransmissions == 0)
        #expect(pair.b.stats.datagramsReceived >= 3)
    }

    @Test func clientHelloWithoutUseSRTPFails() throws {
        // A ClientHello offering no SRTP profile: the handshake may complete at the TLS level,
        // but no keys are ever released.
        let pair = try DTLSPair(roleA: .client)
        pair.rewrite = { side, index, bytes in
            guard side == .a, index == 0 else { return [bytes] }
            return [stripExtension(0x000E, fromClientHello: bytes)]
        }
        pair.start()
        pair.run()
        #expect(pair.b.keys == nil)
        #expect(pair.connectedEvent(.b) == nil)
        #expect(pair.failure(.b) != nil)
    }
}

/// Removes one extension from an unfragmented ClientHello datagram, fixing every length.
private func stripExtension(_ type: Int, fromClientHello d: [UInt8]) -> [UInt8] {
    var body = Array(d[(13 + 12)...])
    var i = 2 + 32
    i += 1 + Int(body[i])                                   // session id
    i += 1 + Int(body[i])                                   // cookie
    i += 2 + (Int(body[i]) << 8 | Int(body[i + 1]))         // cipher suites
    i += 1 + Int(body[i])                                   // compression
    let extLenAt = i
    var j = i + 2
    while j + 4 <= body.count {
        let t = Int(body[j]) << 8 | Int(body[j + 1])
        let len = Int(body[j + 2]) << 8 | Int(body[j + 3])
        if t == type {
            body.removeSubrange(j..<(j + 4 + len))
            let total = (Int(body[extLenAt]) << 8 | Int(body[extLenAt + 1])) - 4 - len
            body[extLenAt] = UInt8(total >> 8)
            body[extLenAt + 1] = UInt8(total & 0xFF)
            break
        }
        j += 4 + len
    }
    var hs: [UInt8] = [1]
    hs.u24(body.count)
    hs.append(contentsOf: d[(13 + 4)..<(13 + 6)])           // message_seq
    hs.u24(0)
    hs.vector(3, body)
    var rec = Array(d[0..<11])
    rec.vector(2, hs)
    return rec
}
