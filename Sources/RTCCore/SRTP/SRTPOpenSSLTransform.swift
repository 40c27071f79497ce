import COpenSSL
import CRTCShims

/// The session keys of one SRTP direction (RFC 3711 §4.3: derived from the master key and salt,
/// or given directly by test vectors such as RFC 7714 §16–17, which are stated in session keys).
struct SRTPSessionKeys {
    var rtpEncryption: [UInt8]
    var rtpAuthentication: [UInt8]
    var rtpSalt: [UInt8]
    var rtcpEncryption: [UInt8]
    var rtcpAuthentication: [UInt8]
    var rtcpSalt: [UInt8]

    /// Derives every key with the AES-CM PRF (``SRTPKeyDerivation``). AEAD profiles have no
    /// authentication key (RFC 7714 §11).
    init?(profile: SRTPProfile, masterKey: SRTPMasterKey) {
        func d(_ l: SRTPKeyDerivation.Label, _ n: Int) -> [UInt8]? {
            SRTPKeyDerivation.derive(masterKey: masterKey.key, masterSalt: masterKey.salt, label: l, length: n)
        }
        let k = profile.keyLength
        let s = profile.saltLength
        let a = profile.isAEAD ? 0 : 20
        guard let re = d(.rtpEncryption, k), let rs = d(.rtpSalt, s),
            let ce = d(.rtcpEncryption, k), let cs = d(.rtcpSalt, s)
        else { return nil }
        var ra: [UInt8] = []
        var ca: [UInt8] = []
        if a > 0 {
            guard let x = d(.rtpAuthentication, a), let y = d(.rtcpAuthentication, a) else { return nil }
            ra = x
            ca = y
        }
        self.init(rtpEncryption: re, rtpAuthentication: ra, rtpSalt: rs,
                  rtcpEncryption: ce, rtcpAuthentication: ca, rtcpSalt: cs)
    }

    init(rtpEncryption: [UInt8], rtpAuthentication: [UInt8], rtpSalt: [UInt8],
         rtcpEncryption: [UInt8], rtcpAuthentication: [UInt8], rtcpSalt: [UInt8]) {
        self.rtpEncryption = rtpEncryption
        self.rtpAuthentication = rtpAuthentication
        self.rtpSalt = rtpSalt
        self.rtcpEncryption = rtcpEncryption
        self.rtcpAuthentication = rtcpAuthentication
        self.rtcpSalt = rtcpSalt
    }

    mutating func wipe() {
        for i in rtpEncryption.indices { rtpEncryption[i] = 0 }
        for i in rtpAuthentication.indices { rtpAuthentication[i] = 0 }
        for i in rtpSalt.indices { rtpSalt[i] = 0 }
        for i in rtcpEncryption.indices { rtcpEncryption[i] = 0 }
        for i in rtcpAuthentication.indices { rtcpAuthentication[i] = 0 }
        for i in rtcpSalt.indices { rtcpSalt[i] = 0 }
    }
}

/// SRTP and SRTCP (RFC 3711; AEAD AES-GCM per RFC 7714) on OpenSSL EVP: the ``SRTPBackend/openssl``
/// backend of ``SRTPSession``.
///
/// Every cipher context is keyed once, in `init`; a packet only sets the IV. HMAC-SHA1 copies a
/// precomputed inner/outer state (CRTCShims `rtc_hmac_sha1_key`). Per-SSRC state lives in a
/// preallocated ``SRTPStreamTable``. So a packet of a known SSRC performs no heap allocation.
///
/// Verdicts and status codes follow libsrtp2 2.5 step by step (the order of the checks included),
/// so that both backends refuse the same packets for the same reason:
///
/// ```
/// RTP protect:     header check (2) → stream → index estimate → replay check (9/10) → encrypt + tag
/// RTP unprotect:   header check (2) → stream or provisional → replay check (9/10) → length (21)
///                  → authenticate (7) and decrypt → add stream → record index
/// RTCP unprotect:  length ≥ 12 (2) → stream or provisional → length ≥ 8+tag+4 (2)
///                  → E flag (AES-CM: must be set, 14) → replay check (9/10) → authenticate (7)
///                  and decrypt → add stream → record index
/// ```
///
/// Not thread-safe; owned by one ``SRTPSession``.
final class SRTPOpenSSLTransform {
    let profile: SRTPProfile
    let allowRepeatTransmission: Bool
    let streams: SRTPStreamTable

