import CSRTP

/// libsrtp2 must be initialised once per process before any session is created.
/// A `static let` is initialised lazily and exactly once, thread-safely, by the Swift runtime.
enum SRTPLibrary {
    static let isInitialized: Bool = srtp_init() == srtp_err_status_ok
}

/// One direction of Secure RTP and Secure RTCP (RFC 3711; AEAD GCM per RFC 7714) over libsrtp2.
///
/// An inbound session authenticates, replay-checks and decrypts packets from the peer; an
/// outbound session encrypts and authenticates packets to the peer. All packet operations work
/// in place on the caller's buffer and never allocate: they call `srtp_protect` & co. directly
/// on it. Replay protection is on (RFC 3711 §3.3.2); every refused packet throws a typed
/// ``SRTPError`` and is counted in ``stats``.
///
/// ```
/// protect:    buffer: | RTP packet (length) | free room ≥ rtpTrailerRoom ... |
///          →  buffer: | RTP header | ciphertext | tag |                         returns new length
/// unprotect:  buffer: | RTP header | ciphertext | tag |
///          →  buffer: | RTP packet (returned length) | (stale bytes)          |
/// ```
///
/// Not thread-safe: one owner (one peer's transport) uses it at a time.
public final class SRTPSession {
    /// Free bytes `protect` requires after the packet: libsrtp2's `SRTP_MAX_TRAILER_LEN`
    /// (tag + largest MKI). The bytes actually added are ``SRTPProfile/rtpTrailerLength``.
    public static let rtpTrailerRoom = Int(SRTP_MAX_TRAILER_LEN)
    /// Free bytes `protectRTCP` requires after the packet: `SRTP_MAX_TRAILER_LEN + 4`
    /// (libsrtp2 documents that it may use that much). Actually added:
    /// ``SRTPProfile/rtcpTrailerLength``.
    public static let rtcpTrailerRoom = Int(SRTP_MAX_TRAILER_LEN) + 4
    /// Default replay window in packets (RFC 3711 §3.3.2 requires at least 64). Video with
    /// retransmissions and reordering needs a wide one; Chromium uses 1024 too.
    public static let defaultReplayWindow = 1024

    public let profile: SRTPProfile
    public let direction: SRTPDirection
    /// What happened to every packet so far.
    public private(set) var stats = SRTPStats()

    private let context: srtp_t

    /// Creates a session for `direction` with `masterKey` (the local key for outbound, the
    /// remote key for inbound).
    ///
    /// - Parameters:
    ///   - replayWindow: replay window size in packets, 64 ..< 32768 (libsrtp2's limits).
    ///   - allowRepeatTransmission: outbound only: allow protecting the same RTP index twice
    ///     (a retransmission of an identical packet). Leave off unless the payload is
    ///     guaranteed identical — reusing an index with different bytes breaks GCM.
    public init(
        profile: SRTPProfile,
        masterKey: SRTPMasterKey,
        direction: SRTPDirection,
        replayWindow: Int = SRTPSession.defaultReplayWindow,
        allowRepeatTransmission: Bool = false
    ) throws(SRTPError) {
        guard SRTPLibrary.isInitialized else { throw SRTPError(.setupFailed) }
        guard masterKey.profile == profile, masterKey.key.count == profile.keyLength,
            masterKey.salt.count == profile.saltLength
        else { throw SRTPError(.invalidKey) }
        guard replayWindow >= 64, replayWindow < 0x8000 else { throw SRTPError(.setupFailed) }

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
        }
        policy.ssrc.type = direction == .inbound ? ssrc_any_inbound : ssrc_any_outbound
        policy.window_size = UInt(replayWindow)
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
        self.profile = profile
        self.direction = direction
        self.context = ctx
    }

    deinit {
        srtp_dealloc(context)
    }

    // MARK: - RTP

    /// Encrypts and authenticates the RTP packet in `buffer[0..<length]` in place and returns
    /// the SRTP packet's length (`length + profile.rtpTrailerLength`).
    ///
    /// `buffer.count - length` must be at least ``rtpTrailerRoom``.
    public func protect(buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try run(buffer, length, minimum: 12, room: SRTPSession.rtpTrailerRoom, .protectRTP)
    }

    /// Authenticates, replay-checks and decrypts the SRTP packet in `buffer[0..<length]` in
    /// place and returns the RTP packet's length. A packet from a new SSRC adds a stream.
    public func unprotect(buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try run(buffer, length, minimum: 12, room: 0, .unprotectRTP)
    }

    // MARK: - RTCP

    /// Encrypts and authenticates the (compound) RTCP packet in `buffer[0..<length]` in place
    /// and returns the SRTCP packet's length (`length + profile.rtcpTrailerLength`).
    ///
    /// `buffer.count - length` must be at least ``rtcpTrailerRoom``.
    public func protectRTCP(buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try run(buffer, length, minimum: 8, room: SRTPSession.rtcpTrailerRoom, .protectRTCP)
    }

    /// Authenticates, replay-checks and decrypts the SRTCP packet in `buffer[0..<length]` in
    /// place and returns the RTCP packet's length.
    public func unprotectRTCP(buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try run(buffer, length, minimum: 8, room: 0, .unprotectRTCP)
    }

    // MARK: - Implementation

    private enum Operation {
        case protectRTP, unprotectRTP, protectRTCP, unprotectRTCP
    }

    /// Largest packet handed to libsrtp2, whose lengths are `int`: far above any UDP datagram.
    private static let maximumPacketLength = 0x10000

    private func run(
        _ buffer: UnsafeMutableRawBufferPointer, _ length: Int, minimum: Int, room: Int,
        _ operation: Operation
    ) throws(SRTPError) -> Int {
        guard let base = buffer.baseAddress, length >= minimum, length <= buffer.count,
            length <= SRTPSession.maximumPacketLength
        else {
            stats.otherErrors &+= 1
            throw SRTPError(.malformed)
        }
        guard buffer.count &- length >= room else {
            stats.otherErrors &+= 1
            throw SRTPError(.bufferTooSmall)
        }
        var len = Int32(truncatingIfNeeded: length)
        let status: srtp_err_status_t
        switch operation {
        case .protectRTP: status = srtp_protect(context, base, &len)
        case .unprotectRTP: status = srtp_unprotect(context, base, &len)
        case .protectRTCP: status = srtp_protect_rtcp(context, base, &len)
        case .unprotectRTCP: status = srtp_unprotect_rtcp(context, base, &len)
        }
        guard status == srtp_err_status_ok else {
            throw recordFailure(status)
        }
        // libsrtp2 only shrinks on unprotect and grows by at most the trailer on protect.
        guard len >= 0, Int(len) <= buffer.count else {
            stats.otherErrors &+= 1
            throw SRTPError(.other)
        }
        switch operation {
        case .protectRTP, .protectRTCP: stats.protected &+= 1
        case .unprotectRTP, .unprotectRTCP: stats.unprotected &+= 1
        }
        return Int(len)
    }

    private func recordFailure(_ status: srtp_err_status_t) -> SRTPError {
        switch status {
        case srtp_err_status_auth_fail:
            stats.authFailures &+= 1
            return SRTPError(.authenticationFailed, status: status.rawValue)
        case srtp_err_status_replay_fail, srtp_err_status_replay_old:
            stats.replays &+= 1
            return SRTPError(.replayed, status: status.rawValue)
        case srtp_err_status_bad_param, srtp_err_status_parse_err:
            stats.otherErrors &+= 1
            return SRTPError(.malformed, status: status.rawValue)
        default:
            stats.otherErrors &+= 1
            return SRTPError(.other, status: status.rawValue)
        }
    }
}
