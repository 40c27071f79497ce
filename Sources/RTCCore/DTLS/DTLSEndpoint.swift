import COpenSSL
import CRTCShims

/// One DTLS 1.2 association with one peer (RFC 6347), keyed for DTLS-SRTP (RFC 5764) and
/// authenticated by SDP fingerprints (RFC 5763), driven sans-IO.
///
/// OpenSSL runs the protocol through two datagram-queue BIOs: each datagram the caller passes
/// to ``handle(datagram:now:)`` is one `BIO_read`, and each `BIO_write` OpenSSL makes is one
/// `.transmit` datagram, exactly as written (records never merged or split; each ≤ `mtu`).
/// Time is the caller's. OpenSSL's own DTLS timer reads the real clock and retransmits from
/// inside its read path, so it cannot simply be told "now": instead, when a flight is sent,
/// OpenSSL is made to produce its retransmissions at once and they are held (see
/// `dtls_shims.c`); the ``DTLSRetransmissionPolicy`` schedule, in virtual time, releases one
/// per expiry through ``handleTimeout(now:)``. Each is a complete retransmission with fresh
/// record sequence numbers, exactly what OpenSSL would have sent at that moment.
///
/// ```
///  caller ──handle(datagram:)──▶ [read BIO] ──▶ OpenSSL DTLS 1.2 ──▶ [write BIO] ──▶ pollOutput()
///                                                                     │ held retransmissions
///         ──handleTimeout(now:)── releases one when the virtual deadline passes ─┘
/// ```
///
/// Authentication: at the TLS level any certificate is accepted (WebRTC certificates are
/// self-signed); once the handshake completes the peer certificate's digest is compared with
/// the remote SDP fingerprints. A mismatch fails the endpoint with `.fingerprintMismatch` and
/// no keys are released. If the fingerprints are not known yet (the answer is still in
/// flight), the endpoint waits in `.awaitingFingerprint`.
///
/// A class because it owns an OpenSSL `SSL`; not thread-safe: one owner drives it.
public final class DTLSEndpoint {
    /// Largest datagram accepted from the caller.
    public static let maximumDatagramLength = 0xFFFF
    /// Largest application data record OpenSSL can deliver (TLS plaintext limit + slack).
    private static let readBufferLength = 16_384 + 2_048

    public let role: DTLSRole
    public let configuration: DTLSConfiguration
    public let certificate: DTLSCertificate
    public private(set) var state: DTLSState = .idle
    public private(set) var stats = DTLSStats()
    /// Fingerprints from the peer's SDP; the peer certificate must match one of them.
    public private(set) var remoteFingerprints: [DTLSFingerprint]
    /// The SRTP keys, once the peer is authenticated.
    public private(set) var keys: DTLSSRTPKeys?

    private let ssl: OpaquePointer
    private let readBIO: OpaquePointer
    private let writeBIO: OpaquePointer
    private var timer: DTLSRetransmissionTimer
    /// Keys exported at handshake completion, held until the fingerprint check passes.
    private var unverifiedKeys: DTLSSRTPKeys?
    /// Application data received before the peer was authenticated.
    private var heldApplicationData: [[UInt8]] = []
    private var outputs = OutputQueue<DTLSOutput>()

