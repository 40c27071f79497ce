/// The secure media transport to one remote peer: RFC 7983 demultiplexing, ICE, DTLS and
/// SRTP tied together, sans-IO.
///
/// ```
///            receive(buffer, from:)                              pollOutput()
///  datagram ──▶ demux ─┬─ STUN ──▶ ICE agent (lite or full) ──▶ transmit / events
///                      ├─ DTLS ──▶ DTLSEndpoint (validated sources only) ──▶ keys ──▶ SRTP
///                      └─ SRTP/SRTCP ──▶ unprotect in place ──▶ .rtp(header, ext) / .rtcp
///  protectRTP(buffer) ──▶ SRTP protect in place ──▶ caller sends to `remoteAddress`
/// ```
///
/// Media is accepted only from transport addresses that ICE validated (RFC 8445 §7.3, and
/// consent per RFC 7675), and only once DTLS authenticated the peer's fingerprint. The
/// transport never reads a clock or touches a socket: the caller passes datagrams and time,
/// sends what ``pollOutput()`` yields, and calls ``handleTimeout(now:)`` at ``nextTimeout()``.
/// A class because it owns OpenSSL and libsrtp2 state; one owner drives it (not thread-safe).
public final class PeerTransport {
    /// How the transport runs ICE.
    public enum ICEMode: Sendable {
        /// ICE-lite (RFC 8445 §2.5): the server role. Answers checks; the peer nominates.
        case lite(ICELiteAgent.Configuration)
        /// A full agent (RFC 8445), normally controlling: the client role, or a server dialling
        /// out to a full peer. Give it the peer's credentials and candidates (from its SDP or
        /// trickle) with ``PeerTransport/setRemoteCredentials(_:now:)`` and
        /// ``PeerTransport/addRemoteCandidate(_:now:)``; it runs the checks, nominates, and
        /// keeps consent (RFC 7675) on the selected pair.
        case full(ICEAgent.Configuration)
    }

    public let dtlsRole: DTLSRole
    /// The SRTP implementation the transport's sessions use once DTLS completes.
    public let srtpBackend: SRTPBackend
    public private(set) var state: PeerTransportState = .new
    public private(set) var stats = PeerTransportStats()
    /// The negotiated SRTP profile once DTLS completes.
    public private(set) var srtpProfile: SRTPProfile?
    /// Extension IDs negotiated for media the peer sends (from its SDP).
    public var inboundExtensionMap = RTPExtensionMap()

    /// Exactly one of the two agents exists (set in `init`, never changed). Two optionals
    /// rather than an enum with payloads, so that mutating an agent happens in place (an enum
    /// payload bound to a `var` is a copy, and its arrays would be copied on write).
    private var lite: ICELiteAgent?
    private var full: ICEAgent?
    private let dtls: DTLSEndpoint
    private var srtpIn: SRTPSession?
    private var srtpOut: SRTPSession?
    /// False once the transport failed or closed: media must stop (RFC 7675 §5.1). A flag
    /// rather than a look at `state`, for the per-packet path.
    private var mayTransmit = true
    private var outputs = OutputQueue<PeerOutput>()
    /// Where DTLS datagrams go before ICE selects a pair (the source of the last DTLS datagram).
    private var dtlsRemote: ICESelectedPair?

    /// - Parameters:
    ///   - dtlsRole: `.client` when our SDP says `setup:active`, `.server` for `setup:passive`.
    ///   - remoteFingerprints: the peer's `a=fingerprint` values (may be set later).
    ///   - srtpBackend: the SRTP implementation (``SRTPBackend/default``: OpenSSL).
    public init(
        ice mode: ICEMode,
        dtlsRole: DTLSRole,
        certificate: DTLSCertificate,
        remoteFingerprints: [DTLSFingerprint],
        dtlsConfiguration: DTLSConfiguration = DTLSConfiguration(),
        srtpBackend: SRTPBackend = .default,
        now: Instant
    ) throws(DTLSError) {
        switch mode {
        case .lite(let c):
            self.lite = ICELiteAgent(configuration: c, now: now)
        case .full(let c):
            self.full = ICEAgent(configuration: c, now: now)
        }
        self.dtlsRole = dtlsRole
        self.srtpBackend = srtpBackend
        self.dtls = try DTLSEndpoint(role: dtlsRole, certificate: certificate,
                                     remoteFingerprints: remoteFingerprints,
                                     configuration: dtlsConfiguration)
    }