    /// RTP: GCM encrypt and decrypt contexts, or (AES-CM) one CTR context used both ways.
    private let rtpSeal: OpaquePointer
    private let rtpOpen: OpaquePointer
    private let rtcpSeal: OpaquePointer
    private let rtcpOpen: OpaquePointer
    /// AES-CM only: the HMAC-SHA1 states of the RTP and RTCP authentication keys.
    private let rtpMAC: OpaquePointer?
    private let rtcpMAC: OpaquePointer?
    /// Session salts, zero-padded to 16 bytes in wire order (GCM: 12 bytes, AES-CM: 14).
    private var rtpSalt: (UInt64, UInt64) = (0, 0)
    private var rtcpSalt: (UInt64, UInt64) = (0, 0)
    private let aead: Bool
    private let rtpTagLength: Int
    private let rtcpTagLength: Int

    convenience init(profile: SRTPProfile, masterKey: SRTPMasterKey, windowSize: Int, maximumStreams: Int,
                     allowRepeatTransmission: Bool) throws(SRTPError) {
        guard var keys = SRTPSessionKeys(profile: profile, masterKey: masterKey) else {
            throw SRTPError(.setupFailed)
        }
        defer { keys.wipe() }
        try self.init(profile: profile, sessionKeys: keys, windowSize: windowSize,
                      maximumStreams: maximumStreams, allowRepeatTransmission: allowRepeatTransmission)
    }

    init(profile: SRTPProfile, sessionKeys keys: SRTPSessionKeys, windowSize: Int, maximumStreams: Int,
         allowRepeatTransmission: Bool) throws(SRTPError) {
        self.profile = profile
        self.allowRepeatTransmission = allowRepeatTransmission
        self.aead = profile.isAEAD
        self.rtpTagLength = profile.tagLength
        self.rtcpTagLength = profile.rtcpTagLength
        self.streams = SRTPStreamTable(windowSize: windowSize, maximumStreams: maximumStreams)
        guard keys.rtpEncryption.count == profile.keyLength, keys.rtcpEncryption.count == profile.keyLength,
            keys.rtpSalt.count == profile.saltLength, keys.rtcpSalt.count == profile.saltLength
        else { throw SRTPError(.invalidKey) }

        let cipher: OpaquePointer?
        switch profile {
        case .aeadAES128GCM: cipher = EVP_aes_128_gcm()
        case .aeadAES256GCM: cipher = EVP_aes_256_gcm()
        case .aes128CMHMACSHA1_80, .aes128CMHMACSHA1_32: cipher = EVP_aes_128_ctr()
        }
        func context(_ key: [UInt8], encrypt: Bool) -> OpaquePointer? {
            guard let c = EVP_CIPHER_CTX_new() else { return nil }
            let ok = key.withUnsafeBufferPointer { k in
                EVP_CipherInit_ex(c, cipher, nil, k.baseAddress, nil, encrypt ? 1 : 0) == 1
            }
            if !ok { EVP_CIPHER_CTX_free(c); return nil }
            return c
        }
        let aead = profile.isAEAD
        let rs = context(keys.rtpEncryption, encrypt: true)
        let ro = aead ? context(keys.rtpEncryption, encrypt: false) : rs
        let cs = context(keys.rtcpEncryption, encrypt: true)
        let co = aead ? context(keys.rtcpEncryption, encrypt: false) : cs
        var rm: OpaquePointer?
        var cm: OpaquePointer?
        if !aead {
            rm = keys.rtpAuthentication.withUnsafeBufferPointer { rtc_hmac_sha1_key_new($0.baseAddress, $0.count) }
            cm = keys.rtcpAuthentication.withUnsafeBufferPointer { rtc_hmac_sha1_key_new($0.baseAddress, $0.count) }
        }
        guard let rs, let ro, let cs, let co, aead || (rm != nil && cm != nil && keys.rtpAuthentication.count == 20
            && keys.rtcpAuthentication.count == 20)
        else {
            for c in Set([rs, ro, cs, co].compactMap { $0 }) { EVP_CIPHER_CTX_free(c) }
            rtc_hmac_sha1_key_free(rm)
            rtc_hmac_sha1_key_free(cm)
            throw SRTPError(.setupFailed)
        }
        self.rtpSeal = rs
        self.rtpOpen = ro
        self.rtcpSeal = cs
        self.rtcpOpen = co
        self.rtpMAC = rm
        self.rtcpMAC = cm
        withUnsafeMutableBytes(of: &rtpSalt) { s in for (i, b) in keys.rtpSalt.enumerated() { s[i] = b } }
        withUnsafeMutableBytes(of: &rtcpSalt) { s in for (i, b) in keys.rtcpSalt.enumerated() { s[i] = b } }
    }