    /// Creates an endpoint. Nothing is sent until ``start(now:)`` (a client's ClientHello) or
    /// the first datagram (a server).
    ///
    /// - Parameters:
    ///   - remoteFingerprints: the peer's `a=fingerprint` values; may be empty and set later
    ///     with ``setRemoteFingerprints(_:now:)``.
    public init(
        role: DTLSRole,
        certificate: DTLSCertificate,
        remoteFingerprints: [DTLSFingerprint] = [],
        configuration: DTLSConfiguration = DTLSConfiguration()
    ) throws(DTLSError) {
        guard !configuration.srtpProfiles.isEmpty else {
            throw DTLSError(.setupFailed, "no SRTP profile configured")
        }
        // OpenSSL packs a flight's records into datagrams through a 4 KiB buffering BIO; a
        // larger MTU would let it split a datagram across two writes.
        guard configuration.mtu >= 256, configuration.mtu <= 4_096 else {
            throw DTLSError(.setupFailed, "mtu out of range")
        }
        ERR_clear_error()
        guard let ssl = SSL_new(certificate.context) else {
            throw DTLSError.fromOpenSSL(.setupFailed, "SSL_new")
        }
        let prepared = Int32(
            max(0, min(configuration.retransmission.maximumRetransmissions,
                       DTLSRetransmissionPolicy.maximumPreparedRetransmissions)))
        let ok = rtc_dtls_ssl_setup(
            ssl, role == .server ? 1 : 0, configuration.mtu, configuration.openSSLProfileList,
            prepared)
        guard ok == 1, let rbio = SSL_get_rbio(ssl), let wbio = SSL_get_wbio(ssl) else {
            SSL_free(ssl)
            throw DTLSError.fromOpenSSL(.setupFailed, "SSL setup")
        }
        self.role = role
        self.configuration = configuration
        self.certificate = certificate
        self.remoteFingerprints = remoteFingerprints
        self.ssl = ssl
        self.readBIO = rbio
        self.writeBIO = wbio
        self.timer = DTLSRetransmissionTimer(policy: configuration.retransmission)
    }

    deinit {
        SSL_free(ssl)  // frees both BIOs too
    }

    // MARK: - Sans-IO verbs

    /// Begins the handshake: a client sends its ClientHello; a server just waits. Idempotent.
    public func start(now: Instant) {
        guard case .idle = state else { return }
        state = .handshaking
        advance(now: now)
    }

    /// Sets (or replaces) the peer's SDP fingerprints. If the handshake already completed,
    /// the peer is verified now: `.connected` or `.failed` follows.
    public func setRemoteFingerprints(_ fingerprints: [DTLSFingerprint], now: Instant) {
        remoteFingerprints = fingerprints
        if case .awaitingFingerprint = state, !fingerprints.isEmpty {
            verifyPeer(now: now)
            flushTransmissions()
        }
    }

    /// Processes one datagram from the peer (its first byte in 20...63, RFC 7983). The first
    /// datagram starts a server's handshake; an idle client ignores datagrams.
    public func handle(datagram: UnsafeRawBufferPointer, now: Instant) {
        switch state {
        case .failed, .closed:
            stats.ignoredDatagrams &+= 1
            return
        case .idle:
            // A server starts with the first datagram (the ClientHello); a client only with
            // start(): nothing valid can reach it before its ClientHello.
            guard role == .server else {
                stats.ignoredDatagrams &+= 1
                return
            }
            state = .handshaking
        case .handshaking, .awaitingFingerprint, .connected:
            break
        }
        guard datagram.count > 0, datagram.count <= DTLSEndpoint.maximumDatagramLength,
            let base = datagram.baseAddress
        else {
            stats.ignoredDatagrams &+= 1
            return
        }
        guard rtc_dtls_bio_push(readBIO, base, datagram.count) == 1 else {
            stats.ignoredDatagrams &+= 1
            return
        }
        stats.datagramsReceived &+= 1
        stats.bytesReceived &+= UInt64(datagram.count)
        advance(now: now)
        // OpenSSL consumes the datagram or discards it; never carry one over to the next call.
        rtc_dtls_bio_clear(readBIO)
    }

    /// Resends the last flight when its retransmission deadline has passed (or fails the
    /// handshake when the retransmission budget is spent). Harmless to call early.
    public func handleTimeout(now: Instant) {
        guard timer.isExpired(now: now) else { return }
        switch state {
        case .handshaking, .awaitingFingerprint, .connected:
            break
        case .idle, .failed, .closed:
            stopTimer()
            return
        }
        guard timer.expire(now: now) else {
            if case .handshaking = state {
                fail(DTLSError(.handshakeTimeout, "flight unanswered after every retransmission"))
            } else {
                stopTimer()
            }
            flushTransmissions()
            return
        }
        // The retransmission was prepared by OpenSSL when the flight was sent (see
        // dtls_shims.c): release it now, in virtual time.
        if rtc_dtls_release_retransmission(ssl) > 0 {
            stats.retransmissions &+= 1
        }
        flushTransmissions()
    }

