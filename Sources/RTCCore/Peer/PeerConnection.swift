/// One remote peer: a ``PeerTransport`` (ICE, DTLS, SRTP) plus offer/answer on the SDP model
/// (RFC 3264 with JSEP's rules, RFC 8829), sans-IO.
///
/// ```
///   server, publisher connection            server, subscriber connection / client
///   ───────────────────────────            ──────────────────────────────────────
///   remote offer ──▶ answer(offer:...)       createOffer(sections:) ──▶ remote
///        ◀── answer (ICE-lite, our            remote answer ──▶ setRemoteAnswer(_:)
///            candidates, fingerprint)
///                      │ negotiated: DTLS role, fingerprints, ICE credentials,
///                      ▼ candidates, extension ids
///   handle(datagram:) ─▶ PeerTransport ─▶ .rtp / .rtcp views │ pollOutput() ─▶ transmit / event
///   handleTimeout(now:) at nextTimeout()                      │ sendRTP / sendRTCP / protectRTP
/// ```
///
/// The transport is created by the first completed negotiation (the DTLS role is known only
/// then) and kept by every later one: a renegotiation updates the inbound extension map and the
/// peer's candidates, and a changed ufrag/pwd restarts ICE (RFC 8445 §9) on the same DTLS-SRTP
/// association. An offerer's transport does not exist until the answer arrives; STUN checks
/// that a fast peer sends before that are held (a few, bounded) and replayed.
///
/// Thin by design: everything on the media path is ``PeerTransport``'s. A class because the
/// transport is one; one owner drives it (not thread-safe).
public final class PeerConnection {
    /// Most STUN datagrams held before the transport exists.
    public static let maximumEarlyDatagrams = 16
    /// Largest STUN datagram held before the transport exists.
    public static let maximumEarlyDatagramLength = 1_500

    private struct EarlyDatagram {
        var bytes: [UInt8]
        var from: TransportAddress
        var local: TransportAddress
    }

    public let configuration: Configuration
    /// The secure transport, once a negotiation completed.
    public private(set) var transport: PeerTransport?
    public private(set) var signalingState: PeerSignalingState = .stable
    /// The last description this side sent (an offer while ``signalingState`` is
    /// `haveLocalOffer`) and the last one it applied from the peer.
    public private(set) var localDescription: SessionDescription?
    public private(set) var remoteDescription: SessionDescription?
    /// The result of the last completed offer/answer.
    public private(set) var negotiated: NegotiatedSession?
    /// The ICE credentials this side's next description carries.
    public private(set) var localCredentials: ICECredentials
    /// The peer's ICE credentials from its last description.
    public private(set) var remoteCredentials: ICECredentials?
    /// The peer's certificate fingerprints from its last description.
    public private(set) var remoteFingerprints: [DTLSFingerprint] = []
    /// Datagrams refused before the transport existed (not STUN, or over the bounds).
    public private(set) var earlyDatagramsDropped = 0

    private var sessionVersion: UInt64 = 0
    private var early: [EarlyDatagram] = []
    private var pendingCandidates: [ICECandidate] = []
    private var pendingEndOfCandidates = false
    private var isClosed = false

    /// A connection that will offer (``createOffer(sections:)``) or answer
    /// (``answer(offer:options:restartCredentials:now:)``).
    public init(configuration: Configuration) {
        self.configuration = configuration
        self.localCredentials = configuration.localCredentials
    }

    // MARK: - Offer/answer

    /// The server role: answers a peer's offer with this side's transport (ICE-lite, candidates,
    /// fingerprint, ufrag) and creates the connection with the negotiated DTLS role, the peer's
    /// fingerprints and the inbound extension ids.
    public static func answer(
        offer: SessionDescription, configuration: Configuration, options: SDPAnswerOptions, now: Instant
    ) throws(PeerConnectionError) -> (connection: PeerConnection, answer: SessionDescription) {
        let connection = PeerConnection(configuration: configuration)
        let answer = try connection.answer(offer: offer, options: options, now: now)
        return (connection, answer)
    }

