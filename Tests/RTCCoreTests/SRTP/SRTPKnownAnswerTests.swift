import Testing
@testable import RTCCore

private typealias S = SRTPTestSupport

/// Known-answer tests: libsrtp2's output must equal packets computed independently.
///
/// The expected bytes were produced offline with Python 3.11 and the `cryptography` package
/// (48.0), not with libsrtp, by the script below. It first checks its key derivation against
/// RFC 3711 Appendix B.3 (the session keys derived from that master key and salt), then
/// encrypts one RTP and one RTCP packet per profile. The AES-CM RTP result also equals the
/// well-known libsrtp test vector for this key ("4e55dc4c e79978d8 ...").
///
/// ```python
/// # Independent SRTP vectors with Python `cryptography` (not libsrtp).
/// import hmac, hashlib
/// from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
/// from cryptography.hazmat.primitives.ciphers.aead import AESGCM
///
/// def aes_cm_prf(key, x14, n):
///     iv = x14 + b"\x00\x00"
///     enc = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
///     return enc.update(b"\x00" * n) + enc.finalize()
///
/// def kdf(master_key, master_salt14, label, n):
///     # RFC 3711 4.3.1, key_derivation_rate 0 -> r = 0; key_id = label || 0^48, right-aligned
///     x = bytearray(master_salt14)
///     x[7] ^= label
///     return aes_cm_prf(master_key, bytes(x), n)
///
/// mk = bytes.fromhex("E1F97A0D3E018BE0D64FA32C06DE4139")
/// ms = bytes.fromhex("0EC675AD498AFEEBB6960B3AABE6")
/// # RFC 3711 Appendix B.3 check
/// assert kdf(mk, ms, 0, 16).hex().upper() == "C61E7A93744F39EE10734AFE3FF7A087"
/// assert kdf(mk, ms, 2, 14).hex().upper() == "30CBBC08863D8C85D49DB34A9AE1"
/// assert kdf(mk, ms, 1, 20).hex().upper() == "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"
///
/// header = bytes.fromhex("800f1234decafbadcafebabe")
/// payload = bytes([0xab]) * 16
/// ssrc = int.from_bytes(header[8:12], "big"); seq = int.from_bytes(header[2:4], "big"); roc = 0
/// index = (roc << 16) | seq
///
/// # AES_CM_128_HMAC_SHA1_80 (RFC 3711 4.1.1, 4.2)
/// ke, ka, ks = kdf(mk, ms, 0, 16), kdf(mk, ms, 1, 20), kdf(mk, ms, 2, 14)
/// iv = bytearray(ks + b"\x00\x00")
/// for i, b in enumerate(ssrc.to_bytes(4, "big")): iv[4 + i] ^= b
/// for i, b in enumerate(index.to_bytes(6, "big")): iv[8 + i] ^= b
/// enc = Cipher(algorithms.AES(ke), modes.CTR(bytes(iv))).encryptor()
/// ct = enc.update(payload) + enc.finalize()
/// tag = hmac.new(ka, header + ct + roc.to_bytes(4, "big"), hashlib.sha1).digest()[:10]
/// print("cm80 rtp   ", (header + ct + tag).hex())
///
/// # SRTCP with AES_CM_128_HMAC_SHA1_80 (RFC 3711 3.4, 4.1.1): SR header + 20 bytes, index 1? libsrtp starts at index 1
/// rtcp = bytes.fromhex("80c80006" "decafbad") + bytes(range(20))
/// kce, kca, kcs = kdf(mk, ms, 3, 16), kdf(mk, ms, 4, 20), kdf(mk, ms, 5, 14)
/// rssrc = int.from_bytes(rtcp[4:8], "big")
/// for srtcp_index in (1,):
///     iv = bytearray(kcs + b"\x00\x00")
///     for i, b in enumerate(rssrc.to_bytes(4, "big")): iv[4 + i] ^= b
///     for i, b in enumerate(srtcp_index.to_bytes(6, "big")): iv[8 + i] ^= b
///     enc = Cipher(algorithms.AES(kce), modes.CTR(bytes(iv))).encryptor()
///     cbody = enc.update(rtcp[8:]) + enc.finalize()
///     eidx = (0x80000000 | srtcp_index).to_bytes(4, "big")
///     m = rtcp[:8] + cbody + eidx
///     t = hmac.new(kca, m, hashlib.sha1).digest()[:10]
///     print("cm80 rtcp%d" % srtcp_index, (m + t).hex())
///
/// # AEAD_AES_128_GCM / 256 (RFC 7714 8.1): KDF as libsrtp does it: 12-byte master salt
/// # padded with two zero bytes to the 14-byte AES-CM PRF input, AES-CM PRF keyed by master key.
/// for name, klen in (("gcm128", 16), ("gcm256", 32)):
///     gk = bytes(range(1, klen + 1))
///     gs = bytes.fromhex("517569642070726f2071756f")
///     ke = kdf(gk, gs + b"\x00\x00", 0, klen)
///     salt = kdf(gk, gs + b"\x00\x00", 2, 12)
///     iv = bytearray(12)
///     iv[2:6] = ssrc.to_bytes(4, "big"); iv[6:10] = roc.to_bytes(4, "big"); iv[10:12] = seq.to_bytes(2, "big")
///     iv = bytes(a ^ b for a, b in zip(iv, salt))
///     out = AESGCM(ke).encrypt(iv, payload, header)
///     print(name, "key", gk.hex(), "salt", gs.hex())
///     print(name, "rtp", (header + out).hex())
///
/// # SRTCP with AEAD GCM (RFC 7714 9.1, 17): IV = (0x0000 || SSRC || 0x0000 || 0 || SRTCP index)
/// # XOR salt; AAD = first 8 octets || E+index; output = header | ciphertext+tag | E+index.
/// for name, klen in (("gcm128", 16), ("gcm256", 32)):
///     gk = bytes(range(1, klen + 1))
///     gs = bytes.fromhex("517569642070726f2071756f")
///     ke = kdf(gk, gs + b"\x00\x00", 3, klen)
///     salt = kdf(gk, gs + b"\x00\x00", 5, 12)
///     idx = 1
///     iv = bytearray(12)
///     iv[2:6] = rssrc.to_bytes(4, "big"); iv[8:12] = idx.to_bytes(4, "big")
///     iv = bytes(a ^ b for a, b in zip(iv, salt))
///     eidx = (0x80000000 | idx).to_bytes(4, "big")
///     out = AESGCM(ke).encrypt(iv, rtcp[8:], rtcp[:8] + eidx)
///     print(name, "rtcp1", (rtcp[:8] + out + eidx).hex())
/// ```
///
/// Output:
/// ```
/// cm80 rtp    800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb
/// cm80 rtcp1 80c80006decafbad321c39a809bf86644ee8284b4a34c993c051413980000001332b274c96a493857574
/// gcm128 key 0102030405060708090a0b0c0d0e0f10 salt 517569642070726f2071756f
/// gcm128 rtp 800f1234decafbadcafebabe527d27a4d80e582dab30ad49842564ec949a306c9b47f377a512551cf1e4ccd0
/// gcm256 key 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20 salt 517569642070726f2071756f
/// gcm256 rtp 800f1234decafbadcafebabe40c12a05f385b8b74c07b7929e4cae918a0a9afa7fadfc7558116a52be835ac4
/// gcm128 rtcp1 80c80006decafbad00bd5e661514cf78592b97f04473baea203c8bdb4288315451bfc32652842ff3f48eea8080000001
/// gcm256 rtcp1 80c80006decafbad3eb323a44c0d35efc222c2b60e0649396c7b7e7e45ad9bec8ae32b770d5346a4ddaa0e7680000001
/// ```
@Suite struct SRTPKnownAnswerTests {
    /// RFC 3711 Appendix B.3 master key and salt.
    static let rfc3711Key = S.hex("E1F97A0D3E018BE0D64FA32C06DE4139")
    static let rfc3711Salt = S.hex("0EC675AD498AFEEBB6960B3AABE6")
    /// RTP header: V=2, PT=15, seq=0x1234, ts=0xDECAFBAD, SSRC=0xCAFEBABE; payload 16 × 0xAB.
    static let rtpPlain = S.hex("800f1234decafbadcafebabe") + [UInt8](repeating: 0xAB, count: 16)
    /// RTCP SR header with SSRC 0xDECAFBAD and bytes 0...19 after it.
    static let rtcpPlain = S.hex("80c80006decafbad") + (0..<20).map { UInt8($0) }
    static let gcmSalt = S.hex("517569642070726f2071756f")

