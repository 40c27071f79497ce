import Testing
@testable import RTCCore

private typealias S = SRTPTestSupport

@Suite struct SRTPSessionTests {
    @Test func profileTable() {
        // (profile, id, key, salt, RTP trailer, RTCP trailer) — RFC 5764 §4.1.2, RFC 7714 §14.2.
        let table: [(SRTPProfile, UInt16, Int, Int, Int, Int)] = [
            (.aeadAES128GCM, 0x0007, 16, 12, 16, 20),
            (.aeadAES256GCM, 0x0008, 32, 12, 16, 20),
            (.aes128CMHMACSHA1_80, 0x0001, 16, 14, 10, 14),
            (.aes128CMHMACSHA1_32, 0x0002, 16, 14, 4, 14),   // SRTCP keeps the 80-bit tag
        ]
        for (p, id, key, salt, rtp, rtcp) in table {
            #expect(p.rawValue == id)
            #expect(SRTPProfile(protectionProfileID: id) == p)
            #expect(p.keyLength == key)
            #expect(p.saltLength == salt)
            #expect(p.rtpTrailerLength == rtp)
            #expect(p.rtcpTrailerLength == rtcp)
            #expect(DTLSSRTPKeys.keyingMaterialLength(for: p) == 2 * (key + salt))
        }
        #expect(SRTPProfile(protectionProfileID: 0x0005) == nil)  // NULL_HMAC_SHA1_32: not implemented
        #expect(!DTLSConfiguration().srtpProfiles.contains(.aes128CMHMACSHA1_32))  // not offered by default
        #expect(SRTPSession.rtpTrailerRoom == 144)
        #expect(SRTPSession.rtcpTrailerRoom == 148)
    }

    @Test func keyingMaterialLayout() throws {
        // RFC 5764 §4.2: client key | server key | client salt | server salt.
        let p = SRTPProfile.aes128CMHMACSHA1_80
        let m = (0..<60).map { UInt8($0) }
        let client = try #require(DTLSSRTPKeys(profile: p, role: .client, keyingMaterial: m))
        let server = try #require(DTLSSRTPKeys(profile: p, role: .server, keyingMaterial: m))
        #expect(client.client.key == Array(0..<16))
        #expect(client.server.key == Array(16..<32))
        #expect(client.client.salt == Array(32..<46))
        #expect(client.server.salt == Array(46..<60))
        #expect(client.local == server.remote)
        #expect(client.remote == server.local)
        #expect(client.local.keyAndSalt == Array(0..<16) + Array(32..<46))
        #expect(DTLSSRTPKeys(profile: p, role: .client, keyingMaterial: Array(m.dropLast())) == nil)
        #expect(SRTPMasterKey(profile: p, key: [1], salt: []) == nil)
        // Logging keys or a connected event never prints the secret bytes.
        let text = "\(client) \(String(describing: DTLSEvent.connected(p, client))) \(String(reflecting: client))"
        #expect(!text.contains("33, 34"))
        #expect(text.contains("redacted"))
    }