    /// Answers an offer from the peer: the first one, or a renegotiation (the transport and
    /// its DTLS role are kept; `options.preferredSetup` is overridden to keep the role).
    ///
    /// - Parameter restartCredentials: fresh local credentials to answer with when the offer
    ///   restarts ICE (its ufrag/pwd changed), as RFC 8445 §9 asks. RTCCore makes no random
    ///   numbers: draw them from a secure source. Without them the old ones are kept (which
    ///   ICE tolerates).
    /// - Returns: the answer to send. `options.sessionID`/`sessionVersion` are replaced by
    ///   this connection's.
    public func answer(
        offer: SessionDescription, options: SDPAnswerOptions, restartCredentials: ICECredentials? = nil,
        now: Instant
    ) throws(PeerConnectionError) -> SessionDescription {
        guard !isClosed else { throw .closed }
        guard signalingState == .stable else { throw .offerPending }
        var options = options
        options.sessionID = configuration.sessionID
        options.sessionVersion = sessionVersion &+ 1
        if let t = transport { options.preferredSetup = t.dtlsRole == .client ? .active : .passive }
        var credentials = localCredentials
        var (answer, n) = try Self.negotiateAnswer(offer, local: sdpTransport(credentials), options: options)
        if let fresh = restartCredentials, fresh != credentials, let old = remoteCredentials,
           old != ICECredentials(ufrag: n.remoteIceUfrag, pwd: n.remoteIcePwd) {
            credentials = fresh
            (answer, n) = try Self.negotiateAnswer(offer, local: sdpTransport(credentials), options: options)
        }
        try apply(n, remote: offer, localIsOfferer: false, credentials: credentials, now: now)
        sessionVersion &+= 1
        localDescription = answer
        remoteDescription = offer
        return answer
    }

    /// An offer with `sections` (the server's subscriber connection: ICE-lite `sendonly`
    /// sections; a client with a full agent: its `sendrecv` sections). Creating another offer
    /// before the answer replaces the outstanding one.
    public func createOffer(sections: [SDPOfferSection]) -> SessionDescription {
        sessionVersion &+= 1
        let offer = SDPNegotiator.offer(sections: sections, local: sdpTransport(localCredentials),
                                        sessionID: configuration.sessionID, sessionVersion: sessionVersion)
        localDescription = offer
        signalingState = .haveLocalOffer
        return offer
    }

    /// Applies the peer's answer to the outstanding offer: creates the transport the first
    /// time, updates it afterwards.
    public func setRemoteAnswer(_ answer: SessionDescription, now: Instant) throws(PeerConnectionError) {
        guard !isClosed else { throw .closed }
        guard signalingState == .haveLocalOffer, let offer = localDescription else { throw .noPendingOffer }
        let n: NegotiatedSession
        do {
            n = try SDPNegotiator.negotiate(localOffer: offer, remoteAnswer: answer)
        } catch {
            throw .negotiation(error)
        }
        try apply(n, remote: answer, localIsOfferer: true, credentials: localCredentials, now: now)
        signalingState = .stable
        remoteDescription = answer
    }

    /// Starts an ICE restart (RFC 8445 §9) from this side: the next offer carries
    /// `localCredentials`. Media keeps flowing on the selected pair meanwhile.
    public func restartICE(localCredentials: ICECredentials, now: Instant) {
        guard !isClosed, localCredentials != self.localCredentials else { return }
        self.localCredentials = localCredentials
        transport?.restartICE(localCredentials: localCredentials, now: now)
    }

    // MARK: - Trickle ICE (RFC 8840)

    /// This side's candidates (host candidates; they are also in every description).
    public var localCandidates: [ICECandidate] {
        ICEHostAddress.hostCandidates(configuration.hostAddresses)
    }