    // MARK: - Queries

    /// The pair media flows on: send protected media to `remote` from `local`.
    public var selectedPair: ICESelectedPair? {
        if let p = lite?.selectedPair ?? full?.selectedPair { return p }
        return dtlsRemote
    }

    public var remoteAddress: TransportAddress? { selectedPair?.remote }

    public var iceState: ICEConnectionState {
        lite?.state ?? full?.state ?? .new
    }

    public var localCandidates: [ICECandidate] {
        lite?.localCandidates ?? full?.localCandidates ?? []
    }

    /// The local ICE credentials in use (they change when a restart takes effect).
    public var localCredentials: ICECredentials? {
        lite?.localCredentials ?? full?.localCredentials
    }

    /// True when the transport runs the full agent (``ICEMode/full(_:)``).
    public var isFullICE: Bool { full != nil }

    /// The full agent's role (nil for ICE-lite, which is always controlled).
    public var iceRole: ICERole? { full?.role }

    public var iceStats: ICEStats {
        lite?.stats ?? full?.stats ?? ICEStats()
    }

    public var dtlsStats: DTLSStats { dtls.stats }
    public var srtpInboundStats: SRTPStats? { srtpIn?.stats }
    public var srtpOutboundStats: SRTPStats? { srtpOut?.stats }
    public var isSecure: Bool { srtpIn != nil && srtpOut != nil }

    // MARK: - Sans-IO verbs