    /// The next output, in order: datagrams to send and events. O(1); nil when none.
    public func pollOutput() -> DTLSOutput? {
        outputs.pop()
    }

    /// When ``handleTimeout(now:)`` must be called next, and why; nil when no timer runs.
    public func nextTimeout() -> (Instant, DTLSTimeoutReason)? {
        guard let d = timer.deadline else { return nil }
        return (d, .retransmit)
    }

    /// Encrypts one application data record (e.g. an SCTP packet) for the peer.
    public func send(applicationData: UnsafeRawBufferPointer, now: Instant) throws(DTLSError) {
        switch state {
        case .connected: break
        case .failed, .closed: throw DTLSError(.closed)
        case .idle, .handshaking, .awaitingFingerprint: throw DTLSError(.notConnected)
        }
        guard applicationData.count > 0 else { return }
        guard applicationData.count <= 16_384 else {
            throw DTLSError(.setupFailed, "application data record larger than 16 KiB")
        }
        ERR_clear_error()
        let n = SSL_write(ssl, applicationData.baseAddress, Int32(applicationData.count))
        if n <= 0 {
            let error = DTLSError.fromOpenSSL(.handshakeFailed, "SSL_write")
            fail(error)
            flushTransmissions()
            throw error
        }
        flushTransmissions()
        syncTimer(now: now)
    }

    /// Sends close_notify (when the handshake has completed) and ends the association.
    public func close(now: Instant) {
        switch state {
        case .failed, .closed:
            return
        case .awaitingFingerprint, .connected:
            ERR_clear_error()
            _ = rtc_dtls_shutdown(ssl)
            ERR_clear_error()
        case .idle, .handshaking:
            break  // OpenSSL cannot send close_notify mid-handshake; just stop.
        }
        finishClosed()
        flushTransmissions()
    }

    // MARK: - Driving OpenSSL

    private func advance(now: Instant) {
        if case .handshaking = state {
            ERR_clear_error()
            let r = SSL_do_handshake(ssl)
            if r == 1 {
                handshakeCompleted(now: now)
            } else {
                handleSSLResult(r, failure: "handshake")
            }
        }
        switch state {
        case .connected, .awaitingFingerprint:
            readApplicationData()
        default:
            break
        }
        flushTransmissions()
        syncTimer(now: now)
    }

    /// Interprets a non-success return of `SSL_do_handshake` / `SSL_read`.
    private func handleSSLResult(_ r: Int32, failure: StaticString) {
        let e = SSL_get_error(ssl, r)
        switch e {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            ERR_clear_error()
        case SSL_ERROR_ZERO_RETURN:
            ERR_clear_error()
            peerClosed()
        default:
            fail(DTLSError.fromOpenSSL(.handshakeFailed, failure))
        }
    }

    private func readApplicationData() {
        withUnsafeTemporaryAllocation(byteCount: DTLSEndpoint.readBufferLength, alignment: 16) { buf in
            while true {
                switch state {
                case .connected, .awaitingFingerprint: break
                default: return
                }
                ERR_clear_error()
                let n = SSL_read(ssl, buf.baseAddress, Int32(buf.count))
                if n > 0 {
                    deliver(Array(UnsafeRawBufferPointer(rebasing: buf[0..<Int(n)])))
                    continue
                }
                handleSSLResult(n, failure: "read")
                return
            }
        }
    }

    private func deliver(_ record: [UInt8]) {
        if case .connected = state {
            emit(.event(.applicationData(record)))
        } else if heldApplicationData.count < configuration.maximumHeldApplicationData {
            heldApplicationData.append(record)
        } else {
            stats.droppedApplicationData &+= 1
        }
    }