    /// A candidate the peer trickled. Held until the transport exists; ignored by ICE-lite.
    public func addRemoteCandidate(_ candidate: ICECandidate, now: Instant) {
        guard !isClosed else { return }
        if let t = transport {
            t.addRemoteCandidate(candidate, now: now)
        } else if !pendingCandidates.contains(candidate) {
            pendingCandidates.append(candidate)
        }
    }

    /// The peer trickled end-of-candidates.
    public func endOfRemoteCandidates(now: Instant) {
        guard !isClosed else { return }
        if let t = transport {
            t.endOfRemoteCandidates(now: now)
        } else {
            pendingEndOfCandidates = true
        }
    }

    // MARK: - Sans-IO verbs

    /// Processes one datagram received on `local` from `from`; RTP and RTCP come back
    /// decrypted in place in `buffer` (see ``PeerTransport/receive(_:length:from:local:now:)``).
    /// Never traps on any input.
    public func handle(
        datagram buffer: UnsafeMutableRawBufferPointer, length: Int,
        from: TransportAddress, local: TransportAddress, now: Instant
    ) -> PeerReceive {
        if let t = transport { return t.receive(buffer, length: length, from: from, local: local, now: now) }
        guard !isClosed else { return .dropped(.closed) }
        guard length > 0, length <= buffer.count else { return .dropped(.tooLarge) }
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<length])
        guard case .stun = Demux.classify(bytes), length <= Self.maximumEarlyDatagramLength,
              early.count < Self.maximumEarlyDatagrams else {
            earlyDatagramsDropped &+= 1
            return .dropped(.notConnected)
        }
        early.append(EarlyDatagram(bytes: Array(bytes), from: from, local: local))
        return .handled
    }

    /// Runs the timers that are due.
    public func handleTimeout(now: Instant) {
        transport?.handleTimeout(now: now)
    }

    /// The next transmit or event, in order; nil when none. O(1).
    public func pollOutput() -> PeerOutput? {
        transport?.pollOutput()
    }

    /// The earliest deadline and its reason; nil while no timer runs.
    public func nextTimeout() -> (Instant, PeerTimeoutReason)? {
        transport?.nextTimeout()
    }

    // MARK: - Media

    /// The overall state (`new` until the transport exists).
    public var state: PeerTransportState {
        if let t = transport { return t.state }
        return isClosed ? .closed : .new
    }

    /// Where protected media goes: `remote`, from the socket bound to `local`.
    public var selectedPair: ICESelectedPair? { transport?.selectedPair }
    public var isSecure: Bool { transport?.isSecure ?? false }

    /// Protects an RTP packet and queues it as a transmit to the selected pair; false when
    /// the transport is not secure yet (or the packet cannot be protected).
    @discardableResult
    public func sendRTP(_ packet: [UInt8]) -> Bool {
        transport?.send(packet, rtcp: false) ?? false
    }

    /// Protects an RTCP compound packet and queues it as a transmit to the selected pair.
    @discardableResult
    public func sendRTCP(_ packet: [UInt8]) -> Bool {
        transport?.send(packet, rtcp: true) ?? false
    }

    /// In-place protection for the forwarding path (see ``PeerTransport/protectRTP(_:length:)``);
    /// the caller sends the result to ``selectedPair``.
    public func protectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard let t = transport else { throw SRTPError(.setupFailed) }
        return try t.protectRTP(buffer, length: length)
    }

    public func protectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard let t = transport else { throw SRTPError(.setupFailed) }
        return try t.protectRTCP(buffer, length: length)
    }

    /// Sends close_notify and stops every timer.
    public func close(now: Instant) {
        guard !isClosed else { return }
        isClosed = true
        early.removeAll()
        pendingCandidates.removeAll()
        transport?.close(now: now)
    }

    // MARK: - Internals

    /// This side's transport as the SDP layer writes it.
    private func sdpTransport(_ credentials: ICECredentials) -> SDPLocalTransport {
        SDPLocalTransport(
            iceUfrag: credentials.ufrag, icePwd: credentials.pwd,
            fingerprints: [configuration.certificate.fingerprint], candidates: localCandidates,
            iceLite: configuration.isLite, iceOptions: configuration.iceOptions, endOfCandidates: true)
    }

    private static func negotiateAnswer(
        _ offer: SessionDescription, local: SDPLocalTransport, options: SDPAnswerOptions
    ) throws(PeerConnectionError) -> (SessionDescription, NegotiatedSession) {
        do {
            return try SDPNegotiator.answer(to: offer, local: local, options: options)
        } catch {
            throw .negotiation(error)
        }
    }

    /// Applies a completed negotiation. Everything is checked before anything changes, so a
    /// refused renegotiation leaves the connection as it was.
    private func apply(
        _ n: NegotiatedSession, remote: SessionDescription, localIsOfferer: Bool,
        credentials: ICECredentials, now: Instant
    ) throws(PeerConnectionError) {
        // The negotiator guarantees at least one fingerprint (`.missingFingerprint`).
        let fingerprints = n.remoteFingerprints
        let remoteICE = ICECredentials(ufrag: n.remoteIceUfrag, pwd: n.remoteIcePwd)
        guard remoteICE.isValid else { throw .invalidIceCredentials }
        if configuration.isLite, n.remoteIceLite { throw .bothIceLite }
        let dtlsRole: DTLSRole = n.isDTLSClient ? .client : .server
        let candidates = n.remoteCandidates
        let tag = n.bundleMids.first ?? n.acceptedMedia.first?.mid
        let endOfCandidates = tag.flatMap { remote.media(withMid: $0)?.endOfCandidates } ?? false
            || remote.endOfCandidates
        var map = RTPExtensionMap()
        for m in n.acceptedMedia {
            for e in m.extMaps {
                if let id = SDPHeaderExtensionIDs.wireID(e.id) { map.register(uri: e.uri, id: id) }
            }
        }

        let t: PeerTransport
        var created = false
        if let existing = transport {
            guard existing.dtlsRole == dtlsRole else { throw .dtlsRoleChanged }
            if Set(fingerprints) != Set(remoteFingerprints) {
                guard !existing.isSecure else { throw .fingerprintsChanged }
                existing.setRemoteFingerprints(fingerprints, now: now)
            }
            if credentials != localCredentials {
                existing.restartICE(localCredentials: credentials, now: now)
            }
            t = existing
        } else {
            // RFC 8445 §6.1.1: the offerer controls, and a full agent facing ICE-lite always does.
            let role: ICERole = localIsOfferer || n.remoteIceLite ? .controlling : .controlled
            do {
                t = try PeerTransport(
                    ice: configuration.mode(credentials: credentials, role: role), dtlsRole: dtlsRole,
                    certificate: configuration.certificate, remoteFingerprints: fingerprints,
                    dtlsConfiguration: configuration.dtls, srtpBackend: configuration.srtpBackend, now: now)
            } catch {
                throw .transport(error)
            }
            transport = t
            created = true
        }
        negotiated = n
        localCredentials = credentials
        remoteCredentials = remoteICE
        remoteFingerprints = fingerprints
        t.inboundExtensionMap = map
        t.setRemoteCredentials(remoteICE, now: now)
        for c in candidates { t.addRemoteCandidate(c, now: now) }
        for c in pendingCandidates { t.addRemoteCandidate(c, now: now) }
        pendingCandidates.removeAll()
        if endOfCandidates || pendingEndOfCandidates { t.endOfRemoteCandidates(now: now) }
        pendingEndOfCandidates = false
        if created {
            let held = early
            early.removeAll()
            for d in held {
                var bytes = d.bytes
                let n = bytes.count
                bytes.withUnsafeMutableBytes { _ = t.receive($0, length: n, from: d.from, local: d.local, now: now) }
            }
        }
    }
}
