import CSRTP

/// libsrtp2 must be initialised once per process before any session is created.
/// A `static let` is initialised lazily and exactly once, thread-safely, by the Swift runtime.
enum SRTPLibrary {
    static let isInitialized: Bool = srtp_init() == srtp_err_status_ok
}

/// SRTP and SRTCP over libsrtp2: the ``SRTPBackend/libsrtp`` backend of ``SRTPSession``, and the
/// reference the openssl backend is tested against. Calls `srtp_protect` & co. directly on the
/// caller's buffer; the session counts the outcome.
final class SRTPLibSRTPTransform {
    private let context: srtp_t

    init(profile: SRTPProfile, masterKey: SRTPMasterKey, direction: SRTPDirection, windowSize: Int,
         allowRepeatTransmission: Bool) throws(SRTPError) {
        guard SRTPLibrary.isInitialized else { throw SRTPError(.setupFailed) }
        var policy = srtp_policy_t()
        switch profile {
        case .aeadAES128GCM:
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp)
        case .aeadAES256GCM:
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp)
        case .aes128CMHMACSHA1_80:
            srtp_crypto_policy_set_rtp_default(&policy.rtp)
            srtp_crypto_policy_set_rtcp_default(&policy.rtcp)
        case .aes128CMHMACSHA1_32:
            // SRTCP keeps the 80-bit tag (RFC 5764 §4.1.2), as libsrtp2's own profile mapping does.
            srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp)
            srtp_crypto_policy_set_rtcp_default(&policy.rtcp)
        }
        policy.ssrc.type = direction == .inbound ? ssrc_any_inbound : ssrc_any_outbound
        policy.window_size = UInt(windowSize)
        policy.allow_repeat_tx = allowRepeatTransmission && direction == .outbound ? 1 : 0
        policy.next = nil

        var created: srtp_t?
        var keyBytes = masterKey.keyAndSalt
        let status = keyBytes.withUnsafeMutableBufferPointer { key -> srtp_err_status_t in
            policy.key = key.baseAddress
            return srtp_create(&created, &policy)
        }
        // libsrtp2 copies (derives from) the key during srtp_create; wipe our copy.
        for i in keyBytes.indices { keyBytes[i] = 0 }
        guard status == srtp_err_status_ok, let ctx = created else {
            throw SRTPError(.setupFailed, status: status.rawValue)
        }
        self.context = ctx
    }

    deinit {
        srtp_dealloc(context)
    }

    @inline(__always)
    private static func check(_ status: srtp_err_status_t, _ len: Int32) throws(SRTPError) -> Int {
        guard status == srtp_err_status_ok else { throw error(status) }
        return Int(len)
    }

    func protect(_ base: UnsafeMutableRawPointer, _ length: Int) throws(SRTPError) -> Int {
        var len = Int32(truncatingIfNeeded: length)
        return try Self.check(srtp_protect(context, base, &len), len)
    }

    func unprotect(_ base: UnsafeMutableRawPointer, _ length: Int) throws(SRTPError) -> Int {
        var len = Int32(truncatingIfNeeded: length)
        return try Self.check(srtp_unprotect(context, base, &len), len)
    }

    func protectRTCP(_ base: UnsafeMutableRawPointer, _ length: Int) throws(SRTPError) -> Int {
        var len = Int32(truncatingIfNeeded: length)
        return try Self.check(srtp_protect_rtcp(context, base, &len), len)
    }

    func unprotectRTCP(_ base: UnsafeMutableRawPointer, _ length: Int) throws(SRTPError) -> Int {
        var len = Int32(truncatingIfNeeded: length)
        return try Self.check(srtp_unprotect_rtcp(context, base, &len), len)
    }

    /// The typed error for a libsrtp2 status.
    static func error(_ status: srtp_err_status_t) -> SRTPError {
        switch status {
        case srtp_err_status_auth_fail:
            return SRTPError(.authenticationFailed, status: status.rawValue)
        case srtp_err_status_replay_fail, srtp_err_status_replay_old:
            return SRTPError(.replayed, status: status.rawValue)
        case srtp_err_status_bad_param, srtp_err_status_parse_err:
            return SRTPError(.malformed, status: status.rawValue)
        default:
            return SRTPError(.other, status: status.rawValue)
        }
    }
}