    private func handshakeCompleted(now: Instant) {
        guard let selected = SSL_get_selected_srtp_profile(ssl),
            let id = UInt16(exactly: selected.pointee.id),
            let profile = SRTPProfile(protectionProfileID: id)
        else {
            fail(DTLSError(.noSRTPProfile, "peer did not negotiate use_srtp"))
            return
        }
        var material = [UInt8](repeating: 0, count: DTLSSRTPKeys.keyingMaterialLength(for: profile))
        let label = DTLSSRTPKeys.exporterLabel
        ERR_clear_error()
        let ok = material.withUnsafeMutableBufferPointer { out in
            SSL_export_keying_material(
                ssl, out.baseAddress, out.count, label, label.utf8.count, nil, 0, 0)
        }
        guard ok == 1, let exported = DTLSSRTPKeys(profile: profile, role: role, keyingMaterial: material)
        else {
            fail(DTLSError.fromOpenSSL(.keyExportFailed, "SSL_export_keying_material"))
            return
        }
        for i in material.indices { material[i] = 0 }
        unverifiedKeys = exported
        state = .awaitingFingerprint
        if !remoteFingerprints.isEmpty {
            verifyPeer(now: now)
        }
    }

    /// Compares the peer certificate with the remote fingerprints (RFC 5763 §5, RFC 8122 §5:
    /// a match with any of them authenticates the peer).
    private func verifyPeer(now: Instant) {
        guard let peer = SSL_get0_peer_certificate(ssl) else {
            fail(DTLSError(.missingPeerCertificate))
            return
        }
        guard remoteFingerprints.contains(where: { $0.matches(x509: peer) }) else {
            fail(DTLSError(.fingerprintMismatch, "peer certificate does not match SDP fingerprint"))
            // Tell the peer we are gone (OpenSSL cannot send bad_certificate after the fact).
            ERR_clear_error()
            _ = rtc_dtls_shutdown(ssl)
            ERR_clear_error()
            return
        }
        guard let keys = unverifiedKeys else {
            fail(DTLSError(.keyExportFailed, "no exported keys"))
            return
        }
        unverifiedKeys = nil
        self.keys = keys
        state = .connected
        emit(.event(.connected(keys.profile, keys)))
        let held = heldApplicationData
        heldApplicationData = []
        for record in held { emit(.event(.applicationData(record))) }
    }

    private func fail(_ error: DTLSError) {
        switch state {
        case .failed, .closed: return
        case .idle, .handshaking, .awaitingFingerprint: stats.handshakeFailures &+= 1
        case .connected: break
        }
        state = .failed(error)
        unverifiedKeys = nil
        heldApplicationData = []
        stopTimer()
        emit(.event(.failed(error)))
    }

    /// The peer sent close_notify: answer with ours and close.
    private func peerClosed() {
        ERR_clear_error()
        _ = rtc_dtls_shutdown(ssl)
        ERR_clear_error()
        finishClosed()
    }

    private func finishClosed() {
        state = .closed
        unverifiedKeys = nil
        heldApplicationData = []
        stopTimer()
        emit(.event(.closed))
    }

    /// Moves every datagram OpenSSL wrote into the output queue, one `.transmit` each.
    private func flushTransmissions() {
        while true {
            let n = rtc_dtls_bio_next_length(writeBIO)
            guard n >= 0 else { return }
            let length = Int(n)
            let datagram = [UInt8](unsafeUninitializedCapacity: length) { buf, initialized in
                let copied = rtc_dtls_bio_pop(writeBIO, buf.baseAddress, length)
                initialized = copied < 0 ? 0 : Int(copied)
            }
            guard !datagram.isEmpty else { continue }
            stats.datagramsSent &+= 1
            stats.bytesSent &+= UInt64(datagram.count)
            emit(.transmit(datagram))
        }
    }

    /// Mirrors OpenSSL's view of the retransmission timer into the virtual-time schedule:
    /// a new flight restarts the schedule at `now`; an answered flight stops it.
    private func syncTimer(now: Instant) {
        let restarted = rtc_dtls_take_timer_starts(ssl) > 0
        switch state {
        case .handshaking, .awaitingFingerprint, .connected:
            break
        case .idle, .failed, .closed:
            stopTimer()
            return
        }
        guard rtc_dtls_timer_running(ssl) == 1 else {
            stopTimer()
            return
        }
        if restarted || timer.deadline == nil {
            timer.start(now: now)
        }
    }

    private func stopTimer() {
        timer.stop()
        rtc_dtls_drop_retransmissions(ssl)
    }

    private func emit(_ output: DTLSOutput) {
        outputs.push(output)
    }
}