    deinit {
        EVP_CIPHER_CTX_free(rtpSeal)
        if rtpOpen != rtpSeal { EVP_CIPHER_CTX_free(rtpOpen) }
        EVP_CIPHER_CTX_free(rtcpSeal)
        if rtcpOpen != rtcpSeal { EVP_CIPHER_CTX_free(rtcpOpen) }
        rtc_hmac_sha1_key_free(rtpMAC)
        rtc_hmac_sha1_key_free(rtcpMAC)
        rtpSalt = (0, 0)
        rtcpSalt = (0, 0)
    }

    // MARK: - Byte access (the caller guarantees `length` bytes at `base`)

    @inline(__always)
    private static func be16(_ p: UnsafeMutableRawPointer, _ o: Int) -> UInt16 {
        UInt16(p.load(fromByteOffset: o, as: UInt8.self)) << 8 | UInt16(p.load(fromByteOffset: o &+ 1, as: UInt8.self))
    }

    @inline(__always)
    private static func be32(_ p: UnsafeMutableRawPointer, _ o: Int) -> UInt32 {
        UInt32(be16(p, o)) << 16 | UInt32(be16(p, o &+ 2))
    }

    @inline(__always)
    private static func store32(_ v: UInt32, _ p: UnsafeMutableRawPointer, _ o: Int) {
        p.storeBytes(of: UInt8(truncatingIfNeeded: v >> 24), toByteOffset: o, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: v >> 16), toByteOffset: o &+ 1, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: v >> 8), toByteOffset: o &+ 2, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: v), toByteOffset: o &+ 3, as: UInt8.self)
    }

    /// The RTP header length (RFC 3550 §5.1, §5.3.1: fixed 12 bytes, CSRCs, extension), checked
    /// against `length` as libsrtp2 checks it: `.malformed` status 2 when it does not fit.
    @inline(__always)
    private static func rtpHeaderLength(_ p: UnsafeMutableRawPointer, _ length: Int) throws(SRTPError) -> Int {
        guard length >= 12 else { throw SRTPError(.malformed, status: 2) }
        let b0 = p.load(as: UInt8.self)
        var n = 12 &+ 4 &* Int(b0 & 0x0F)
        let x = b0 & 0x10 != 0
        if x { n &+= 4 }
        guard length >= n else { throw SRTPError(.malformed, status: 2) }
        if x {
            n &+= 4 &* Int(be16(p, n &- 2))
            guard length >= n else { throw SRTPError(.malformed, status: 2) }
        }
        return n
    }

    // MARK: - IVs

    /// AES-CM IV (RFC 3711 §4.1.1): `(salt · 2^16) XOR (SSRC · 2^64) XOR (index · 2^16)`:
    ///
    /// ```
    /// bytes  0..3: 0 | 4..7: SSRC | 8..13: 48-bit index | 14..15: 0     XOR  salt (14) || 00 00
    /// ```
    @inline(__always)
    private static func counterIV(salt: (UInt64, UInt64), ssrc: UInt32, index: UInt64) -> (UInt64, UInt64) {
        // Big-endian words: word 0 = bytes 0..7, word 1 = bytes 8..15.
        let w0 = UInt64(ssrc)
        let w1 = index << 16
        return (w0.bigEndian ^ salt.0, w1.bigEndian ^ salt.1)
    }

    /// AEAD RTP IV (RFC 7714 §8.1): `00 00 | SSRC | ROC | SEQ` XOR the 12-byte salt.
    @inline(__always)
    private static func gcmRTPIV(salt: (UInt64, UInt64), ssrc: UInt32, roc: UInt32, seq: UInt16) -> (UInt64, UInt64) {
        let w0 = UInt64(ssrc) << 16 | UInt64(roc >> 16)
        let w1 = UInt64(roc & 0xFFFF) << 48 | UInt64(seq) << 32
        return (w0.bigEndian ^ salt.0, w1.bigEndian ^ salt.1)
    }

    /// AEAD SRTCP IV (RFC 7714 §9.1): `00 00 | SSRC | 00 00 | 0 + SRTCP index (31 bits)` XOR salt.
    @inline(__always)
    private static func gcmRTCPIV(salt: (UInt64, UInt64), ssrc: UInt32, index: UInt32) -> (UInt64, UInt64) {
        let w0 = UInt64(ssrc) << 16
        let w1 = UInt64(index) << 32
        return (w0.bigEndian ^ salt.0, w1.bigEndian ^ salt.1)
    }

    // MARK: - Primitives

    /// AES-CTR (AES-CM) over `count` bytes at `p`, in place.
    @inline(__always)
    private func counterMode(_ ctx: OpaquePointer, iv: (UInt64, UInt64), _ p: UnsafeMutableRawPointer, _ count: Int) -> Bool {
        var iv = iv
        let ok = withUnsafeBytes(of: &iv) { ivp in
            EVP_EncryptInit_ex(ctx, nil, nil, nil, ivp.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 1
        }
        guard ok else { return false }
        guard count > 0 else { return true }
        let q = p.assumingMemoryBound(to: UInt8.self)
        var out: Int32 = 0
        return EVP_EncryptUpdate(ctx, q, &out, q, Int32(truncatingIfNeeded: count)) == 1
    }

    /// AES-GCM seal in place: `aad1 || aad2` authenticated, `count` bytes at `p` encrypted, the
    /// 16-byte tag written at `tag`.
    @inline(__always)
    private func gcmSeal(_ ctx: OpaquePointer, iv: (UInt64, UInt64), aad1: UnsafeMutableRawPointer, _ aad1Count: Int,
                         aad2: UnsafeMutableRawPointer?, _ aad2Count: Int,
                         _ p: UnsafeMutableRawPointer, _ count: Int, tag: UnsafeMutableRawPointer) -> Bool {
        var iv = iv
        let ok = withUnsafeBytes(of: &iv) { ivp in
            EVP_EncryptInit_ex(ctx, nil, nil, nil, ivp.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 1
        }
        guard ok else { return false }
        var out: Int32 = 0
        guard EVP_EncryptUpdate(ctx, nil, &out, aad1.assumingMemoryBound(to: UInt8.self), Int32(truncatingIfNeeded: aad1Count)) == 1
        else { return false }
        if let aad2, aad2Count > 0 {
            guard EVP_EncryptUpdate(ctx, nil, &out, aad2.assumingMemoryBound(to: UInt8.self), Int32(truncatingIfNeeded: aad2Count)) == 1
            else { return false }
        }
        if count > 0 {
            let q = p.assumingMemoryBound(to: UInt8.self)
            guard EVP_EncryptUpdate(ctx, q, &out, q, Int32(truncatingIfNeeded: count)) == 1 else { return false }
        }
        var scratch: (UInt64, UInt64) = (0, 0)
        let finished = withUnsafeMutableBytes(of: &scratch) { s in
            EVP_EncryptFinal_ex(ctx, s.baseAddress!.assumingMemoryBound(to: UInt8.self), &out) == 1
        }
        guard finished else { return false }
        return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1
    }

    /// AES-GCM open in place; false when the tag does not verify (the bytes at `p` are then
    /// decrypted garbage, as with libsrtp2; the caller drops the packet).
    @inline(__always)
    private func gcmOpen(_ ctx: OpaquePointer, iv: (UInt64, UInt64), aad1: UnsafeMutableRawPointer, _ aad1Count: Int,
                         aad2: UnsafeMutableRawPointer?, _ aad2Count: Int,
                         _ p: UnsafeMutableRawPointer, _ count: Int, tag: UnsafeMutableRawPointer) -> Bool {
        var iv = iv
        let ok = withUnsafeBytes(of: &iv) { ivp in
            EVP_DecryptInit_ex(ctx, nil, nil, nil, ivp.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 1
        }
        guard ok else { return false }
        var out: Int32 = 0
        guard EVP_DecryptUpdate(ctx, nil, &out, aad1.assumingMemoryBound(to: UInt8.self), Int32(truncatingIfNeeded: aad1Count)) == 1
        else { return false }
        if let aad2, aad2Count > 0 {
            guard EVP_DecryptUpdate(ctx, nil, &out, aad2.assumingMemoryBound(to: UInt8.self), Int32(truncatingIfNeeded: aad2Count)) == 1
            else { return false }
        }
        if count > 0 {
            let q = p.assumingMemoryBound(to: UInt8.self)
            guard EVP_DecryptUpdate(ctx, q, &out, q, Int32(truncatingIfNeeded: count)) == 1 else { return false }
        }
        guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag) == 1 else { return false }
        var scratch: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &scratch) { s in
            EVP_DecryptFinal_ex(ctx, s.baseAddress!.assumingMemoryBound(to: UInt8.self), &out) > 0
        }
    }

    /// The full 20-byte HMAC-SHA1 of `p[0..<count]` followed by `suffix` (the ROC for RTP).
    @inline(__always)
    private static func mac(_ key: OpaquePointer, _ p: UnsafeMutableRawPointer, _ count: Int,
                            suffix: UInt32?) -> (UInt64, UInt64, UInt32) {
        var digest: (UInt64, UInt64, UInt32) = (0, 0, 0)
        var roc = (suffix ?? 0).bigEndian
        withUnsafeMutableBytes(of: &digest) { d in
            withUnsafeBytes(of: &roc) { r in
                rtc_hmac_sha1_key_tag(key, p.assumingMemoryBound(to: UInt8.self), count,
                                      r.baseAddress!.assumingMemoryBound(to: UInt8.self), suffix == nil ? 0 : 4,
                                      d.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        return digest
    }

    // MARK: - RTP (RFC 3711 §3.3, RFC 7714 §8)

    /// Protects `base[0..<length]` in place; the caller guarantees `rtpTagLength` bytes of
    /// room after it. Returns the SRTP length.
    func protect(_ base: UnsafeMutableRawPointer, _ length: Int) throws(SRTPError) -> Int {
        try protect(base, length, allowRepeat: false)
    }

    /// `allowRepeat`: this packet may reuse an index already protected (a resend of the same
    /// bytes; see ``SRTPSession/protectResend(buffer:length:)``).
    func protect(_ base: UnsafeMutableRawPointer, _ length: Int, allowRepeat: Bool) throws(SRTPError) -> Int {
        let headerLength = try Self.rtpHeaderLength(base, length)
        let ssrc = Self.be32(base, 8)
        var slot = streams.find(ssrc)
        if slot < 0 { slot = try streams.insert(ssrc) }
        let seq = Self.be16(base, 2)
        let (index, delta) = SRTPStreamTable.estimate(index: streams.rtpIndex(slot), seq: seq)
        let verdict = streams.checkRTP(slot, delta: delta)
        if verdict != 0, verdict != 9 || !(allowRepeatTransmission || allowRepeat) {
            throw SRTPError(.replayed, status: verdict)
        }
        streams.addRTP(slot, delta: delta)
        let payload = base + headerLength
        let payloadCount = length &- headerLength
        let roc = UInt32(truncatingIfNeeded: index >> 16)
        if aead {
            let iv = Self.gcmRTPIV(salt: rtpSalt, ssrc: ssrc, roc: roc, seq: seq)
            guard gcmSeal(rtpSeal, iv: iv, aad1: base, headerLength, aad2: nil, 0, payload, payloadCount,
                          tag: base + length)
            else { throw SRTPError(.other, status: 8) }
            return length &+ 16
        }
        let iv = Self.counterIV(salt: rtpSalt, ssrc: ssrc, index: index)
        guard counterMode(rtpSeal, iv: iv, payload, payloadCount), let key = rtpMAC else {
            throw SRTPError(.other, status: 8)
        }
        var digest = Self.mac(key, base, length, suffix: roc)
        withUnsafeBytes(of: &digest) { d in
            (base + length).copyMemory(from: d.baseAddress!, byteCount: rtpTagLength)
        }
        return length &+ rtpTagLength
    }

    /// Authenticates, replay-checks and decrypts `base[0..<length]` in place. Returns the RTP
    /// length.
    func unprotect(_ base: UnsafeMutableRawPointer, _ length: Int) throws(SRTPError) -> Int {
        let headerLength = try Self.rtpHeaderLength(base, length)
        let ssrc = Self.be32(base, 8)
        let seq = Self.be16(base, 2)
        let slot = streams.find(ssrc)
        let index: UInt64
        let delta: Int
        if slot < 0 {
            // A provisional stream: the first packet of an SSRC is taken at ROC 0, index = SEQ.
            index = UInt64(seq)
            delta = Int(seq)
        } else {
            (index, delta) = SRTPStreamTable.estimate(index: streams.rtpIndex(slot), seq: seq)
            let verdict = streams.checkRTP(slot, delta: delta)
            if verdict != 0 { throw SRTPError(.replayed, status: verdict) }
        }
        let tagLength = rtpTagLength
        guard headerLength <= length &- tagLength else { throw SRTPError(.malformed, status: 21) }
        let payload = base + headerLength
        let payloadCount = length &- tagLength &- headerLength
        let roc = UInt32(truncatingIfNeeded: index >> 16)
        if aead {
            let iv = Self.gcmRTPIV(salt: rtpSalt, ssrc: ssrc, roc: roc, seq: seq)
            guard gcmOpen(rtpOpen, iv: iv, aad1: base, headerLength, aad2: nil, 0, payload, payloadCount,
                          tag: base + (length &- 16))
            else { throw SRTPError(.authenticationFailed, status: 7) }
        } else {
            guard let key = rtpMAC else { throw SRTPError(.other, status: 8) }
            var digest = Self.mac(key, base, length &- tagLength, suffix: roc)
            let equal = withUnsafeBytes(of: &digest) { d in
                CRYPTO_memcmp(d.baseAddress, base + (length &- tagLength), tagLength) == 0
            }
            guard equal else { throw SRTPError(.authenticationFailed, status: 7) }
            let iv = Self.counterIV(salt: rtpSalt, ssrc: ssrc, index: index)
            guard counterMode(rtpOpen, iv: iv, payload, payloadCount) else { throw SRTPError(.other, status: 8) }
        }
        let s = slot >= 0 ? slot : try streams.insert(ssrc)
        streams.addRTP(s, delta: delta)
        return length &- tagLength
    }

    // MARK: - RTCP (RFC 3711 §3.4, RFC 7714 §9 and §17)

    /// Protects the compound RTCP packet `base[0..<length]` (length ≥ 8) in place; the caller
    /// guarantees `4 + rtcpTagLength` bytes of room after it. Returns the SRTCP length.
    ///
    /// ```
    /// AES-CM: | header (8) | encrypted | E=1 + index (4) | HMAC tag (10) |   tag over all before it
    /// AEAD:   | header (8) | encrypted | GCM tag (16) | E=1 + index (4) |   AAD = header + E/index
    /// ```
    func protectRTCP(_ base: UnsafeMutableRawPointer, _ length: Int) throws(SRTPError) -> Int {
        let ssrc = Self.be32(base, 4)
        var slot = streams.find(ssrc)
        if slot < 0 { slot = try streams.insert(ssrc) }
        guard let index = streams.nextRTCPIndex(slot) else { throw SRTPError(.other, status: 15) }
        let trailer = 0x8000_0000 | index
        let body = base + 8
        let bodyCount = length &- 8
        if aead {
            let trailerAt = length &+ 16
            Self.store32(trailer, base, trailerAt)
            let iv = Self.gcmRTCPIV(salt: rtcpSalt, ssrc: ssrc, index: index)
            guard gcmSeal(rtcpSeal, iv: iv, aad1: base, 8, aad2: base + trailerAt, 4, body, bodyCount,
                          tag: base + length)
            else { throw SRTPError(.other, status: 8) }
            return length &+ 20
        }
        Self.store32(trailer, base, length)
        let iv = Self.counterIV(salt: rtcpSalt, ssrc: ssrc, index: UInt64(index))
        guard counterMode(rtcpSeal, iv: iv, body, bodyCount), let key = rtcpMAC else {
            throw SRTPError(.other, status: 8)
        }
        var digest = Self.mac(key, base, length &+ 4, suffix: nil)
        withUnsafeBytes(of: &digest) { d in
            (base + (length &+ 4)).copyMemory(from: d.baseAddress!, byteCount: rtcpTagLength)
        }
        return length &+ 4 &+ rtcpTagLength
    }

    /// Authenticates, replay-checks and decrypts the SRTCP packet `base[0..<length]` in place.
    /// An AEAD packet with the E flag clear is authenticated only (RFC 7714 §9.3: everything
    /// before the tag is AAD); under AES-CM it is refused (status 14), as libsrtp2 refuses it.
    func unprotectRTCP(_ base: UnsafeMutableRawPointer, _ length: Int) throws(SRTPError) -> Int {
        guard length >= 12 else { throw SRTPError(.malformed, status: 2) }
        let ssrc = Self.be32(base, 4)
        let slot = streams.find(ssrc)
        let tagLength = rtcpTagLength
        guard length >= 8 &+ tagLength &+ 4 else { throw SRTPError(.malformed, status: 2) }
        let index: UInt32
        if aead {
            let trailerAt = length &- 4
            let trailer = Self.be32(base, trailerAt)
            let encrypted = trailer & 0x8000_0000 != 0
            index = trailer & 0x7FFF_FFFF
            let verdict = streams.checkRTCP(slot, index: index)
            if verdict != 0 { throw SRTPError(.replayed, status: verdict) }
            let tagAt = trailerAt &- 16
            let iv = Self.gcmRTCPIV(salt: rtcpSalt, ssrc: ssrc, index: index)
            let verified = encrypted
                ? gcmOpen(rtcpOpen, iv: iv, aad1: base, 8, aad2: base + trailerAt, 4, base + 8, tagAt &- 8,
                          tag: base + tagAt)
                : gcmOpen(rtcpOpen, iv: iv, aad1: base, tagAt, aad2: base + trailerAt, 4, base + tagAt, 0,
                          tag: base + tagAt)
            guard verified else { throw SRTPError(.authenticationFailed, status: 7) }
        } else {
            let trailerAt = length &- tagLength &- 4
            let trailer = Self.be32(base, trailerAt)
            guard trailer & 0x8000_0000 != 0 else { throw SRTPError(.other, status: 14) }
            index = trailer & 0x7FFF_FFFF
            let verdict = streams.checkRTCP(slot, index: index)
            if verdict != 0 { throw SRTPError(.replayed, status: verdict) }
            guard let key = rtcpMAC else { throw SRTPError(.other, status: 8) }
            var digest = Self.mac(key, base, length &- tagLength, suffix: nil)
            let equal = withUnsafeBytes(of: &digest) { d in
                CRYPTO_memcmp(d.baseAddress, base + (length &- tagLength), tagLength) == 0
            }
            guard equal else { throw SRTPError(.authenticationFailed, status: 7) }
            let iv = Self.counterIV(salt: rtcpSalt, ssrc: ssrc, index: UInt64(index))
            guard counterMode(rtcpOpen, iv: iv, base + 8, trailerAt &- 8) else { throw SRTPError(.other, status: 8) }
        }
        let s = slot >= 0 ? slot : try streams.insert(ssrc)
        streams.addRTCP(s, index: index)
        return length &- 4 &- tagLength
    }
}
