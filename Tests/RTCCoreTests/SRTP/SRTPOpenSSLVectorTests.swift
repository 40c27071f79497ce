import Testing
@testable import RTCCore

private typealias S = SRTPTestSupport

/// The openssl backend against published vectors: RFC 3711 Appendix B.3 (key derivation) and
/// RFC 7714 §16–17 (AEAD_AES_128_GCM / AEAD_AES_256_GCM SRTP and SRTCP). The RFC 7714 vectors
/// are stated in session keys, so they are applied below the key derivation.
@Suite struct SRTPOpenSSLVectorTests {
    // MARK: RFC 3711 Appendix B.3

    static let masterKey = S.hex("E1F97A0D3E018BE0D64FA32C06DE4139")
    static let masterSalt = S.hex("0EC675AD498AFEEBB6960B3AABE6")

    @Test func rfc3711AppendixB3KeyDerivation() throws {
        func d(_ l: SRTPKeyDerivation.Label, _ n: Int) -> [UInt8]? {
            SRTPKeyDerivation.derive(masterKey: Self.masterKey, masterSalt: Self.masterSalt, label: l, length: n)
        }
        #expect(d(.rtpEncryption, 16) == S.hex("C61E7A93744F39EE10734AFE3FF7A087"))
        #expect(d(.rtpSalt, 14) == S.hex("30CBBC08863D8C85D49DB34A9AE1"))
        #expect(d(.rtpAuthentication, 94)?.count == nil)  // more than 64 bytes is refused
        let auth = try #require(d(.rtpAuthentication, 20))
        #expect(auth == S.hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"))
        // The session-key set the transform uses is made of the same values.
        let master = try #require(SRTPMasterKey(profile: .aes128CMHMACSHA1_80, key: Self.masterKey, salt: Self.masterSalt))
        let keys = try #require(SRTPSessionKeys(profile: .aes128CMHMACSHA1_80, masterKey: master))
        #expect(keys.rtpEncryption == S.hex("C61E7A93744F39EE10734AFE3FF7A087"))
        #expect(keys.rtpAuthentication == auth)
        #expect(keys.rtpSalt == S.hex("30CBBC08863D8C85D49DB34A9AE1"))
        #expect(SRTPKeyDerivation.derive(masterKey: [1, 2, 3], masterSalt: Self.masterSalt, label: .rtpSalt, length: 14) == nil)
    }

    // MARK: RFC 7714 §16 (RTP) and §17 (RTCP)

    static let key128 = S.hex("000102030405060708090a0b0c0d0e0f")
    static let key256 = S.hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
    /// "Quid pro quo".
    static let salt = S.hex("517569642070726f2071756f")
    /// §16: SSRC 0x5501a0b2, SEQ 0xf17b, ROC 0, payload "Gallia est omnis divisa in partes tres".
    static let rtp = S.hex("8040f17b8041f8d35501a0b2") + Array("Gallia est omnis divisa in partes tres".utf8)
    /// §16.1.1.
    static let srtp128 = S.hex("""
        8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833\
        899d7f27beb16a9152cf765ee4390cce
        """)
    /// §16.2.1.
    static let srtp256 = S.hex("""
        8040f17b8041f8d35501a0b232b1de78a822fe12ef9f78fa332e33aab18012389a58e2f3b50b2a0276ffae0f1ba63799b87b\
        7aa3db36dfffd6b0f9bb7878d7a76c13
        """)
    /// §17: an SR of SSRC "Mars" (0x4d617273), SRTCP index 0x5d4.
    static let rtcp = S.hex("""
        81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef
        """)
    /// §17.1.
    static let srtcp128 = S.hex("""
        81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b4686303ded0bb9\
        275bc84aa45896cf4d2fc5abf87245d9eade800005d4
        """)
    /// §17.2.
    static let srtcp256 = S.hex("""
        81c8000d4d617273d50ae4d1f5ce5d304ba297e47d470c282c3ece5dbffe0a50a2eaa5c1110555be8415f658c61de0476f1b\
        6fad1d1eb30c4446839f57ff6f6cb26ac3be800005d4
        """)
    /// §17.3: authenticated only, E flag clear: the whole packet is AAD.
    static let srtcp128TagOnly = S.hex("""
        81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef\
        841dd9683dd78ec92ae58790125f62b3000005d4
        """)

    static func transform(_ profile: SRTPProfile, _ key: [UInt8]) throws -> SRTPOpenSSLTransform {
        let keys = SRTPSessionKeys(rtpEncryption: key, rtpAuthentication: [], rtpSalt: salt,
                                   rtcpEncryption: key, rtcpAuthentication: [], rtcpSalt: salt)
        return try SRTPOpenSSLTransform(profile: profile, sessionKeys: keys, windowSize: 1024,
                                        maximumStreams: 16, allowRepeatTransmission: false)
    }

    static func run(_ packet: [UInt8], _ op: (UnsafeMutableRawPointer, Int) throws(SRTPError) -> Int) throws -> [UInt8] {
        var buffer = packet + [UInt8](repeating: 0, count: 64)
        let n = try buffer.withUnsafeMutableBytes { raw throws(SRTPError) -> Int in try op(raw.baseAddress!, packet.count) }
        return Array(buffer.prefix(n))
    }