    /// Processes one datagram received on `local` from `from`.
    ///
    /// `buffer[0..<length]` holds the datagram; SRTP/SRTCP are decrypted in place, and the
    /// returned `.rtp`/`.rtcp` views refer to `buffer`. Never traps on any input.
    public func receive(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int,
        from: TransportAddress, local: TransportAddress, now: Instant
    ) -> PeerReceive {
        guard length > 0, length <= buffer.count else { return drop(.tooLarge) }
        switch state {
        case .closed, .failed: return drop(.closed)
        default: break
        }
        stats.datagramsReceived &+= 1
        stats.bytesReceived &+= UInt64(length)
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<length])
        switch Demux.classify(bytes) {
        case .stun:
            stats.stunReceived &+= 1
            if stats.firstSTUNRequestAt == nil, bytes.count >= 2, bytes[0] == 0, bytes[1] == 1 {
                stats.firstSTUNRequestAt = now
            }
            handleICE(.datagram(bytes, from: from, local: local), now: now)
            return .handled
        case .dtls:
            guard isValidated(from) else { return drop(.unvalidatedSource) }
            stats.dtlsReceived &+= 1
            if selectedPair == nil || dtlsRemote == nil {
                dtlsRemote = ICESelectedPair(local: local, remote: from)
            }
            dtls.handle(datagram: bytes, now: now)
            drainDTLS(now: now)
            return .handled
        case .rtp:
            guard let s = srtpIn else { return drop(.notConnected) }
            guard isValidated(from) else { return drop(.unvalidatedSource) }
            let n: Int
            do {
                n = try s.unprotect(buffer: buffer, length: length)
            } catch {
                return drop(srtpDropReason(error))
            }
            markFirstSRTP(now)
            let plain = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            do {
                let (h, v) = try RTPHeader.parseForForwarding(plain, map: inboundExtensionMap)
                stats.rtpReceived &+= 1
                return .rtp(h, v, length: n)
            } catch {
                return drop(.malformedRTP)
            }
        case .rtcp:
            guard let s = srtpIn else { return drop(.notConnected) }
            guard isValidated(from) else { return drop(.unvalidatedSource) }
            do {
                let n = try s.unprotectRTCP(buffer: buffer, length: length)
                markFirstSRTP(now)
                stats.rtcpReceived &+= 1
                return .rtcp(length: n)
            } catch {
                return drop(srtpDropReason(error))
            }
        case .turnChannel, .unknown:
            return drop(.unknownProtocol)
        }
    }

    /// Runs the timers that are due.
    public func handleTimeout(now: Instant) {
        switch state {
        case .closed: return
        default: break
        }
        handleICE(.timeout, now: now)
        if let (deadline, _) = dtls.nextTimeout(), deadline <= now {
            dtls.handleTimeout(now: now)
            drainDTLS(now: now)
        }
    }

    /// The next output in order, or nil. O(1).
    public func pollOutput() -> PeerOutput? {
        outputs.pop()
    }

    /// The earliest deadline of ICE and DTLS, with its reason.
    public func nextTimeout() -> (Instant, PeerTimeoutReason)? {
        var best: (Instant, PeerTimeoutReason)?
        if let (t, r) = lite?.nextTimeout() ?? full?.nextTimeout() { best = (t, .ice(r)) }
        if let (t, r) = dtls.nextTimeout() {
            if let b = best, b.0 <= t { return best }
            best = (t, .dtls(r))
        }
        return best
    }

    // MARK: - Sending media

    /// Encrypts the RTP packet in `buffer[0..<length]` in place; returns the SRTP length.
    /// `buffer` needs ``SRTPSession/rtpTrailerRoom`` bytes of room after `length`. Throws
    /// `.setupFailed` before DTLS-SRTP keys exist and once the transport failed or closed
    /// (RFC 7675 §5.1: no more media after consent expired).
    @inline(__always)
    public func protectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard let s = srtpOut, mayTransmit else { throw SRTPError(.setupFailed) }
        let n = try s.protect(buffer: buffer, length: length)
        stats.rtpSent &+= 1
        return n
    }

    /// As ``protectRTP(_:length:)`` for the original of a packet already sent (a NACK
    /// answered without RTX): see ``SRTPSession/protectResend(buffer:length:)``.
    public func protectResentRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard let s = srtpOut, mayTransmit else { throw SRTPError(.setupFailed) }
        let n = try s.protectResend(buffer: buffer, length: length)
        stats.rtpSent &+= 1
        return n
    }

    /// Encrypts the RTCP compound packet in `buffer[0..<length]` in place.
    public func protectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard let s = srtpOut, mayTransmit else { throw SRTPError(.setupFailed) }
        let n = try s.protectRTCP(buffer: buffer, length: length)
        stats.rtcpSent &+= 1
        return n
    }

    /// Protects `packet` (RTP or RTCP by its second byte, RFC 5761) and queues it as a
    /// transmit to the selected pair. For control-plane and test use; the forwarding path
    /// protects into its own buffers with ``protectRTP(_:length:)``.
    @discardableResult
    public func send(_ packet: [UInt8], rtcp: Bool) -> Bool {
        guard let pair = selectedPair, srtpOut != nil else { return false }
        var buf = packet + [UInt8](repeating: 0, count: SRTPSession.rtcpTrailerRoom)
        let n: Int? = buf.withUnsafeMutableBytes { raw -> Int? in
            if rtcp { return try? protectRTCP(raw, length: packet.count) }
            return try? protectRTP(raw, length: packet.count)
        }
        guard let len = n else { return false }
        buf.removeSubrange(len...)
        outputs.push(.transmit(buf, to: pair.remote, from: pair.local))
        return true
    }

    // MARK: - Control

    /// Sets the peer's fingerprints when they arrive after the transport was created.
    public func setRemoteFingerprints(_ f: [DTLSFingerprint], now: Instant) {
        dtls.setRemoteFingerprints(f, now: now)
        drainDTLS(now: now)
    }

    /// ICE restart (RFC 8445 §9) with new local credentials (the new offer or answer carries
    /// them). ICE-lite switches to them at once (still accepting the old ones for a round
    /// trip); the full agent starts using them when the peer's new credentials arrive through
    /// ``setRemoteCredentials(_:now:)``. The selected pair keeps carrying media meanwhile.
    ///
    /// A restart is also the way back from ICE failure (consent expired, no pair): the
    /// transport leaves `.failed(.iceFailed)` for `.connecting`, and DTLS-SRTP keys, which ICE
    /// does not touch, carry on over the new pair.
    public func restartICE(localCredentials: ICECredentials, now: Instant) {
        if case .closed = state { return }
        if case .failed(.iceFailed) = state { setState(.connecting) }
        lite?.restart(localCredentials: localCredentials, now: now)
        full?.restart(localCredentials: localCredentials, now: now)
        drainICE(now: now)
    }

    /// The peer's ICE credentials (its `a=ice-ufrag` / `a=ice-pwd`). Full agent only (a lite
    /// agent checks nothing of the peer's): new credentials mean the peer restarted ICE, and
    /// the checklist starts over — add the peer's candidates again afterwards.
    public func setRemoteCredentials(_ credentials: ICECredentials, now: Instant) {
        guard isOpen else { return }
        full?.setRemoteCredentials(credentials, now: now)
        drainICE(now: now)
    }

    /// A remote candidate from the peer's SDP or a trickle message. Full agent only; ignored
    /// by ICE-lite (it learns the peer's address from its checks).
    public func addRemoteCandidate(_ candidate: ICECandidate, now: Instant) {
        guard isOpen else { return }
        full?.addRemoteCandidate(candidate, now: now)
        drainICE(now: now)
    }

    /// The peer signalled end-of-candidates (RFC 8840 §8.1): the full agent fails as soon as
    /// every pair has failed instead of waiting for its checking timeout.
    public func endOfRemoteCandidates(now: Instant) {
        guard isOpen else { return }
        full?.endOfRemoteCandidates(now: now)
        drainICE(now: now)
    }

    /// Sends close_notify and stops every timer.
    public func close(now: Instant) {
        switch state {
        case .closed: return
        default: break
        }
        dtls.close(now: now)
        drainDTLS(now: now)
        lite?.close(now: now)
        full?.close(now: now)
        drainICE(now: now)
        setState(.closed)
    }

    // MARK: - Internals

    private func drop(_ reason: PeerDropReason) -> PeerReceive {
        if let i = PeerDropReason.allCases.firstIndex(of: reason) { stats.drops[i] &+= 1 }
        return .dropped(reason)
    }

    private func srtpDropReason(_ e: SRTPError) -> PeerDropReason {
        switch e.kind {
        case .authenticationFailed: return .srtpAuthenticationFailed
        case .replayed: return .srtpReplay
        default: return .srtpOther
        }
    }

    private func markFirstSRTP(_ now: Instant) {
        if stats.firstSRTPReceivedAt == nil { stats.firstSRTPReceivedAt = now }
    }

    private var isOpen: Bool {
        switch state {
        case .closed, .failed: return false
        default: return true
        }
    }

    /// True when ICE validated `address`: the selected pair's, or (lite) the source of a valid
    /// check, or (full) the remote of a pair whose check succeeded (RFC 8445 §7.2.5.3.2, the
    /// valid list).
    private func isValidated(_ address: TransportAddress) -> Bool {
        // Optional chaining reads the agents' stored properties in place (no struct copy):
        // this runs for every media packet.
        if lite?.selectedPair?.remote == address || full?.selectedPair?.remote == address { return true }
        if let valid = lite?.validatedPairs { return valid.contains { $0.remote == address } }
        if let pairs = full?.pairs { return pairs.contains { $0.state == .succeeded && $0.remote == address } }
        return false
    }

    private func handleICE(_ input: ICEInput, now: Instant) {
        lite?.handle(input, now: now)
        full?.handle(input, now: now)
        drainICE(now: now)
    }

    private func drainICE(now: Instant) {
        while true {
            guard let out = lite?.pollOutput() ?? full?.pollOutput() else { break }
            switch out {
            case .transmit(let t):
                outputs.push(.transmit(t.bytes, to: t.to, from: t.from))
            case .event(let e):
                handleICEEvent(e, now: now)
            }
        }
    }

    private func handleICEEvent(_ e: ICEEvent, now: Instant) {
        switch e {
        case .stateChanged(let s):
            outputs.push(.event(.iceStateChanged(s)))
            switch s {
            case .connected:
                if stats.iceConnectedAt == nil { stats.iceConnectedAt = now }
                // DTLS runs once ICE has a valid pair (RFC 8842 §5); a server just waits.
                dtls.start(now: now)
                drainDTLS(now: now)
                updateState()
            case .checking:
                updateState()
            case .disconnected:
                updateState()
            case .failed:
                // Not over a DTLS or SRTP failure, which is final.
                if isOpen { setState(.failed(.iceFailed)) }
            case .new, .closed:
                break
            }
        case .selectedPairChanged(let p):
            dtlsRemote = p
            outputs.push(.event(.selectedPairChanged(p)))
        case .roleChanged:
            break
        }
    }

    private func drainDTLS(now: Instant) {
        while let o = dtls.pollOutput() {
            switch o {
            case .transmit(let bytes):
                if let pair = selectedPair {
                    outputs.push(.transmit(bytes, to: pair.remote, from: pair.local))
                }
            case .event(let e):
                switch e {
                case .connected(let profile, let keys):
                    do {
                        srtpIn = try SRTPSession(profile: profile, masterKey: keys.remote, direction: .inbound,
                                                 backend: srtpBackend)
                        srtpOut = try SRTPSession(profile: profile, masterKey: keys.local, direction: .outbound,
                                                  backend: srtpBackend)
                    } catch {
                        failSecurity(.srtpSetup(error), now: now)
                        return
                    }
                    srtpProfile = profile
                    stats.dtlsConnectedAt = now
                    outputs.push(.event(.dtlsConnected(profile)))
                    updateState()
                case .failed(let err):
                    failSecurity(.dtls(err), now: now)
                case .closed:
                    // The peer sent close_notify: the association is over, and ICE with it
                    // (no more consent checks or timers).
                    setState(.closed)
                    lite?.close(now: now)
                    full?.close(now: now)
                    drainICE(now: now)
                case .applicationData(let d):
                    outputs.push(.event(.dtlsApplicationData(d)))
                }
            }
        }
    }

    /// DTLS or SRTP failed: final (unlike ICE failure, which a restart may repair). ICE stops
    /// too, so no consent checks keep a dead session's path open.
    private func failSecurity(_ failure: PeerFailure, now: Instant) {
        setState(.failed(failure))
        lite?.close(now: now)
        full?.close(now: now)
        drainICE(now: now)
    }

    private func updateState() {
        switch state {
        case .failed, .closed: return
        default: break
        }
        switch iceState {
        case .new: setState(.new)
        case .checking: setState(.connecting)
        case .connected: setState(isSecure ? .connected : .connecting)
        case .disconnected: setState(.disconnected)
        case .failed: setState(.failed(.iceFailed))
        case .closed: setState(.closed)
        }
    }

    private func setState(_ s: PeerTransportState) {
        guard s != state else { return }
        state = s
        switch s {
        case .failed, .closed: mayTransmit = false
        default: mayTransmit = true
        }
        outputs.push(.event(.stateChanged(s)))
    }
}
