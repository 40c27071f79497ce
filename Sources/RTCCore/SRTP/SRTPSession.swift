import CSRTP

/// One direction of Secure RTP and Secure RTCP (RFC 3711; AEAD GCM per RFC 7714).
///
/// An inbound session authenticates, replay-checks and decrypts packets from the peer; an
/// outbound session encrypts and authenticates packets to the peer. All packet operations work
/// in place on the caller's buffer. Replay protection is on (RFC 3711 §3.3.2); every refused
/// packet throws a typed ``SRTPError`` and is counted in ``stats``.
///
/// ```
/// protect:    buffer: | RTP packet (length) | free room ≥ rtpTrailerRoom ... |
///          →  buffer: | RTP header | ciphertext | tag |                         returns new length
/// unprotect:  buffer: | RTP header | ciphertext | tag |
///          →  buffer: | RTP packet (returned length) | (stale bytes)          |
/// ```
///
/// Two backends implement it (``SRTPBackend``): `.openssl` (the default: OpenSSL EVP, no heap
/// allocation per packet) and `.libsrtp` (libsrtp2). They give identical bytes and identical
/// verdicts; the choice is made once, at `init`, and each packet pays one branch for it. After
/// a failed `unprotect` the bytes of the buffer are unspecified (an AEAD packet is decrypted
/// before its tag is known to be bad).
///
/// Not thread-safe: one owner (one peer's transport) uses it at a time.
public final class SRTPSession {
    /// Free bytes `protect` requires after the packet: libsrtp2's `SRTP_MAX_TRAILER_LEN`
    /// (tag + largest MKI), for both backends. The bytes actually added are
    /// ``SRTPProfile/rtpTrailerLength``.
    public static let rtpTrailerRoom = Int(SRTP_MAX_TRAILER_LEN)
    /// Free bytes `protectRTCP` requires after the packet: `SRTP_MAX_TRAILER_LEN + 4`
    /// (libsrtp2 documents that it may use that much). Actually added:
    /// ``SRTPProfile/rtcpTrailerLength``.
    public static let rtcpTrailerRoom = Int(SRTP_MAX_TRAILER_LEN) + 4
    /// Default replay window in packets (RFC 3711 §3.3.2 requires at least 64). Video with
    /// retransmissions and reordering needs a wide one; Chromium uses 1024 too.
    public static let defaultReplayWindow = 1024
    /// Default limit on the SSRCs (RTP and RTCP senders together) one session keeps state for
    /// with the openssl backend. An SFU's outbound session to a subscriber carries every
    /// forwarded stream of the room (audio, video layers, RTX), so this is generous; the state
    /// costs about 40 bytes plus `replayWindow / 8` bytes per stream, allocated as streams appear.
    public static let defaultMaximumStreams = 1024

    public let profile: SRTPProfile
    public let direction: SRTPDirection
    public let backend: SRTPBackend
    /// The most SSRCs this session keeps state for (openssl backend; libsrtp2 has no limit).
    /// A packet that would add one more is refused with ``SRTPError/Kind/tooManyStreams``.
    public let maximumStreams: Int
    /// What happened to every packet so far.
    public private(set) var stats = SRTPStats()

    /// Exactly one is set, by `init`, never changed.
    private let openssl: SRTPOpenSSLTransform?
    private let libsrtp: SRTPLibSRTPTransform?

    /// Creates a session for `direction` with `masterKey` (the local key for outbound, the
    /// remote key for inbound).
    ///
    /// - Parameters:
    ///   - replayWindow: replay window size in packets, 64 ..< 32768 (libsrtp2's limits).
    ///   - allowRepeatTransmission: outbound only: allow protecting the same RTP index twice
    ///     (a retransmission of an identical packet). Leave off unless the payload is
    ///     guaranteed identical — reusing an index with different bytes breaks GCM.
    ///   - backend: the implementation (``SRTPBackend/default`` is `.openssl`).
    ///   - maximumStreams: SSRCs kept (openssl backend), 1 ... 65536.
    public init(
        profile: SRTPProfile,
        masterKey: SRTPMasterKey,
        direction: SRTPDirection,
        replayWindow: Int = SRTPSession.defaultReplayWindow,
        allowRepeatTransmission: Bool = false,
        backend: SRTPBackend = .default,
        maximumStreams: Int = SRTPSession.defaultMaximumStreams
    ) throws(SRTPError) {
        guard masterKey.profile == profile, masterKey.key.count == profile.keyLength,
            masterKey.salt.count == profile.saltLength
        else { throw SRTPError(.invalidKey) }
        guard replayWindow >= 64, replayWindow < 0x8000, maximumStreams >= 1, maximumStreams <= 0x10000
        else { throw SRTPError(.setupFailed) }
        let repeatAllowed = allowRepeatTransmission && direction == .outbound
        switch backend {
        case .openssl:
            self.openssl = try SRTPOpenSSLTransform(
                profile: profile, masterKey: masterKey, windowSize: replayWindow,
                maximumStreams: maximumStreams, allowRepeatTransmission: repeatAllowed)
            self.libsrtp = nil
        case .libsrtp:
            self.libsrtp = try SRTPLibSRTPTransform(
                profile: profile, masterKey: masterKey, direction: direction, windowSize: replayWindow,
                allowRepeatTransmission: repeatAllowed)
            self.openssl = nil
        }
        self.profile = profile
        self.direction = direction
        self.backend = backend
        self.maximumStreams = maximumStreams
    }