    @Test(arguments: [(SRTPProfile.aeadAES128GCM, 0), (.aeadAES256GCM, 1)])
    func rfc7714Section16RTP(profile: SRTPProfile, which: Int) throws {
        let key = which == 0 ? Self.key128 : Self.key256
        let expected = which == 0 ? Self.srtp128 : Self.srtp256
        let sender = try Self.transform(profile, key)
        #expect(try Self.run(Self.rtp, sender.protect) == expected)
        let receiver = try Self.transform(profile, key)
        #expect(try Self.run(expected, receiver.unprotect) == Self.rtp)
        // §16.1.2/§16.2.2: a flipped bit fails the tag.
        var bad = expected
        bad[20] ^= 0x01
        #expect(throws: SRTPError(.authenticationFailed, status: 7)) { try Self.run(bad, try Self.transform(profile, key).unprotect) }
    }

    @Test(arguments: [(SRTPProfile.aeadAES128GCM, 0), (.aeadAES256GCM, 1)])
    func rfc7714Section17RTCP(profile: SRTPProfile, which: Int) throws {
        let key = which == 0 ? Self.key128 : Self.key256
        let expected = which == 0 ? Self.srtcp128 : Self.srtcp256
        let receiver = try Self.transform(profile, key)
        #expect(try Self.run(expected, receiver.unprotectRTCP) == Self.rtcp)
        // Replayed: refused.
        #expect(throws: SRTPError(.replayed, status: 9)) { try Self.run(expected, receiver.unprotectRTCP) }
        // The sender counts from index 1: wind it forward to the vector's index 0x5d4.
        let sender = try Self.transform(profile, key)
        for _ in 1..<0x5D4 { _ = try Self.run(Self.rtcp, sender.protectRTCP) }
        #expect(try Self.run(Self.rtcp, sender.protectRTCP) == expected)
    }

    @Test func rfc7714Section17_3AuthenticatedOnlySRTCP() throws {
        let receiver = try Self.transform(.aeadAES128GCM, Self.key128)
        #expect(try Self.run(Self.srtcp128TagOnly, receiver.unprotectRTCP) == Self.rtcp)
        var bad = Self.srtcp128TagOnly
        bad[12] ^= 0x80   // a clear byte: covered as AAD
        #expect(throws: SRTPError(.authenticationFailed, status: 7)) {
            try Self.run(bad, try Self.transform(.aeadAES128GCM, Self.key128).unprotectRTCP)
        }
    }

    /// RFC 3711 §3.4 / libsrtp2: without the E flag an AES-CM SRTCP packet is refused (status
    /// 14, "cannot check"), by both backends.
    @Test func aesCMSRTCPWithoutEFlagIsRefused() throws {
        let key = try #require(SRTPMasterKey(profile: .aes128CMHMACSHA1_80, key: Self.masterKey, salt: Self.masterSalt))
        let out = try SRTPSession(profile: .aes128CMHMACSHA1_80, masterKey: key, direction: .outbound)
        var p = try S.protect(out, S.rtcpSenderReport(ssrc: 3), rtcp: true)
        p[p.count - 14] &= 0x7F
        for backend in SRTPBackend.allCases {
            let inb = try SRTPSession(profile: .aes128CMHMACSHA1_80, masterKey: key, direction: .inbound, backend: backend)
            #expect(throws: SRTPError(.other, status: 14)) { try S.unprotect(inb, p, rtcp: true) }
            #expect(inb.stats.otherErrors == 1)
        }
    }

    /// The known-answer vectors of ``SRTPKnownAnswerTests`` (computed independently with
    /// Python `cryptography`) hold for both backends; the `_32` profile gives the `_80`
    /// packet with the tag cut to 4 bytes, and the `_80` SRTCP packet unchanged.
    @Test(arguments: SRTPBackend.allCases)
    func knownAnswersForBothBackends(backend: SRTPBackend) throws {
        for (profile, key, salt, rtp, rtcp) in SRTPKnownAnswerTests.vectors {
            let master = try #require(SRTPMasterKey(profile: profile, key: key, salt: salt))
            let out = try SRTPSession(profile: profile, masterKey: master, direction: .outbound, backend: backend)
            #expect(try S.protect(out, SRTPKnownAnswerTests.rtpPlain) == S.hex(rtp))
            #expect(try S.protect(out, SRTPKnownAnswerTests.rtcpPlain, rtcp: true) == S.hex(rtcp))
        }
        let cm80 = SRTPKnownAnswerTests.vectors[0]
        let master32 = try #require(SRTPMasterKey(profile: .aes128CMHMACSHA1_32, key: cm80.1, salt: cm80.2))
        let out32 = try SRTPSession(profile: .aes128CMHMACSHA1_32, masterKey: master32, direction: .outbound, backend: backend)
        let rtp80 = S.hex(cm80.rtp)
        #expect(try S.protect(out32, SRTPKnownAnswerTests.rtpPlain) == Array(rtp80.prefix(rtp80.count - 6)))
        #expect(try S.protect(out32, SRTPKnownAnswerTests.rtcpPlain, rtcp: true) == S.hex(cm80.rtcp))
    }
}
