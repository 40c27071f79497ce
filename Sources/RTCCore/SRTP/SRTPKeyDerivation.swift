import COpenSSL

/// SRTP key derivation (RFC 3711 §4.3) with the AES-CM PRF (§4.3.3) and
/// key_derivation_rate 0 (the only rate DTLS-SRTP uses, RFC 5764 §4.1.2).
///
/// ```
/// key_id = label || r        (r = index DIV kdr = 0: 48 zero bits)         (7 bytes)
/// x      = key_id XOR master_salt   (key_id right-aligned in the 112-bit salt)
/// out    = AES-CM keystream, key = master key, IV = x || 0x0000, first n bytes
/// ```
///
/// So x is the master salt with byte 7 XORed with the label. The AEAD profiles' 96-bit master
/// salt (RFC 7714 §11) is extended with two zero bytes on the right to the 112-bit input, as
/// libsrtp2 does; AES-256 keys use AES-256 as the PRF (RFC 6188 §7, RFC 7714 §11).
enum SRTPKeyDerivation {
    /// The labels of RFC 3711 §4.3.1 and §4.3.2.
    enum Label: UInt8 {
        case rtpEncryption = 0x00
        case rtpAuthentication = 0x01
        case rtpSalt = 0x02
        case rtcpEncryption = 0x03
        case rtcpAuthentication = 0x04
        case rtcpSalt = 0x05
    }

    /// `length` bytes of session key material for `label`; nil when the master key is not 16
    /// or 32 bytes, the salt is longer than 14 bytes, or OpenSSL fails.
    static func derive(masterKey: [UInt8], masterSalt: [UInt8], label: Label, length: Int) -> [UInt8]? {
        guard masterSalt.count <= 14, length > 0, length <= 64 else { return nil }
        let cipher: OpaquePointer?
        switch masterKey.count {
        case 16: cipher = EVP_aes_128_ctr()
        case 32: cipher = EVP_aes_256_ctr()
        default: return nil
        }
        var iv = [UInt8](repeating: 0, count: 16)
        for i in masterSalt.indices { iv[i] = masterSalt[i] }
        iv[7] ^= label.rawValue
        defer { for i in iv.indices { iv[i] = 0 } }
        guard let ctx = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: length)
        var outLength: Int32 = 0
        let ok = masterKey.withUnsafeBufferPointer { key in
            iv.withUnsafeBufferPointer { ivp in
                out.withUnsafeMutableBufferPointer { o in
                    EVP_EncryptInit_ex(ctx, cipher, nil, key.baseAddress, ivp.baseAddress) == 1
                        // Keystream = encryption of zeros, in place.
                        && EVP_EncryptUpdate(ctx, o.baseAddress, &outLength, o.baseAddress, Int32(length)) == 1
                }
            }
        }
        guard ok, outLength == Int32(length) else { return nil }
        return out
    }
}