    // MARK: - RTP

    /// Encrypts and authenticates the RTP packet in `buffer[0..<length]` in place and returns
    /// the SRTP packet's length (`length + profile.rtpTrailerLength`).
    ///
    /// `buffer.count - length` must be at least ``rtpTrailerRoom``.
    public func protect(buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try run(buffer, length, minimum: 12, room: SRTPSession.rtpTrailerRoom, .protectRTP)
    }

    /// As ``protect(buffer:length:)`` for a retransmission of a packet already sent with this
    /// RTP index (a NACK answered with the original, RFC 4585, when the receiver has no RTX):
    /// the index may repeat. The caller must pass byte-for-byte the packet first sent — with
    /// AES-GCM a repeated index over other bytes would reuse a nonce. Only the OpenSSL backend
    /// allows it per packet; libsrtp2 refuses it as a replay unless the session was made with
    /// `allowRepeatTransmission`.
    public func protectResend(buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try run(buffer, length, minimum: 12, room: SRTPSession.rtpTrailerRoom, .resendRTP)
    }

    /// Authenticates, replay-checks and decrypts the SRTP packet in `buffer[0..<length]` in
    /// place and returns the RTP packet's length. A packet from a new SSRC adds a stream once
    /// it authenticates.
    ///
    /// A packet shorter than 12 bytes, or than the tag, is `.malformed` (status 0).
    public func unprotect(buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        // Shorter than the tag: refused here, for both backends alike (libsrtp2 2.5 would
        // report an AEAD packet of 12–15 bytes as a cipher failure after an unsigned underflow).
        try run(buffer, length, minimum: max(12, profile.tagLength), room: 0, .unprotectRTP)
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
        case protectRTP, resendRTP, unprotectRTP, protectRTCP, unprotectRTCP
    }

    /// Largest packet handed to a backend (libsrtp2's lengths are `int`): far above any UDP
    /// datagram.
    private static let maximumPacketLength = 0x10000

    @inline(__always)
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
        let n: Int
        do throws(SRTPError) {
            if let o = openssl {
                switch operation {
                case .protectRTP: n = try o.protect(base, length)
                case .resendRTP: n = try o.protect(base, length, allowRepeat: true)
                case .unprotectRTP: n = try o.unprotect(base, length)
                case .protectRTCP: n = try o.protectRTCP(base, length)
                case .unprotectRTCP: n = try o.unprotectRTCP(base, length)
                }
            } else if let l = libsrtp {
                switch operation {
                case .protectRTP, .resendRTP: n = try l.protect(base, length)
                case .unprotectRTP: n = try l.unprotect(base, length)
                case .protectRTCP: n = try l.protectRTCP(base, length)
                case .unprotectRTCP: n = try l.unprotectRTCP(base, length)
                }
            } else {
                throw SRTPError(.setupFailed)  // init sets one of them; never reached
            }
        } catch {
            record(error)
            throw error
        }
        // Backends only shrink on unprotect and grow by at most the trailer on protect.
        guard n >= 0, n <= buffer.count else {
            stats.otherErrors &+= 1
            throw SRTPError(.other)
        }
        switch operation {
        case .protectRTP, .resendRTP, .protectRTCP: stats.protected &+= 1
        case .unprotectRTP, .unprotectRTCP: stats.unprotected &+= 1
        }
        return n
    }

    private func record(_ error: SRTPError) {
        switch error.kind {
        case .authenticationFailed: stats.authFailures &+= 1
        case .replayed: stats.replays &+= 1
        default: stats.otherErrors &+= 1
        }
    }
}