    @Test(arguments: SRTPProfile.allCases)
    func rtpRoundTripWithHandshakeKeys(profile: SRTPProfile) throws {
        let (c, s) = try S.handshakeKeys(profile)
        #expect(c.profile == profile)
        let clientOut = try SRTPSession(profile: profile, masterKey: c.local, direction: .outbound)
        let serverIn = try SRTPSession(profile: profile, masterKey: s.remote, direction: .inbound)
        let serverOut = try SRTPSession(profile: profile, masterKey: s.local, direction: .outbound)
        let clientIn = try SRTPSession(profile: profile, masterKey: c.remote, direction: .inbound)
        var rng = SeededRandom(seed: UInt64(profile.rawValue))
        for i in 0..<300 {
            let ssrc = UInt32(0x1000 + i % 3)           // three streams, each added on first packet
            let payload = rng.bytes(Int(rng.next() % 1200))
            let packet = S.rtp(ssrc: ssrc, seq: UInt16(truncatingIfNeeded: 65_000 + i), timestamp: UInt32(i * 3000), payload: payload)
            for (out, inb) in [(clientOut, serverIn), (serverOut, clientIn)] {
                let protected = try S.protect(out, packet)
                #expect(protected.count == packet.count + profile.rtpTrailerLength)
                #expect(Array(protected[0..<12]) == Array(packet[0..<12]))  // header in clear
                if payload.count >= 8 { #expect(Array(protected[12..<20]) != Array(packet[12..<20])) }
                let plain = try S.unprotect(inb, protected)
                #expect(plain == packet)
            }
        }
        #expect(clientOut.stats.protected == 300)
        #expect(serverIn.stats.unprotected == 300)
        #expect(serverIn.stats.authFailures == 0)
        #expect(serverIn.stats.replays == 0)
        #expect(serverIn.stats.otherErrors == 0)
    }

    @Test(arguments: SRTPProfile.allCases)
    func rtcpRoundTripWithHandshakeKeys(profile: SRTPProfile) throws {
        let (c, s) = try S.handshakeKeys(profile)
        let out = try SRTPSession(profile: profile, masterKey: c.local, direction: .outbound)
        let inb = try SRTPSession(profile: profile, masterKey: s.remote, direction: .inbound)
        var rng = SeededRandom(seed: 99)
        for i in 0..<100 {
            let packet = S.rtcpSenderReport(ssrc: UInt32(7 + i % 2), extra: rng.bytes(Int(rng.next() % 200)))
            let protected = try S.protect(out, packet, rtcp: true)
            #expect(protected.count == packet.count + profile.rtcpTrailerLength)
            #expect(Array(protected[0..<8]) == Array(packet[0..<8]))
            // E flag set: the packet is encrypted. It precedes the tag with AES-CM
            // (RFC 3711 §3.4) and follows it with AEAD (RFC 7714 §9).
            let eAt = profile.isAEAD ? packet.count + profile.tagLength : packet.count
            #expect(protected[eAt] & 0x80 == 0x80)
            #expect(try S.unprotect(inb, protected, rtcp: true) == packet)
        }
        #expect(inb.stats.unprotected == 100)
        // An SRTCP replay is refused too.
        let p = try S.protect(out, S.rtcpSenderReport(ssrc: 7), rtcp: true)
        _ = try S.unprotect(inb, p, rtcp: true)
        #expect(throws: SRTPError(.replayed, status: 9)) { try S.unprotect(inb, p, rtcp: true) }
        #expect(inb.stats.replays == 1)
    }

    @Test(arguments: SRTPProfile.allCases)
    func replayIsRefusedAndCounted(profile: SRTPProfile) throws {
        let (c, s) = try S.handshakeKeys(profile)
        let out = try SRTPSession(profile: profile, masterKey: c.local, direction: .outbound)
        let inb = try SRTPSession(profile: profile, masterKey: s.remote, direction: .inbound)
        let p1 = try S.protect(out, S.rtp(ssrc: 1, seq: 10, payload: [1, 2, 3]))
        _ = try S.unprotect(inb, p1)
        do {
            _ = try S.unprotect(inb, p1)
            Issue.record("replay accepted")
        } catch {
            #expect(error.kind == .replayed)
        }
        #expect(inb.stats.replays == 1)
        #expect(inb.stats.unprotected == 1)

        // Older than the replay window (1024): refused as well.
        let old = try S.protect(out, S.rtp(ssrc: 1, seq: 11, payload: [4]))
        let far = try S.protect(out, S.rtp(ssrc: 1, seq: 11 + 2000, payload: [5]))
        _ = try S.unprotect(inb, far)
        #expect(throws: SRTPError.self) { try S.unprotect(inb, old) }
        #expect(inb.stats.replays == 2)

        // Reordering within the window is fine.
        let a = try S.protect(out, S.rtp(ssrc: 2, seq: 100, payload: [1]))
        let b = try S.protect(out, S.rtp(ssrc: 2, seq: 101, payload: [2]))
        _ = try S.unprotect(inb, b)
        _ = try S.unprotect(inb, a)
        #expect(inb.stats.unprotected == 4)

        // Protecting the same index twice is refused unless allowed.
        let dup = S.rtp(ssrc: 3, seq: 5, payload: [9])
        _ = try S.protect(out, dup)
        #expect(throws: SRTPError.self) { try S.protect(out, dup) }
        #expect(out.stats.replays == 1)
        let rtxOut = try SRTPSession(profile: profile, masterKey: c.local, direction: .outbound,
                                     allowRepeatTransmission: true)
        let once = try S.protect(rtxOut, dup)
        let twice = try S.protect(rtxOut, dup)
        #expect(once == twice)
    }

    @Test(arguments: SRTPProfile.allCases)
    func tamperedPacketIsRefusedAndCounted(profile: SRTPProfile) throws {
        let (c, s) = try S.handshakeKeys(profile)
        let out = try SRTPSession(profile: profile, masterKey: c.local, direction: .outbound)
        let inb = try SRTPSession(profile: profile, masterKey: s.remote, direction: .inbound)
        var rng = SeededRandom(seed: 5)
        var failures: UInt64 = 0
        for seq in UInt16(1)...40 {
            let packet = S.rtp(ssrc: 0xCAFE, seq: seq, payload: rng.bytes(100))
            var protected = try S.protect(out, packet)
            // Flip one bit anywhere but the sequence number (header, payload or tag).
            var at = Int(rng.next() % UInt64(protected.count))
            if at == 2 || at == 3 { at = 20 }
            protected[at] ^= 0x01
            do {
                _ = try S.unprotect(inb, protected)
                Issue.record("tampered byte \(at) accepted")
            } catch {
                #expect(error.kind == .authenticationFailed)
                failures += 1
            }
            #expect(inb.stats.authFailures == failures)
            // The genuine packet still gets through afterwards: a forgery leaves no replay state.
            protected[at] ^= 0x01
            #expect(try S.unprotect(inb, protected) == packet)
        }
        #expect(inb.stats.unprotected == 40)
        // Tampered SRTCP too.
        var rtcp = try S.protect(out, S.rtcpSenderReport(ssrc: 1), rtcp: true)
        rtcp[10] ^= 0x80
        #expect(throws: SRTPError(.authenticationFailed, status: 7)) { try S.unprotect(inb, rtcp, rtcp: true) }
        #expect(inb.stats.authFailures == failures + 1)
    }

    @Test func newInboundStreamIsAddedOnFirstPacketOnly() throws {
        let (c, s) = try S.handshakeKeys(.aeadAES128GCM)
        let out = try SRTPSession(profile: .aeadAES128GCM, masterKey: c.local, direction: .outbound)
        let inb = try SRTPSession(profile: .aeadAES128GCM, masterKey: s.remote, direction: .inbound)
        // A forged first packet of an unknown SSRC does not create a stream...
        var forged = try S.protect(out, S.rtp(ssrc: 0xBEEF, seq: 1, payload: [1, 2, 3, 4]))
        forged[forged.count - 1] ^= 0xFF
        #expect(throws: SRTPError.self) { try S.unprotect(inb, forged) }
        forged[forged.count - 1] ^= 0xFF
        // ...so the genuine one is accepted, and later ones of that SSRC too.
        #expect(try S.unprotect(inb, forged) == S.rtp(ssrc: 0xBEEF, seq: 1, payload: [1, 2, 3, 4]))
        for ssrc in UInt32(1)...20 {
            let p = S.rtp(ssrc: ssrc, seq: UInt16(ssrc * 100), payload: [UInt8(ssrc)])
            #expect(try S.unprotect(inb, try S.protect(out, p)) == p)
        }
        #expect(inb.stats.unprotected == 21)
        #expect(inb.stats.authFailures == 1)
    }

    @Test func wrongKeyFailsAuthentication() throws {
        let (c, _) = try S.handshakeKeys(.aes128CMHMACSHA1_80)
        let out = try SRTPSession(profile: .aes128CMHMACSHA1_80, masterKey: c.local, direction: .outbound)
        // Unprotecting with our own local key instead of the peer's: every packet fails.
        let wrong = try SRTPSession(profile: .aes128CMHMACSHA1_80, masterKey: c.remote, direction: .inbound)
        for seq in UInt16(0)..<10 {
            let p = try S.protect(out, S.rtp(ssrc: 1, seq: seq, payload: [1]))
            #expect(throws: SRTPError.self) { try S.unprotect(wrong, p) }
        }
        #expect(wrong.stats.authFailures == 10)
    }

    @Test func bufferAndLengthChecks() throws {
        let (c, s) = try S.handshakeKeys(.aeadAES128GCM)
        let out = try SRTPSession(profile: .aeadAES128GCM, masterKey: c.local, direction: .outbound)
        let inb = try SRTPSession(profile: .aeadAES128GCM, masterKey: s.remote, direction: .inbound)
        let packet = S.rtp(ssrc: 1, seq: 1, payload: [1, 2, 3])
        // No room for the trailer.
        var tight = packet + [UInt8](repeating: 0, count: 16)
        #expect(throws: SRTPError(.bufferTooSmall)) {
            try tight.withUnsafeMutableBytes { try out.protect(buffer: $0, length: packet.count) }
        }
        // Length beyond the buffer, or shorter than a header.
        let tooLong = tight.count + 1
        #expect(throws: SRTPError(.malformed)) {
            try tight.withUnsafeMutableBytes { try out.protect(buffer: $0, length: tooLong) }
        }
        var short: [UInt8] = [0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0]
        #expect(throws: SRTPError(.malformed)) {
            try short.withUnsafeMutableBytes { try inb.unprotect(buffer: $0, length: $0.count) }
        }
        #expect(throws: SRTPError(.malformed)) {
            try short.withUnsafeMutableBytes { try inb.unprotectRTCP(buffer: $0, length: 7) }
        }
        #expect(out.stats.otherErrors == 2)
        #expect(inb.stats.otherErrors == 2)
        // A header whose CSRC count points past the end.
        var lying = S.rtp(ssrc: 1, seq: 2, payload: [])
        lying[0] = 0x8F
        lying += [UInt8](repeating: 0, count: SRTPSession.rtpTrailerRoom)
        #expect(throws: SRTPError.self) {
            try lying.withUnsafeMutableBytes { try out.protect(buffer: $0, length: 12) }
        }
    }

    @Test func invalidKeysAreRefused() throws {
        let key = try #require(SRTPMasterKey(profile: .aeadAES128GCM, key: Array(repeating: 1, count: 16), salt: Array(repeating: 2, count: 12)))
        #expect(throws: SRTPError(.invalidKey)) {
            _ = try SRTPSession(profile: .aeadAES256GCM, masterKey: key, direction: .inbound)
        }
        #expect(throws: SRTPError(.setupFailed)) {
            _ = try SRTPSession(profile: .aeadAES128GCM, masterKey: key, direction: .inbound, replayWindow: 10)
        }
    }

    @Test(arguments: SRTPProfile.allCases)
    func randomGarbageNeverCrashes(profile: SRTPProfile) throws {
        let key = try #require(SRTPMasterKey(
            profile: profile, key: Array(repeating: 7, count: profile.keyLength),
            salt: Array(repeating: 9, count: profile.saltLength)))
        let inb = try SRTPSession(profile: profile, masterKey: key, direction: .inbound)
        let out = try SRTPSession(profile: profile, masterKey: key, direction: .outbound)
        var rng = SeededRandom(seed: 1234)
        var accepted = 0
        for i in 0..<4000 {
            var bytes = rng.bytes(Int(rng.next() % 300))
            if i % 2 == 0, bytes.count >= 12 { bytes[0] = 0x80 | (bytes[0] & 0x3F) }
            let length = bytes.count
            bytes += [UInt8](repeating: 0, count: SRTPSession.rtcpTrailerRoom)
            bytes.withUnsafeMutableBytes { raw in
                if (try? inb.unprotect(buffer: raw, length: length)) != nil { accepted += 1 }
                if (try? inb.unprotectRTCP(buffer: raw, length: length)) != nil { accepted += 1 }
                _ = try? out.protect(buffer: raw, length: length)
                _ = try? out.protectRTCP(buffer: raw, length: length)
            }
        }
        #expect(accepted == 0)
        let st = inb.stats
        #expect(st.unprotected == 0)
        #expect(st.authFailures + st.replays + st.otherErrors == 8000)
    }
}