    static let vectors: [(SRTPProfile, [UInt8], [UInt8], rtp: String, rtcp: String)] = [
        (.aes128CMHMACSHA1_80, rfc3711Key, rfc3711Salt,
         "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb",
         "80c80006decafbad321c39a809bf86644ee8284b4a34c993c051413980000001332b274c96a493857574"),
        (.aeadAES128GCM, (1...16).map { UInt8($0) }, gcmSalt,
         "800f1234decafbadcafebabe527d27a4d80e582dab30ad49842564ec949a306c9b47f377a512551cf1e4ccd0",
         "80c80006decafbad00bd5e661514cf78592b97f04473baea203c8bdb4288315451bfc32652842ff3f48eea8080000001"),
        (.aeadAES256GCM, (1...32).map { UInt8($0) }, gcmSalt,
         "800f1234decafbadcafebabe40c12a05f385b8b74c07b7929e4cae918a0a9afa7fadfc7558116a52be835ac4",
         "80c80006decafbad3eb323a44c0d35efc222c2b60e0649396c7b7e7e45ad9bec8ae32b770d5346a4ddaa0e7680000001"),
    ]

    @Test(arguments: 0..<3)
    func protectMatchesIndependentVector(index: Int) throws {
        let (profile, key, salt, rtp, rtcp) = Self.vectors[index]
        let master = try #require(SRTPMasterKey(profile: profile, key: key, salt: salt))
        let out = try SRTPSession(profile: profile, masterKey: master, direction: .outbound)
        #expect(try S.protect(out, Self.rtpPlain) == S.hex(rtp))
        // The first SRTCP packet of a session carries index 1.
        #expect(try S.protect(out, Self.rtcpPlain, rtcp: true) == S.hex(rtcp))
    }

    @Test(arguments: 0..<3)
    func unprotectAcceptsIndependentVector(index: Int) throws {
        let (profile, key, salt, rtp, rtcp) = Self.vectors[index]
        let master = try #require(SRTPMasterKey(profile: profile, key: key, salt: salt))
        let inb = try SRTPSession(profile: profile, masterKey: master, direction: .inbound)
        #expect(try S.unprotect(inb, S.hex(rtp)) == Self.rtpPlain)
        #expect(try S.unprotect(inb, S.hex(rtcp), rtcp: true) == Self.rtcpPlain)
        #expect(inb.stats.unprotected == 2)
    }
}
