/// A Selective Forwarding Unit as one sans-IO object: every participant's publisher and
/// subscriber ``PeerConnection``, their publications and subscriptions, and the forwarding
/// between them. The application owns sockets, clocks, signaling and rooms; it feeds the
/// router datagrams, timeouts and API calls, and sends what ``pollOutput()`` returns.
///
/// ```
///  datagram ──▶ handle(.datagram) ──▶ connection (by address, or STUN USERNAME)
///                  publisher RTP ──▶ IncomingStreamTable ──▶ Publication.forward
///                                        └─ each Subscription: gate, rewrite into an egress
///                                           slot, SRTP protect in place ──▶ .transmit
///                  subscriber RTCP ─▶ PLI/FIR ──▶ the publisher layer's KeyframeRequestThrottle
///  API: addParticipant / publish(offer:) / subscribeAnswer / setPreferences / setMuted /
///       removeParticipant ──▶ .event(.subscribeOffer / .trackPublished / …)
///  nextTimeout() ──▶ handle(.timeout) at that instant
/// ```
///
/// Egress datagrams live in preallocated slots: a transmit's bytes stay valid until every
/// queued output was polled and the router is called again. Drain ``pollOutput()`` after
/// every call (undrained datagrams hold their slots; when none is left, copies are dropped
/// and counted). Forwarding allocates nothing and looks nothing up in a
/// dictionary: streams resolve by a short linear scan, subscriptions name their subscriber by
/// slot. One owner drives it (not thread-safe); no locks, no clock reads, no random numbers
/// (ICE credentials come from the caller; SSRCs from ``Configuration/seed``).
public final class SFURouter {
    public struct Configuration: Sendable {
        /// The DTLS identity of every connection.
        public var certificate: DTLSCertificate
        /// The addresses put into candidates (ICE-lite).
        public var hostAddresses: [ICEHostAddress]
        /// Seeds the SSRCs of subscriptions and of the router's RTCP.
        public var seed: UInt64
        /// Header extensions accepted on publisher connections.
        public var publisherExtensions: [String]
        /// Least time between two keyframe requests to one publisher stream.
        public var keyframeRequestInterval: Duration
        /// Egress slots: the most datagrams one call can produce.
        public var egressSlots: Int
        /// Active speaker every interval, quality every other one.
        public var reportInterval: Duration
        /// Sent to every video publisher as REMB each second, until the router runs
        /// congestion control (without feedback a browser never sends its top simulcast
        /// layer); nil: none.
        public var publisherBitrate: UInt64?
        /// Maps the caller's clock to NTP wall-clock time for Sender Reports (RFC 3550 §4);
        /// any consistent mapping gives lip sync and RTT, the real one gives receivers
        /// meaningful `remote-outbound-rtp` times.
        public var ntpClock: NTPClock
        /// Packets kept per video subscription to answer NACKs (≥ 1 s of 720p video).
        public var retransmissionPackets: Int
        /// NACK generation towards publishers (RFC 4585 §6.2.1).
        public var nack: NackGeneratorConfiguration

        public init(certificate: DTLSCertificate, hostAddresses: [ICEHostAddress], seed: UInt64 = 1,
                    publisherExtensions: [String] = SDPHeaderExtensionIDs.routerURIs.filter {
                        $0 != SDPExtensionURI.transportWideCC
                    },
                    keyframeRequestInterval: Duration = .milliseconds(500), egressSlots: Int = 2_048,
                    reportInterval: Duration = .milliseconds(500), publisherBitrate: UInt64? = 2_500_000,
                    ntpClock: NTPClock = NTPClock(unixNanosecondsAtZero: 0), retransmissionPackets: Int = 512,
                    nack: NackGeneratorConfiguration = NackGeneratorConfiguration()) {
            self.certificate = certificate
            self.hostAddresses = hostAddresses
            self.seed = seed
            self.publisherExtensions = publisherExtensions
            self.keyframeRequestInterval = keyframeRequestInterval
            self.egressSlots = egressSlots
            self.reportInterval = reportInterval
            self.publisherBitrate = publisherBitrate
            self.ntpClock = ntpClock
            self.retransmissionPackets = retransmissionPackets
            self.nack = nack
        }
    }

    public let configuration: Configuration
    /// The addresses new connections put into candidates (initially the configuration's; a
    /// server sets them once its socket is bound).
    public var hostAddresses: [ICEHostAddress]
    @exclusivity(unchecked) public private(set) var stats = SFURouterStats()
    /// The largest datagram the router sends (the egress slot size less the SRTP trailer room).
    public static let maximumPacketSize = 1_500

    @exclusivity(unchecked) var participants: [SFUParticipant?] = []
    private var freeSlots: [Int] = []
    private var generation: UInt32 = 0
    private var nextTrackID: UInt32 = 1
    private var rng: SeededRandom
    // Per-packet state: exclusivity is enforced by construction (one owner, no reentrant
    // mutation of these from the closures the hot path runs), so it is not checked per access.
    @exclusivity(unchecked) private var egress: EgressBuffer
    /// Where a retransmitted packet is rebuilt before it is wrapped as RTX.
    private let retransmitScratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 2_048, alignment: 16)
    private var events = OutputQueue<SFUEvent>()
    /// Connections by remote address and by local ufrag (control plane: a new address).
    private var byAddress: [TransportAddress: SFUConnectionID] = [:]
    /// A direct-mapped cache in front of `byAddress` for the per-packet lookup (no dictionary
    /// hashing per datagram): slot by a mix of the port and address bits, verified on hit.
    @exclusivity(unchecked) private var addressCache = [(address: TransportAddress, id: SFUConnectionID)?](
        repeating: nil, count: SFURouter.addressCacheSize)
    static let addressCacheSize = 256
    private var byUfrag: [String: SFUConnectionID] = [:]
    /// The earliest deadline, recomputed only after something changed one.
    private var cachedTimeout: (Instant, SFUTimeoutReason)?
    private var timeoutDirty = true
    /// The next report (nil while nobody is in the router).
    private var nextReport: Instant?
    private var reportCount = 0
    private var currentSpeaker: [SFURoomID: SFUParticipantID] = [:]
    private var retiredDrops = ForwardingDrops()
    /// When a NACK generator next has something due (nil: none).
    private var nextNackService: Instant?
    /// Sees every decrypted packet received and every packet before it is protected (for
    /// `--capture`); nil costs one check per packet.
    public var tap: ((SFUConnectionID, UnsafeRawBufferPointer, SFUTapDirection) -> Void)? {
        didSet { hasTap = tap != nil }
    }
    private var hasTap = false
    /// Off only to measure routing and rewriting without the SRTP library (rtc-bench's
    /// `route` stage): forwarded packets then leave in the clear. Never off in a server.
    @_spi(Benchmark) public var protectsEgress = true

    public init(configuration: Configuration) {
        self.configuration = configuration
        self.hostAddresses = configuration.hostAddresses
        self.rng = SeededRandom(seed: configuration.seed)
        self.egress = EgressBuffer(slotSize: Self.maximumPacketSize + SRTPSession.rtcpTrailerRoom,
                                   slotCount: configuration.egressSlots)
    }

    deinit {
        egress.deallocate()
        retransmitScratch.deallocate()
    }

    // MARK: - Sans-IO verbs

    public func handle(_ input: SFUInput, now: Instant) {
        beginCall()
        switch input {
        case .datagram(let buffer, let length, let from, let local):
            receive(buffer, length: length, from: from, local: local, now: now)
        case .timeout:
            runTimers(now: now)
        }
    }

    /// The next datagram or event; nil when none. O(1).
    public func pollOutput() -> SFUOutput? {
        if let t = egress.pop() { return .transmit(t) }
        if let e = events.pop() { return .event(e) }
        return nil
    }

    /// The earliest deadline and why; nil when no timer runs. O(1) unless a deadline changed.
    public func nextTimeout() -> (Instant, SFUTimeoutReason)? {
        if timeoutDirty {
            cachedTimeout = computeTimeout()
            timeoutDirty = false
        }
        return cachedTimeout
    }

    // MARK: - Participants

    /// Adds a participant. `publisherCredentials` and `subscriberCredentials` are its two
    /// connections' ICE credentials, from a secure random source (RFC 8445 §5.3).
    public func addParticipant(room: SFURoomID, publisherCredentials: ICECredentials,
                               subscriberCredentials: ICECredentials, now: Instant) -> SFUParticipantID
    {
        beginCall()
        generation &+= 1
        let slot: Int
        if let s = freeSlots.popLast() { slot = s } else {
            slot = participants.count
            participants.append(nil)
        }
        let id = SFUParticipantID(slot: slot, generation: generation)
        participants[slot] = SFUParticipant(id: id, room: room, publisherCredentials: publisherCredentials,
                                            subscriberCredentials: subscriberCredentials,
                                            rtcpSSRC: randomSSRC())
        if nextReport == nil {
            nextReport = now + configuration.reportInterval
            timeoutDirty = true
        }
        // Everything already published in the room is offered to the newcomer.
        for other in participants.compactMap({ $0 }) where other.id != id && other.room == room {
            for t in other.tracks { participants[slot]?.addSection(for: t) }
        }
        renegotiateSubscriber(slot)
        return id
    }

    /// Removes a participant: its tracks from every subscriber (which get new offers), its
    /// subscriptions, its connections (closed with a DTLS close_notify).
    public func removeParticipant(_ id: SFUParticipantID, now: Instant) {
        beginCall()
        guard let p = participant(id) else { return }
        for t in p.tracks {
            events.push(.trackUnpublished(t.info))
            retiredDrops.add(t.publication.totalDrops)
            for i in participants.indices where i != id.slot {
                guard let q = participants[i] else { continue }
                // RTCP BYE (RFC 3550 §6.6) for the stream that ends, then its section goes.
                if let sub = q.sections.first(where: { $0.track === t })?.subscription, let c = q.subscriber,
                   sub.sendStatistics.packetsSent > 0 {
                    let bye = Goodbye(sources: [sub.outSSRC] + (sub.rtxSSRC.map { [$0] } ?? []))
                    sendRTCP(on: c) { w throws(WriteError) in try bye.write(to: &w) }
                }
                q.removeSection(for: t)
            }
        }
        for s in p.sections {
            if let t = s.track, let sub = s.subscription { t.publication.removeSubscription(slot: sub.slot, outSSRC: sub.outSSRC) }
        }
        for c in [p.publisher, p.subscriber].compactMap({ $0 }) {
            c.peer.close(now: now)
            drain(c, now: now)
            forget(c)
        }
        participants[id.slot] = nil
        freeSlots.append(id.slot)
        updateLayersWanted()
        if currentSpeaker[p.room] == id { currentSpeaker[p.room] = nil }
        if participants.allSatisfy({ $0 == nil }) { nextReport = nil }
        if !p.tracks.isEmpty {
            for i in participants.indices { renegotiateSubscriber(i) }
        }
        timeoutDirty = true
    }

    public var participantIDs: [SFUParticipantID] { participants.compactMap { $0?.id } }

    /// The tracks a participant publishes.
    public func tracks(of id: SFUParticipantID) -> [SFUTrackInfo] { participant(id)?.tracks.map(\.info) ?? [] }

    /// The publisher or subscriber connection of a participant (for stats and tests).
    public func connection(_ id: SFUConnectionID) -> PeerConnection? {
        guard let p = participant(id.participant) else { return nil }
        return id.role == .publisher ? p.publisher?.peer : p.subscriber?.peer
    }

    /// The subscription carrying `track` to `subscriber`, once it exists.
    public func subscription(of track: SFUTrackID, to subscriber: SFUParticipantID) -> Subscription? {
        participant(subscriber)?.sections.first { $0.track?.id == track }?.subscription
    }

    /// The publication of `track`.
    public func publication(of track: SFUTrackID) -> Publication? { findTrack(track)?.publication }

    // MARK: - Publishing

    /// Answers a publisher offer (`publish-offer`): the first one creates the publisher
    /// connection; a re-offer with the same fingerprint renegotiates it (new tracks; an ICE
    /// restart when its ufrag changed, answered with `restartCredentials`); a re-offer with a
    /// new fingerprint is a new peer connection (a reloaded page): the tracks stay, their
    /// subscribers re-sync on the new streams.
    public func publish(offer: SessionDescription, from id: SFUParticipantID,
                        restartCredentials: ICECredentials? = nil, now: Instant) throws(SFURouterError)
        -> SessionDescription
    {
        beginCall()
        guard let p = participant(id) else { throw SFURouterError(.unknownParticipant, "\(id)") }
        var options = SDPAnswerOptions(sessionID: "0")
        options.audioDirection = .recvonly
        options.videoDirection = .recvonly
        options.preferredSetup = .passive
        options.headerExtensions = configuration.publisherExtensions
        let offerFingerprints = Self.fingerprints(of: offer)
        let answer: SessionDescription
        let conn: SFUConnection
        if let existing = p.publisher, Set(existing.peer.remoteFingerprints) == Set(offerFingerprints) {
            do {
                answer = try existing.peer.answer(offer: offer, options: options,
                                                  restartCredentials: restartCredentials, now: now)
            } catch {
                throw SFURouterError(.badOffer, "\(error)")
            }
            conn = existing
            let ufrag = existing.peer.localCredentials.ufrag
            if !conn.ufrags.contains(ufrag) {
                conn.ufrags.append(ufrag)
                byUfrag[ufrag] = conn.id
            }
        } else {
            let credentials = p.publisher == nil ? p.publisherCredentials : (restartCredentials ?? p.publisherCredentials)
            let peer: PeerConnection
            do {
                (peer, answer) = try PeerConnection.answer(
                    offer: offer, configuration: peerConfiguration(credentials, p), options: options, now: now)
            } catch {
                throw SFURouterError(.badOffer, "\(error)")
            }
            if let old = p.publisher {
                old.peer.close(now: now)
                drain(old, now: now)
                forget(old)
                for t in p.tracks { t.publication.restartSubscriptions() }
                p.streams = IncomingStreamTable()
                p.keyframeThrottles.removeAll()
            }
            conn = SFUConnection(id: SFUConnectionID(participant: id, role: .publisher), peer: peer)
            p.publisher = conn
            conn.ufrags.append(credentials.ufrag)
            byUfrag[credentials.ufrag] = conn.id
        }
        guard let negotiated = conn.peer.negotiated else { throw SFURouterError(.badOffer, "not negotiated") }
        // Tracks: one per accepted m-section, kept across re-offers (same mid, same kind).
        var map = RTPExtensionMap()
        var newTracks: [SFUTrack] = []
        for m in negotiated.media where m.accepted {
            for e in m.extMaps {
                if let wire = SDPHeaderExtensionIDs.wireID(e.id) { map.register(uri: e.uri, id: wire) }
            }
        }
        for m in negotiated.media where m.accepted {
            guard let kind = TrackKind(rawValue: m.kind.token), let codec = m.codecs.first else { continue }
            for c in m.codecs {
                if let r = c.rtxPayloadType, r.rawValue < 128 {
                    p.isRTXPayloadType[Int(r.rawValue)] = true
                    p.rtxApt[Int(r.rawValue)] = c.payloadType.rawValue
                }
            }
            let rids = m.remoteRids.filter { $0.direction == .send }.map(\.id)
            for (media, rtx) in m.remoteRtxSsrcs { p.rtxForMedia[media] = rtx }
            let index: Int
            if let existing = p.tracks.firstIndex(where: { $0.publisherMid == m.mid && $0.kind == kind }) {
                index = existing
            } else {
                let trackID = SFUTrackID(rawValue: nextTrackID)
                nextTrackID &+= 1
                let layers = max(1, rids.count, m.remoteSimulcastSsrcs.count)
                let publication = Publication(id: trackID.rawValue, kind: kind, codec: Self.trackCodec(codec),
                                              layerCount: layers, sourceMap: map)
                let t = SFUTrack(id: trackID, publisher: id, kind: kind, publisherMid: m.mid, rids: rids,
                                 publication: publication, capability: Self.subscriberCapability(codec, kind: kind))
                p.tracks.append(t)
                newTracks.append(t)
                index = p.tracks.count - 1
            }
            if !p.streams.tracks.contains(where: { $0.mid == m.mid }) {
                p.streams.add(.init(mid: m.mid, rids: rids, ssrcs: m.remoteSsrcs, publication: index,
                                    layerSSRCs: m.remoteSimulcastSsrcs))
            }
        }
        for t in p.tracks { t.publication.sourceMap = map }
        drain(conn, now: now)
        for t in newTracks {
            events.push(.trackPublished(t.info))
            for i in participants.indices where i != id.slot && participants[i]?.room == p.room {
                participants[i]?.addSection(for: t)
            }
        }
        if !newTracks.isEmpty {
            for i in participants.indices where i != id.slot && participants[i]?.room == p.room {
                renegotiateSubscriber(i)
            }
        }
        timeoutDirty = true
        return answer
    }

    // MARK: - Subscribing

    /// Applies the answer to the outstanding subscriber offer (`subscribe-answer`) and starts
    /// forwarding to its sections once the connection is secure. An answer from a new peer
    /// connection (a new fingerprint: a reloaded page) gets a new connection.
    public func subscribeAnswer(_ answer: SessionDescription, from id: SFUParticipantID, now: Instant)
        throws(SFURouterError)
    {
        beginCall()
        guard let p = participant(id) else { throw SFURouterError(.unknownParticipant, "\(id)") }
        guard p.offerInFlight, let conn = p.subscriber, let offer = p.lastOffer else {
            throw SFURouterError(.noOfferOutstanding, "no subscriber offer waits for an answer")
        }
        let answerFingerprints = Self.fingerprints(of: answer)
        if conn.peer.negotiated != nil, Set(conn.peer.remoteFingerprints) != Set(answerFingerprints) {
            // A new peer connection answered: a fresh connection takes the same offer.
            let fresh = PeerConnection(configuration: peerConfiguration(p.subscriberCredentials, p))
            _ = fresh.createOffer(sections: p.offerSections)
            do { try fresh.setRemoteAnswer(answer, now: now) } catch {
                throw SFURouterError(.badAnswer, "\(error)")
            }
            conn.peer.close(now: now)
            drain(conn, now: now)
            forget(conn)
            for s in p.sections {
                if let t = s.track, let sub = s.subscription {
                    t.publication.removeSubscription(slot: sub.slot, outSSRC: sub.outSSRC)
                }
            }
            let c = SFUConnection(id: conn.id, peer: fresh)
            c.ufrags.append(p.subscriberCredentials.ufrag)
            byUfrag[p.subscriberCredentials.ufrag] = c.id
            p.subscriber = c
        } else {
            do { try conn.peer.setRemoteAnswer(answer, now: now) } catch {
                throw SFURouterError(.badAnswer, "\(error)")
            }
        }
        _ = offer
        p.offerInFlight = false
        var map = RTPExtensionMap()
        if let n = p.subscriber?.peer.negotiated {
            for m in n.media where m.accepted {
                for e in m.extMaps {
                    if let wire = SDPHeaderExtensionIDs.wireID(e.id) { map.register(uri: e.uri, id: wire) }
                }
            }
        }
        for s in p.sections {
            guard let sub = s.subscription else { continue }
            sub.destinationMap = map
            // RTX only when the subscriber's answer kept it for this section.
            let codec = p.subscriber?.peer.negotiated?.media.first { $0.mid == s.mid && $0.accepted }?.codecs.first
            if let rtxSSRC = sub.rtxSSRC, let pt = codec?.rtxPayloadType {
                if sub.rtx?.payloadType != pt {
                    sub.rtx = RTXPacketizer(ssrc: rtxSSRC, payloadType: pt,
                                            initialSequenceNumber: SequenceNumber(UInt16(truncatingIfNeeded: rng.next())))
                }
            } else {
                sub.rtx = nil
            }
        }
        if let c = p.subscriber {
            drain(c, now: now)
            if c.peer.isSecure { startSubscriptions(id.slot, now: now) }
        }
        if p.needsOffer { renegotiateSubscriber(id.slot) }
        timeoutDirty = true
    }

    /// Makes a new subscriber offer for `id` now, replacing one outstanding (a reconnected
    /// signaling channel lost it).
    public func renegotiate(_ id: SFUParticipantID) {
        beginCall()
        guard let p = participant(id) else { return }
        p.offerInFlight = false
        renegotiateSubscriber(id.slot)
    }

    /// Closes every connection (graceful shutdown) and removes every participant.
    public func removeAll(now: Instant) {
        for id in participantIDs { removeParticipant(id, now: now) }
    }

    /// Whether a subscriber offer waits for its answer, and whether another is queued behind it
    /// (one offer is outstanding at a time).
    public func subscriberOfferState(_ id: SFUParticipantID) -> (outstanding: Bool, queued: Bool)? {
        participant(id).map { ($0.offerInFlight, $0.needsOffer) }
    }

    /// The frame rate measured over the last second for each layer of a track (video).
    public func frameRates(of id: SFUTrackID) -> [Double] { findTrack(id)?.frameRates ?? [] }

    /// A published track, by id.
    public func trackInfo(_ id: SFUTrackID) -> SFUTrackInfo? { findTrack(id)?.info }

    /// Connections that exist (publisher and subscriber, every participant).
    public var connectionCount: Int {
        participants.reduce(0) { n, p in n + (p?.publisher == nil ? 0 : 1) + (p?.subscriber == nil ? 0 : 1) }
    }

    /// Every forwarding drop by reason, of live tracks and of tracks that are gone (totals
    /// never go backwards).
    public var forwardingDrops: ForwardingDrops {
        var total = retiredDrops
        for p in participants.compactMap({ $0 }) {
            for t in p.tracks { total.add(t.publication.totalDrops) }
        }
        return total
    }

    /// Per-stream figures, for metrics and dashboards (control plane: walks every stream).
    public struct StreamReport: Sendable, Hashable {
        public enum Direction: Sendable, Hashable { case received, sent }
        public let participant: SFUParticipantID
        public let track: SFUTrackID
        public let direction: Direction
        public let ssrc: SSRC
        /// Received streams: packets lost (RFC 3550 cumulative) and NACKs sent for them.
        public let packetsLost: Int64
        public let nacks: UInt64
        /// Sent streams: packets sent and resent (RTX), and the subscriber's round trip.
        public let packets: UInt64
        public let retransmissions: UInt64
        public let roundTripTime: Duration?
    }

    public func streamReports() -> [StreamReport] {
        var out: [StreamReport] = []
        for p in participants.compactMap({ $0 }) {
            for t in p.tracks {
                for layer in t.layerStatistics.indices {
                    guard let st = t.layerStatistics[layer] else { continue }
                    out.append(StreamReport(
                        participant: p.id, track: t.id, direction: .received, ssrc: st.ssrc,
                        packetsLost: Int64(st.cumulativeLost), nacks: UInt64(t.nackGenerators[layer]?.statistics.messagesSent ?? 0),
                        packets: st.packetsReceived, retransmissions: 0, roundTripTime: nil))
                }
            }
            for s in p.sections {
                guard let sub = s.subscription, let t = s.track else { continue }
                out.append(StreamReport(
                    participant: p.id, track: t.id, direction: .sent, ssrc: sub.outSSRC, packetsLost: 0,
                    nacks: sub.nacksReceived, packets: sub.sendStatistics.packetsSent,
                    retransmissions: sub.retransmissionsSent, roundTripTime: sub.roundTripTime))
            }
        }
        return out
    }

    /// The room of a participant.
    public func room(of id: SFUParticipantID) -> SFURoomID? { participant(id)?.room }

    /// `set-preferences`: the highest layer `subscriber` wants of `track`, or a pause.
    public func setPreferences(_ preferences: SFUTrackPreferences, track: SFUTrackID, for subscriber: SFUParticipantID,
                               now: Instant) throws(SFURouterError) {
        beginCall()
        guard let p = participant(subscriber) else { throw SFURouterError(.unknownParticipant, "\(subscriber)") }
        guard let i = p.sections.firstIndex(where: { $0.track?.id == track }) else {
            throw SFURouterError(.unknownTrack, "\(track) is not offered to \(subscriber)")
        }
        p.sections[i].preferences = preferences
        if let sub = p.sections[i].subscription, let t = p.sections[i].track {
            sub.preferredLayer = Self.preferredLayer(preferences, t)
            sub.maxTemporalLayer = Self.temporalLimit(preferences, sub, t)
            updateLayersWanted(t)
            sub.paused = preferences.paused || t.muted
        }
        serviceKeyframeRequests(now: now)
    }

    /// Dynacast: recomputes which layers of `t` anyone wants and tells the application when
    /// that changed.
    private func updateLayersWanted(_ t: SFUTrack) {
        guard t.kind == .video, t.publication.layerCount > 1 else { return }
        let prefs = t.publication.subscriptions.filter { !$0.paused }.map(\.preferredLayer)
        let wanted = SimulcastLayerPolicy.wantedLayers(layerCount: t.publication.layerCount, preferences: prefs)
        guard wanted != t.layersWanted else { return }
        t.layersWanted = wanted
        events.push(.layersWanted(t.info, wanted))
    }

    private func updateLayersWanted() {
        for p in participants.compactMap({ $0 }) { for t in p.tracks { updateLayersWanted(t) } }
    }

    /// The layer a subscription prefers: given, or the one that fits its view size.
    static func preferredLayer(_ prefs: SFUTrackPreferences, _ t: SFUTrack) -> Int? {
        if let l = prefs.maxLayer { return l }
        guard t.publication.layerCount > 1 else { return nil }
        return SimulcastLayerPolicy.layer(maxWidth: prefs.maxWidth, maxHeight: prefs.maxHeight,
                                          sizes: t.publication.layerSizes)
    }

    /// The temporal layer limit of a subscription: given, or from `maxFrameRate` and the
    /// measured frame rate of the layer it receives (before a measurement: all layers).
    static func temporalLimit(_ prefs: SFUTrackPreferences, _ sub: Subscription, _ t: SFUTrack) -> Int? {
        if let m = prefs.maxTemporalLayer { return m }
        guard t.codec == .vp8, let fps = prefs.maxFrameRate else { return nil }
        let layer = min(max(sub.currentLayer ?? 0, 0), t.frameRates.count - 1)
        return SimulcastLayerPolicy.temporalLayer(maxFps: fps, frameRate: t.frameRates[layer])
    }

    /// The host muted (or unmuted) a track: nothing of it is forwarded while muted.
    public func setMuted(_ muted: Bool, track: SFUTrackID, now: Instant) throws(SFURouterError) {
        beginCall()
        guard let t = findTrack(track) else { throw SFURouterError(.unknownTrack, "\(track)") }
        t.muted = muted
        for p in participants.compactMap({ $0 }) {
            for s in p.sections where s.track === t {
                s.subscription?.paused = muted || s.preferences.paused
            }
        }
        updateLayersWanted(t)
        if !muted, t.codec.needsKeyframeToStart {
            // Resuming mid-picture would not decode: ask for a keyframe for each subscription.
            for sub in t.publication.subscriptions { t.publication.requestKeyframe(forSubscriptionWithSSRC: sub.outSSRC) }
        }
        serviceKeyframeRequests(now: now)
    }

    // MARK: - Receive path

    private func receive(_ buffer: UnsafeMutableRawBufferPointer, length: Int, from: TransportAddress,
                         local: TransportAddress, now: Instant) {
        stats.datagramsIn &+= 1
        guard length > 0, length <= buffer.count else {
            stats.unknownSource &+= 1
            return
        }
        let id: SFUConnectionID
        let slot = Self.cacheSlot(from)
        if let hit = addressCache[slot], hit.address == from {
            id = hit.id
        } else if let known = byAddress[from] {
            id = known
            addressCache[slot] = (from, known)
        } else {
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<length])
            guard Demux.classify(bytes) == .stun, let m = try? STUNMessage(parsing: bytes),
                  let ufrag = m.iceReceiverUfrag, let found = byUfrag[String(decoding: ufrag, as: UTF8.self)],
                  let c = connectionObject(found) else {
                stats.unknownSource &+= 1
                return
            }
            id = found
            if c.addresses.count < SFUConnection.maximumAddresses {
                c.addresses.append(from)
                byAddress[from] = id
            }
        }
        guard let p = participant(id.participant),
              let c = id.role == .publisher ? p.publisher : p.subscriber else {
            stats.unknownSource &+= 1
            return
        }
        switch c.peer.handle(datagram: buffer, length: length, from: from, local: local, now: now) {
        case .rtp(let header, let values, let length):
            stats.rtpIn &+= 1
            if id.role == .publisher {
                forward(header, values, buffer: buffer, length: length, from: p, now: now)
            } else {
                stats.unroutable &+= 1
            }
        case .rtcp(let length):
            stats.rtcpIn &+= 1
            let packet = UnsafeRawBufferPointer(rebasing: buffer[0..<length])
            if let tap { tap(c.id, packet, .received) }
            if id.role == .subscriber { subscriberRTCP(packet, from: p, now: now) } else { publisherRTCP(packet, from: p, now: now) }
        case .handled:
            drain(c, now: now)
        case .dropped(let reason):
            if let i = PeerDropReason.allCases.firstIndex(of: reason) { stats.peerDrops[i] &+= 1 }
            drain(c, now: now)
        }
        // RTP and RTCP leave the transport's timers as they were (ICE and DTLS move only on
        // their own datagrams, which `.handled` drains): no deadline to look at per packet.
    }

    /// The forwarding hot path.
    private func forward(_ header: RTPHeader, _ values: RTPExtensionValues, buffer: UnsafeMutableRawBufferPointer,
                         length: Int, from p: SFUParticipant, now: Instant, isRetransmission: Bool = false) {
        let pt = Int(header.payloadType.rawValue)
        // RTX (RFC 4588): a retransmission is unwrapped and forwarded as the original it
        // repairs; padding-only probes are not forwarded.
        if pt < 128, p.isRTXPayloadType[pt] {
            stats.repairPackets &+= 1
            repair(header, values, buffer: buffer, length: length, from: p, now: now)
            return
        }
        guard pt < 128, let r = p.streams.resolve(header, values),
              r.publication >= 0, r.publication < p.tracks.count else {
            stats.unroutable &+= 1
            return
        }
        if r.isRepair {
            stats.repairPackets &+= 1
            return
        }
        let track = p.tracks[r.publication]
        let packet = UnsafeRawBufferPointer(rebasing: buffer[0..<length])
        if hasTap, let tap, let c = p.publisher { tap(c.id, packet, .received) }
        if r.layer >= 0, r.layer < track.layerStatistics.count {
            if track.layerStatistics[r.layer] == nil {
                track.layerStatistics[r.layer] = ReceiveStreamStatistics(ssrc: header.ssrc, clockRate: track.codec.clockRate)
                if track.kind == .video {
                    track.nackGenerators[r.layer] = NackGenerator(senderSSRC: p.rtcpSSRC, mediaSSRC: header.ssrc,
                                                                  configuration: configuration.nack)
                }
            }
            if !isRetransmission {
                track.layerStatistics[r.layer]?.handlePacket(header, now: now)
                if track.lastTimestamp[r.layer] != header.timestamp {
                    track.lastTimestamp[r.layer] = header.timestamp
                    track.framesInWindow[r.layer] &+= 1
                }
            }
            if track.kind == .video, protectsEgress, !track.publication.subscriptions.isEmpty {
                if track.histories[r.layer] == nil {
                    track.histories[r.layer] = PacketHistory(capacity: configuration.retransmissionPackets,
                                                             slotSize: Self.maximumPacketSize)
                }
                track.histories[r.layer]?.store(packet, sequence: header.sequenceNumber.rawValue, now: now)
            }
            if track.nackGenerators[r.layer] != nil {
                track.nackGenerators[r.layer]?.handlePacket(header.sequenceNumber, isRetransmission: isRetransmission, now: now)
                if let g = track.nackGenerators[r.layer], g.hasOutput || g.missingCount > 0 {
                    serviceNacks(p, track, layer: r.layer, now: now)
                }
            }
        }
        track.bytesInWindow &+= UInt64(length)
        if track.kind == .audio, let level = values.audioLevel, !track.muted {
            track.loudnessSum += Double(127 &- Int(level.level))
            track.loudnessCount &+= 1
        }
        if track.keyframeRequestPending, track.codec.needsKeyframeToStart, header.payloadLength > 0,
           track.codec.isKeyframeStart(header.payload(in: packet)) {
            keyframeArrived(p, ssrc: header.ssrc, now: now)
        }
        let egressLimit = Self.maximumPacketSize
        track.publication.forward(
            packet: packet, header: header, layer: r.layer, now: now,
            scratch: { self.egress.nextSlot().map { UnsafeMutableRawBufferPointer(rebasing: $0[0..<egressLimit]) } },
            emit: { sub, n in self.emit(sub, length: n, now: now, source: header.sequenceNumber.rawValue, layer: r.layer) })
        if track.publication.keyframeRequested || track.unresolvedKeyframeLayer != nil {
            requestKeyframe(track, from: p, now: now)
        }
    }

    /// Protects the copy written into the current egress slot and queues it.
    @inline(__always)
    private func emit(_ sub: Subscription, length: Int, now: Instant, source: UInt16, layer: Int) {
        guard let connection = sub.egressConnection else {
            stats.egressFailures &+= 1
            return
        }
        connection._withUnsafeGuaranteedRef { c in emit(sub, on: c, length: length, now: now, source: source, layer: layer) }
    }

    @inline(__always)
    private func emit(_ sub: Subscription, on c: SFUConnection, length: Int, now: Instant, source: UInt16, layer: Int) {
        guard let pair = c.pair, let transport = c.transport, let slot = egress.nextSlot() else {
            stats.egressFailures &+= 1
            return
        }
        if hasTap, let tap { tap(c.id, UnsafeRawBufferPointer(rebasing: slot[0..<length]), .sent) }
        guard protectsEgress else {
            egress.commit(length: length, connection: c.id, to: pair.remote, from: pair.local)
            stats.transmits &+= 1
            stats.transmittedBytes &+= UInt64(length)
            return
        }
        // The rewritten header is in the clear here: timestamp and payload size for reports.
        let ts = UInt32(slot[4]) << 24 | UInt32(slot[5]) << 16 | UInt32(slot[6]) << 8 | UInt32(slot[7])
        let headerLength = Self.headerLength(slot)
        sub.sendStatistics.handleSent(timestamp: ts, payloadLength: length &- headerLength, now: now)
        let pictureID = sub.isVP8 ? sub.lastPictureID : 0xFFFF
        let tl0 = sub.isVP8 ? sub.lastTL0PicIdx : 0xFFFF
        let protected = transport._withUnsafeGuaranteedRef { t in try? t.protectRTP(slot, length: length) }
        guard let n = protected else {
            stats.egressFailures &+= 1
            return
        }
        if sub.rtx != nil {
            // What was sent, by its sequence number: a NACK is answered with RTX written from
            // the layer's shared history (eight bytes here, not a copy).
            if sub.indexRef == nil { sub.index = RetransmissionIndex(capacity: configuration.retransmissionPackets) }
            let seq = UInt16(slot[2]) << 8 | UInt16(slot[3])
            sub.indexRef?._withUnsafeGuaranteedRef {
                $0.record(sequence: seq, sourceSequence: source, layer: layer, timestamp: ts, pictureID: pictureID,
                          tl0PicIdx: tl0)
            }
        }
        egress.commit(length: n, connection: c.id, to: pair.remote, from: pair.local)
        stats.transmits &+= 1
        stats.transmittedBytes &+= UInt64(n)
    }

    /// Bytes of an RTP header with its CSRCs and extension block (the packet was written by
    /// the router, so the fields are consistent).
    static func headerLength(_ p: UnsafeMutableRawBufferPointer) -> Int {
        guard p.count >= 12 else { return 0 }
        var n = 12 &+ 4 &* Int(p[0] & 0x0F)
        if p[0] & 0x10 != 0, n &+ 4 <= p.count { n &+= 4 &+ 4 &* (Int(p[n &+ 2]) << 8 | Int(p[n &+ 3])) }
        return n
    }

    /// RTCP from a subscriber: PLI/FIR ask the publisher of that subscription for a keyframe.
    private func subscriberRTCP(_ packet: UnsafeRawBufferPointer, from p: SFUParticipant, now: Instant) {
        var it = RTCPCompoundIterator(packet, paddingPolicy: .anyPacket)
        while let slice = try? it.next() {
            switch try? RTCPPacket.parse(slice) {
            case .pictureLossIndication(let pli):
                keyframeWanted(by: p, outSSRC: pli.mediaSSRC, now: now)
            case .fullIntraRequest(let fir):
                for e in fir.entries { keyframeWanted(by: p, outSSRC: e.ssrc, now: now) }
            case .transportLayerNack(let nack):
                retransmit(nack, to: p, now: now)
            case .receiverReport(let rr):
                for b in rr.reports { receptionReport(b, from: p, now: now) }
            case .senderReport(let sr):
                for b in sr.reports { receptionReport(b, from: p, now: now) }
            default:
                break
            }
        }
    }

    /// A subscriber's report block about one of its streams: the round-trip time.
    private func receptionReport(_ b: ReceptionReport, from p: SFUParticipant, now: Instant) {
        guard let sub = p.sections.first(where: { $0.subscription?.outSSRC == b.ssrc })?.subscription else { return }
        sub.sendStatistics.handle(receptionReport: b, now: now, clock: configuration.ntpClock)
    }

    /// A subscriber's NACK: each packet still in its layer's history is written again as the
    /// subscriber got it and sent as RTX (RFC 4588), at most once per half RTT.
    private func retransmit(_ nack: TransportLayerNack, to p: SFUParticipant, now: Instant) {
        guard let section = p.sections.first(where: { $0.subscription?.outSSRC == nack.mediaSSRC }),
              let sub = section.subscription, let t = section.track, let c = p.subscriber, let pair = c.pair,
              let transport = c.peer.transport else { return }
        sub.nacksReceived &+= 1
        stats.nacksReceived &+= 1
        guard let index = sub.index, sub.rtx != nil else { return }
        let minInterval = sub.roundTripTime.map { $0 / 2 } ?? .milliseconds(10)
        for seq in nack.lostSequenceNumbers {
            guard let e = index.take(seq.rawValue, now: now, minInterval: minInterval),
                  Int(e.layer) < t.histories.count,
                  let source = t.histories[Int(e.layer)]?.packet(e.sourceSequence, now: now),
                  let (h, _) = try? RTPHeader.parseForForwarding(source, map: t.publication.sourceMap),
                  let slot = egress.nextSlot() else { continue }
            // The packet as first sent (same sequence number, timestamp, extensions) into the
            // scratch buffer, then wrapped as RTX into the egress slot.
            let original = retransmitScratch
            let rewrite = RTPRewrite(ssrc: sub.outSSRC, sequenceNumber: seq, timestamp: e.timestamp,
                                     payloadType: sub.outPayloadType, mid: sub.mid, dropKinds: [.rid, .repairedRid],
                                     dropPadding: true)
            guard let w = try? rewrite.write(packet: source, header: h, sourceMap: t.publication.sourceMap,
                                             destinationMap: sub.destinationMap, into: original),
                  Self.restoreVP8(e, in: original, written: w),
                  let oh = try? RTPHeader.parse(UnsafeRawBufferPointer(rebasing: original[0..<w.length])),
                  let written = try? sub.rtx?.write(original: UnsafeRawBufferPointer(rebasing: original[0..<w.length]),
                                                    header: oh, extensionMap: sub.destinationMap,
                                                    into: UnsafeMutableRawBufferPointer(rebasing: slot[0..<Self.maximumPacketSize])),
                  let n = try? transport.protectRTP(slot, length: written.length) else { continue }
            egress.commit(length: n, connection: c.id, to: pair.remote, from: pair.local)
            sub.retransmissionsSent &+= 1
            stats.retransmissionsSent &+= 1
            stats.transmits &+= 1
            stats.transmittedBytes &+= UInt64(n)
        }
    }

    /// Puts back the VP8 picture ID and TL0PICIDX the packet first carried (true when there
    /// are none to restore or they were written).
    static func restoreVP8(_ e: RetransmissionIndex.Entry, in packet: UnsafeMutableRawBufferPointer,
                           written w: RTPWrittenPacket) -> Bool {
        guard e.pictureID != 0xFFFF || e.tl0PicIdx != 0xFFFF else { return true }
        let payload = UnsafeMutableRawBufferPointer(rebasing: packet[w.payloadOffset..<(w.payloadOffset &+ w.payloadLength)])
        return (try? VP8PayloadDescriptor.rewrite(
            payload, pictureID: e.pictureID == 0xFFFF ? nil : e.pictureID,
            tl0PicIdx: e.tl0PicIdx == 0xFFFF ? nil : UInt8(truncatingIfNeeded: e.tl0PicIdx))) != nil
    }

    /// RTCP from a publisher: its Sender Reports (for our reports' LSR/DLSR and the
    /// subscribers' lip sync).
    private func publisherRTCP(_ packet: UnsafeRawBufferPointer, from p: SFUParticipant, now: Instant) {
        var it = RTCPCompoundIterator(packet, paddingPolicy: .anyPacket)
        while let slice = try? it.next() {
            guard case .senderReport(let sr)? = try? RTCPPacket.parse(slice),
                  let e = p.streams.learnedStreams.first(where: { $0.ssrc == sr.ssrc.rawValue && !$0.resolved.isRepair }),
                  e.resolved.publication >= 0, e.resolved.publication < p.tracks.count else { continue }
            let t = p.tracks[e.resolved.publication]
            let layer = e.resolved.layer
            guard layer >= 0, layer < t.senderReports.count else { continue }
            t.senderReports[layer] = (sr.rtpTime, now)
            t.layerStatistics[layer]?.handle(senderReport: sr, now: now)
        }
    }

    // MARK: - Loss recovery towards publishers

    /// An RTX packet (RFC 4588 §4): finds the stream it repairs, rebuilds the original in
    /// place (primary payload type, original sequence number and SSRC, payload without the
    /// OSN) and forwards it as that packet.
    private func repair(_ header: RTPHeader, _ values: RTPExtensionValues, buffer: UnsafeMutableRawBufferPointer,
                        length: Int, from p: SFUParticipant, now: Instant) {
        let rtxSSRC = header.ssrc.rawValue
        var target: (track: Int, layer: Int)?
        if let known = p.rtxStreams.first(where: { $0.ssrc == rtxSSRC }) {
            target = (known.track, known.layer)
        } else if p.rtxStreams.count < IncomingStreamTable.maximumStreams {
            if let mid = values.mid, let ti = p.tracks.firstIndex(where: { $0.publisherMid == mid }) {
                let t = p.tracks[ti]
                if let rr = values.repairedRid { target = t.rids.firstIndex(of: rr).map { (ti, $0) } }
                else if t.rids.isEmpty { target = (ti, 0) }
            } else if let media = p.rtxForMedia.first(where: { $0.value.rawValue == rtxSSRC })?.key,
                      let e = p.streams.learnedStreams.first(where: { $0.ssrc == media.rawValue && !$0.resolved.isRepair }) {
                target = (e.resolved.publication, e.resolved.layer)
            }
            if let t = target { p.rtxStreams.append((rtxSSRC, t.track, t.layer)) }
        }
        guard let (ti, layer) = target,
              let media = p.streams.learnedStreams.first(where: {
                  $0.resolved.publication == ti && $0.resolved.layer == layer && !$0.resolved.isRepair
              })?.ssrc,
              ti >= 0, ti < p.tracks.count else { return }
        let payloadStart = header.payloadOffset
        let payloadLength = header.payloadLength
        // A padding-only bandwidth probe carries no OSN.
        guard payloadLength > RTXPacketizer.overhead, payloadStart >= RTPHeader.fixedLength,
              payloadStart &+ payloadLength <= length else { return }
        let pt = Int(header.payloadType.rawValue)
        let osn0 = buffer[payloadStart], osn1 = buffer[payloadStart &+ 1]
        let body = payloadLength &- RTXPacketizer.overhead
        // Original header: primary PT (marker kept), OSN, media SSRC; no padding.
        buffer[0] &= ~0x20
        buffer[1] = (buffer[1] & 0x80) | (p.rtxApt[pt] & 0x7F)
        buffer[2] = osn0
        buffer[3] = osn1
        buffer[8] = UInt8(truncatingIfNeeded: media >> 24)
        buffer[9] = UInt8(truncatingIfNeeded: media >> 16)
        buffer[10] = UInt8(truncatingIfNeeded: media >> 8)
        buffer[11] = UInt8(truncatingIfNeeded: media)
        // Shift the payload over the OSN (overlapping, front to back; RTX is rare).
        var k = 0
        while k < body {
            buffer[payloadStart &+ k] = buffer[payloadStart &+ k &+ RTXPacketizer.overhead]
            k &+= 1
        }
        let n = payloadStart &+ body
        guard let (h, v) = try? RTPHeader.parseForForwarding(UnsafeRawBufferPointer(rebasing: buffer[0..<n]),
                                                              map: p.tracks[ti].publication.sourceMap) else { return }
        stats.repairedPackets &+= 1
        forward(h, v, buffer: buffer, length: n, from: p, now: now, isRetransmission: true)
    }

    /// Sends what a NACK generator asks for (NACKs to the publisher, or a keyframe request
    /// when NACK cannot repair), and keeps the NACK timer.
    private func serviceNacks(_ p: SFUParticipant, _ t: SFUTrack, layer: Int, now: Instant) {
        guard layer >= 0, layer < t.nackGenerators.count else { return }
        while let o = t.nackGenerators[layer]?.pollOutput() {
            switch o {
            case .nack(let nack):
                sendRTCP(to: p, now: now) { w throws(WriteError) in try nack.write(to: &w) }
                stats.nacksSent &+= 1
            case .keyframeRequest:
                if let ssrc = t.nackGenerators[layer]?.mediaSSRC { requestKeyframe(ssrc: ssrc, of: p, now: now) }
            }
        }
        if let (due, _) = t.nackGenerators[layer]?.nextTimeout(), nextNackService.map({ due < $0 }) ?? true {
            nextNackService = due
            timeoutDirty = true
        }
    }

    /// Writes one RTCP packet (or compound) for `p`'s publisher connection, protects and
    /// queues it.
    private func sendRTCP(to p: SFUParticipant, now: Instant, _ body: (inout ByteWriter) throws(WriteError) -> Void) {
        guard let c = p.publisher else { return }
        sendRTCP(on: c, body)
    }

    private func sendRTCP(on c: SFUConnection, _ body: (inout ByteWriter) throws(WriteError) -> Void) {
        guard c.peer.isSecure, let pair = c.pair, let slot = egress.nextSlot() else {
            stats.egressOverflow &+= 1
            return
        }
        var w = ByteWriter(UnsafeMutableRawBufferPointer(rebasing: slot[0..<Self.maximumPacketSize]), format: .rtcp)
        guard (try? body(&w)) != nil else { return }
        if let tap { tap(c.id, UnsafeRawBufferPointer(rebasing: slot[0..<w.position]), .sent) }
        guard let n = try? c.peer.protectRTCP(slot, length: w.position) else { return }
        egress.commit(length: n, connection: c.id, to: pair.remote, from: pair.local)
        stats.transmits &+= 1
        stats.transmittedBytes &+= UInt64(n)
    }

    private func keyframeWanted(by p: SFUParticipant, outSSRC: SSRC, now: Instant) {
        guard let s = p.sections.first(where: { $0.subscription?.outSSRC == outSSRC }), let t = s.track,
              let owner = participant(t.publisher) else { return }
        t.publication.requestKeyframe(forSubscriptionWithSSRC: outSSRC)
        requestKeyframe(t, from: owner, now: now)
    }

    // MARK: - Keyframe requests

    /// Sends the publication's pending keyframe request through the throttle of that
    /// publisher stream (at most one per `keyframeRequestInterval`; a request inside the
    /// window is sent when it opens, unless a keyframe arrived first).
    private func requestKeyframe(_ t: SFUTrack, from p: SFUParticipant, now: Instant) {
        guard let layer = t.publication.takeKeyframeRequest() ?? t.unresolvedKeyframeLayer else { return }
        guard let index = p.tracks.firstIndex(where: { $0 === t }),
              let ssrc = p.streams.learnedStreams.first(where: {
                  $0.resolved.publication == index && $0.resolved.layer == layer && !$0.resolved.isRepair
              })?.ssrc else {
            // That layer's SSRC is not known yet: ask once its first packet arrives.
            t.unresolvedKeyframeLayer = layer
            return
        }
        t.unresolvedKeyframeLayer = nil
        t.keyframeRequestPending = true
        requestKeyframe(ssrc: SSRC(ssrc), of: p, now: now)
    }

    /// Asks the publisher stream `media` for a keyframe through its throttle.
    private func requestKeyframe(ssrc media: SSRC, of p: SFUParticipant, now: Instant) {
        for t in p.tracks where t.kind == .video { t.keyframeRequestPending = true }
        let i: Int
        if let existing = p.keyframeThrottles.firstIndex(where: { $0.mediaSSRC == media }) {
            i = existing
        } else {
            p.keyframeThrottles.append(KeyframeRequestThrottle(
                senderSSRC: p.rtcpSSRC, mediaSSRC: media, minInterval: configuration.keyframeRequestInterval))
            i = p.keyframeThrottles.count - 1
        }
        p.keyframeThrottles[i].request(now: now)
        sendKeyframeRequests(p, now: now)
    }

    private func keyframeArrived(_ p: SFUParticipant, ssrc: SSRC, now: Instant) {
        for i in p.keyframeThrottles.indices where p.keyframeThrottles[i].mediaSSRC == ssrc {
            p.keyframeThrottles[i].keyframeReceived(now: now)
        }
        for t in p.tracks { t.keyframeRequestPending = p.keyframeThrottles.contains { $0.isPending } }
        timeoutDirty = true
    }

    private func sendKeyframeRequests(_ p: SFUParticipant, now: Instant) {
        guard let c = p.publisher else { return }
        for i in p.keyframeThrottles.indices {
            while let request = p.keyframeThrottles[i].pollOutput() {
                guard c.peer.isSecure, let pair = c.peer.selectedPair, let slot = egress.nextSlot() else {
                    stats.egressOverflow &+= 1
                    continue
                }
                var w = ByteWriter(slot, format: .rtcp)
                let ok: Bool
                switch request {
                case .pli(let pli): ok = (try? pli.write(to: &w)) != nil
                case .fir(let fir): ok = (try? fir.write(to: &w)) != nil
                }
                guard ok else { continue }
                if let tap { tap(c.id, UnsafeRawBufferPointer(rebasing: slot[0..<w.position]), .sent) }
                guard let n = try? c.peer.protectRTCP(slot, length: w.position) else { continue }
                egress.commit(length: n, connection: c.id, to: pair.remote, from: pair.local)
                stats.keyframeRequestsSent &+= 1
                stats.transmits &+= 1
                stats.transmittedBytes &+= UInt64(n)
                events.push(.keyframeRequested(p.id, p.keyframeThrottles[i].mediaSSRC))
            }
        }
        timeoutDirty = true
    }

    /// After a preference or mute change: requests the publications now want.
    private func serviceKeyframeRequests(now: Instant) {
        for p in participants.compactMap({ $0 }) {
            for t in p.tracks where t.publication.keyframeRequested { requestKeyframe(t, from: p, now: now) }
        }
    }

    // MARK: - Subscriber offers

    /// Sends a new subscriber offer now, or after the answer to the one outstanding.
    private func renegotiateSubscriber(_ slot: Int) {
        guard slot >= 0, slot < participants.count, let p = participants[slot] else { return }
        guard !p.offerInFlight else {
            p.needsOffer = true
            return
        }
        guard !p.sections.isEmpty else { return }
        if p.subscriber == nil {
            let peer = PeerConnection(configuration: peerConfiguration(p.subscriberCredentials, p))
            let c = SFUConnection(id: SFUConnectionID(participant: p.id, role: .subscriber), peer: peer)
            c.ufrags.append(p.subscriberCredentials.ufrag)
            byUfrag[p.subscriberCredentials.ufrag] = c.id
            p.subscriber = c
        }
        guard let conn = p.subscriber else { return }
        var sections: [SDPOfferSection] = []
        var offered: [SFUOfferedTrack] = []
        for i in p.sections.indices {
            let s = p.sections[i]
            let kind: SDPMediaKind = s.kind == .audio ? .audio : .video
            guard let t = s.track else {
                sections.append(SDPOfferSection(mid: s.mid, kind: kind, direction: .inactive, disabled: true))
                continue
            }
            if s.subscription == nil {
                let sub = Subscription(slot: slot, outSSRC: randomSSRC(), outPayloadType: t.capability.payloadType,
                                       mid: s.mid, destinationMap: RTPExtensionMap(),
                                       clockRate: t.publication.codec.clockRate)
                sub.preferredLayer = Self.preferredLayer(s.preferences, t)
                sub.maxTemporalLayer = Self.temporalLimit(s.preferences, sub, t)
                sub.isVP8 = t.codec == .vp8
                if t.kind == .video, t.capability.rtx, t.capability.rtxPayloadType != nil { sub.rtxSSRC = randomSSRC() }
                p.sections[i].subscription = sub
            }
            guard let sub = p.sections[i].subscription else { continue }
            let cname = "\(t.publisher)"
            sections.append(SDPOfferSection(
                mid: s.mid, kind: kind, direction: .sendonly, codecs: [t.capability],
                headerExtensions: Self.subscriberExtMaps(kind),
                sendStream: SDPSendStream(ssrc: sub.outSSRC, rtxSsrc: sub.rtxSSRC, cname: cname,
                                          msid: SDPMsid(streamID: cname, trackID: "\(t.id)"))))
            offered.append(SFUOfferedTrack(track: t.id, publisher: t.publisher, kind: t.kind, mid: s.mid))
        }
        let offer = conn.peer.createOffer(sections: sections)
        p.offerSections = sections
        p.lastOffer = offer
        p.offerInFlight = true
        p.needsOffer = false
        events.push(.subscribeOffer(p.id, offer, offered))
    }

    /// Extensions on subscriber connections: what the router writes.
    static func subscriberExtMaps(_ kind: SDPMediaKind) -> [SDPExtMap] {
        switch kind {
        case .audio:
            return [SDPExtMap(id: 1, uri: SDPExtensionURI.audioLevel), SDPExtMap(id: 2, uri: SDPExtensionURI.absSendTime),
                    SDPExtMap(id: 4, uri: SDPExtensionURI.mid)]
        default:
            return [SDPExtMap(id: 2, uri: SDPExtensionURI.absSendTime), SDPExtMap(id: 4, uri: SDPExtensionURI.mid)]
        }
    }

    /// Adds every section's subscription to its publication once the subscriber connection is
    /// secure; each waits for a keyframe, which is requested from the publisher.
    private func startSubscriptions(_ slot: Int, now: Instant) {
        guard slot >= 0, slot < participants.count, let p = participants[slot] else { return }
        for s in p.sections {
            guard let t = s.track, let sub = s.subscription,
                  !t.publication.subscriptions.contains(where: { $0 === sub }) else { continue }
            sub.paused = t.muted || s.preferences.paused
            sub.egressConnection = p.subscriber.map { Unmanaged.passUnretained($0) }
            t.publication.add(sub)
            updateLayersWanted(t)
            if let owner = participant(t.publisher) { requestKeyframe(t, from: owner, now: now) }
        }
    }

    // MARK: - Connections, outputs and timers

    /// Moves a connection's queued transmits into the egress buffer and handles its events.
    private func drain(_ c: SFUConnection, now: Instant) {
        while let o = c.peer.pollOutput() {
            switch o {
            case .transmit(let bytes, let to, let from):
                let ok = bytes.withUnsafeBytes { egress.push($0, connection: c.id, to: to, from: from) }
                if ok {
                    stats.transmits &+= 1
                    stats.transmittedBytes &+= UInt64(bytes.count)
                } else {
                    stats.egressOverflow &+= 1
                }
            case .event(let e):
                if case .stateChanged(let s) = e {
                    events.push(.connectionStateChanged(c.id, s))
                    if c.id.role == .subscriber, s == .closed || Self.isFailed(s), let p = participant(c.id.participant) {
                        // Nothing can reach it: stop forwarding (it resumes if it connects again).
                        for sec in p.sections {
                            if let t = sec.track, let sub = sec.subscription {
                                t.publication.removeSubscription(slot: sub.slot, outSSRC: sub.outSSRC)
                                updateLayersWanted(t)
                            }
                        }
                    }
                    if s == .connected, c.id.role == .subscriber { startSubscriptions(c.id.participant.slot, now: now) }
                    if s == .connected, c.id.role == .publisher, let p = participant(c.id.participant) {
                        sendKeyframeRequests(p, now: now)
                    }
                }
            }
        }
        c.pair = c.peer.selectedPair
        if c.transport == nil { c.transport = c.peer.transport.map { Unmanaged.passUnretained($0) } }
        noteDeadline(c)
    }

    private func noteDeadline(_ c: SFUConnection) {
        let d = c.peer.nextTimeout()?.0
        if d != c.deadline {
            c.deadline = d
            timeoutDirty = true
        }
    }

    private func runTimers(now: Instant) {
        for p in participants.compactMap({ $0 }) {
            for c in [p.publisher, p.subscriber].compactMap({ $0 }) {
                if let (t, _) = c.peer.nextTimeout(), t <= now {
                    c.peer.handleTimeout(now: now)
                    drain(c, now: now)
                }
            }
            var due = false
            for i in p.keyframeThrottles.indices {
                if let (t, _) = p.keyframeThrottles[i].nextTimeout(), t <= now {
                    p.keyframeThrottles[i].handleTimeout(now: now)
                    due = true
                }
            }
            if due { sendKeyframeRequests(p, now: now) }
        }
        if let due = nextNackService, now >= due {
            nextNackService = nil
            for p in participants.compactMap({ $0 }) {
                for t in p.tracks where t.kind == .video {
                    for layer in t.nackGenerators.indices where t.nackGenerators[layer] != nil {
                        t.nackGenerators[layer]?.handleTimeout(now: now)
                        serviceNacks(p, t, layer: layer, now: now)
                    }
                }
            }
        }
        if let r = nextReport, now >= r {
            report(now: now)
            nextReport = now + configuration.reportInterval
        }
        timeoutDirty = true
    }

    // MARK: - Reports

    /// Each interval: the active speaker of each room; every other one: each publisher's
    /// quality, and the REMB allowance to video publishers.
    private func report(now: Instant) {
        reportCount &+= 1
        var rooms: [SFURoomID: [(id: SFUParticipantID, mean: Double?)]] = [:]
        for p in participants.compactMap({ $0 }) {
            var sum = 0.0, count = 0
            for t in p.tracks where t.kind == .audio {
                sum += t.loudnessSum
                count += t.loudnessCount
                t.loudnessSum = 0
                t.loudnessCount = 0
            }
            rooms[p.room, default: []].append((p.id, count > 0 ? sum / Double(count) : nil))
        }
        for (room, loudness) in rooms.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            if let speaker = ActiveSpeakerPolicy.select(loudness, current: currentSpeaker[room]) {
                currentSpeaker[room] = speaker
                events.push(.activeSpeaker(room, speaker))
            }
        }
        guard reportCount % 2 == 0 else { return }
        updateLayersWanted()
        let window = Double((configuration.reportInterval * 2).rtcNanoseconds) / 1e9
        for p in participants.compactMap({ $0 }) {
            for t in p.tracks where t.kind == .video {
                for l in t.framesInWindow.indices {
                    t.frameRates[l] = Double(t.framesInWindow[l]) / window
                    t.framesInWindow[l] = 0
                }
            }
        }
        for p in participants.compactMap({ $0 }) {
            // The publisher's RTT is the same client's, as measured on its subscriber
            // connection (the router sends it no media to get Receiver Reports about).
            let rtts = p.sections.compactMap { $0.subscription?.roundTripTime }
            if let worst = rtts.max() {
                for t in p.tracks {
                    for l in t.nackGenerators.indices where t.nackGenerators[l] != nil {
                        t.nackGenerators[l]?.roundTripTime = worst
                    }
                }
            }
        }
        for p in participants.compactMap({ $0 }) {
            sendSenderReports(to: p, now: now)
            for s in p.sections {
                guard let sub = s.subscription, let t = s.track else { continue }
                // Keyframes may have told new layer sizes, and frame rates were measured.
                if s.preferences.maxLayer == nil { sub.preferredLayer = Self.preferredLayer(s.preferences, t) }
                if s.preferences.maxFrameRate != nil { sub.maxTemporalLayer = Self.temporalLimit(s.preferences, sub, t) }
            }
        }
        let seconds = Double((configuration.reportInterval * 2).rtcNanoseconds) / 1e9
        for p in participants.compactMap({ $0 }) {
            guard let c = p.publisher, c.peer.isSecure else { continue }
            var loss = 0.0, any = false
            var bytes: UInt64 = 0
            var blocks: [ReceptionReport] = []
            for t in p.tracks {
                bytes &+= t.bytesInWindow
                t.bytesInWindow = 0
                for i in t.layerStatistics.indices {
                    if let rr = t.layerStatistics[i]?.receptionReport(now: now) {
                        any = true
                        loss = max(loss, Double(rr.fractionLost) * 100 / 256)
                        blocks.append(rr)
                    }
                }
            }
            if !blocks.isEmpty {
                // Receiver Reports (RFC 3550 §6.4.2) with real loss, jitter, LSR and DLSR.
                let rr = ReceiverReport(ssrc: p.rtcpSSRC, reports: Array(blocks.prefix(31)))
                sendRTCP(on: c) { w throws(WriteError) in try rr.write(to: &w) }
            }
            if let bitrate = configuration.publisherBitrate, p.tracks.contains(where: { $0.kind == .video }) {
                sendREMB(p, bitrate: bitrate)
            }
            // Only publishers that sent media in this window are reported.
            guard any, bytes > 0 else { continue }
            events.push(.quality(SFUQualityReport(
                participant: p.id, score: QualityScore.score(lossPercent: loss),
                lossPercent: (loss * 10).rounded() / 10,
                bitrateKbps: (Double(bytes) * 8 / 1000 / seconds).rounded())))
        }
    }

    /// A Sender Report (RFC 3550 §6.4.1) with SDES CNAME for every stream `p` receives. The
    /// NTP↔RTP mapping follows the publisher's own Sender Report translated by the
    /// subscription's timestamp offset (so audio and video of one publisher stay in sync
    /// across layer switches and publisher restarts); before the publisher's first report, it
    /// follows the last packet sent.
    private func sendSenderReports(to p: SFUParticipant, now: Instant) {
        guard let c = p.subscriber, c.peer.isSecure else { return }
        let clock = configuration.ntpClock
        for s in p.sections {
            guard let sub = s.subscription, let t = s.track, sub.sendStatistics.packetsSent > 0 else { continue }
            var rtp = sub.sendStatistics.rtpTimestamp(at: now)
            if let layer = sub.currentLayer, layer >= 0, layer < t.senderReports.count, let sr = t.senderReports[layer] {
                let ticks = RTPTicks.ticks(now - sr.at, clockRate: t.codec.clockRate)
                rtp = sr.rtp &+ sub.timestampOffset &+ UInt32(truncatingIfNeeded: ticks)
            }
            guard let rtpTime = rtp else { continue }
            let sr = SenderReport(ssrc: sub.outSSRC, ntpTime: clock.ntpTime(at: now), rtpTime: rtpTime,
                                  packetCount: UInt32(truncatingIfNeeded: sub.sendStatistics.packetsSent),
                                  octetCount: UInt32(truncatingIfNeeded: sub.sendStatistics.payloadBytesSent))
            let sdes = SourceDescription(source: sub.outSSRC, cname: "\(t.publisher)")
            sendRTCP(on: c) { w throws(WriteError) in
                try sr.write(to: &w)
                try sdes.write(to: &w)
            }
        }
    }

    /// REMB (draft-alvestrand-rmcat-remb) with the publisher's media SSRCs.
    private func sendREMB(_ p: SFUParticipant, bitrate: UInt64) {
        let ssrcs = p.streams.learnedStreams.filter { !$0.resolved.isRepair }.map { SSRC($0.ssrc) }
        guard !ssrcs.isEmpty, let c = p.publisher, c.peer.isSecure, let pair = c.peer.selectedPair,
              let slot = egress.nextSlot() else { return }
        let remb = ReceiverEstimatedMaximumBitrate(senderSSRC: p.rtcpSSRC, bitrate: bitrate, ssrcs: ssrcs)
        var w = ByteWriter(slot, format: .rtcp)
        guard (try? remb.write(to: &w)) != nil else { return }
        if let tap { tap(c.id, UnsafeRawBufferPointer(rebasing: slot[0..<w.position]), .sent) }
        guard let n = try? c.peer.protectRTCP(slot, length: w.position) else { return }
        egress.commit(length: n, connection: c.id, to: pair.remote, from: pair.local)
        stats.transmits &+= 1
        stats.transmittedBytes &+= UInt64(n)
    }

    private func computeTimeout() -> (Instant, SFUTimeoutReason)? {
        var best: (Instant, SFUTimeoutReason)? = nextReport.map { ($0, .report) }
        if let n = nextNackService, best.map({ n < $0.0 }) ?? true { best = (n, .nack) }
        for p in participants.compactMap({ $0 }) {
            for c in [p.publisher, p.subscriber].compactMap({ $0 }) {
                if let (t, r) = c.peer.nextTimeout(), best.map({ t < $0.0 }) ?? true { best = (t, .peer(c.id, r)) }
            }
            for k in p.keyframeThrottles {
                if let (t, _) = k.nextTimeout(), best.map({ t < $0.0 }) ?? true { best = (t, .keyframeRequest(p.id)) }
            }
        }
        return best
    }

    /// Starts a call: once the caller drained every datagram, their slots are reused.
    /// Datagrams not polled yet are kept (and more queue behind them until the slots run out,
    /// which is counted as `egressOverflow`).
    private func beginCall() {
        if egress.isEmpty { _ = egress.reset() }
    }

    static func isFailed(_ s: PeerTransportState) -> Bool {
        if case .failed = s { return true }
        return false
    }

    @inline(__always)
    static func cacheSlot(_ a: TransportAddress) -> Int {
        var h = UInt32(a.port)
        switch a.ip {
        case .v4(let v): h ^= v ^ (v >> 16)
        case .v6(let hi, let lo): h ^= UInt32(truncatingIfNeeded: lo ^ (lo >> 32) ^ hi)
        }
        h = h &* 0x9E37_79B1
        return Int(h >> 24) & (addressCacheSize - 1)
    }

    private func forget(_ c: SFUConnection) {
        for u in c.ufrags where byUfrag[u] == c.id { byUfrag[u] = nil }
        for a in c.addresses where byAddress[a] == c.id {
            byAddress[a] = nil
            let slot = Self.cacheSlot(a)
            if addressCache[slot]?.address == a { addressCache[slot] = nil }
        }
        c.ufrags.removeAll()
        c.addresses.removeAll()
    }

    // MARK: - Helpers

    func participant(_ id: SFUParticipantID) -> SFUParticipant? {
        guard id.slot >= 0, id.slot < participants.count, let p = participants[id.slot], p.id == id else { return nil }
        return p
    }

    private func connectionObject(_ id: SFUConnectionID) -> SFUConnection? {
        guard let p = participant(id.participant) else { return nil }
        return id.role == .publisher ? p.publisher : p.subscriber
    }

    private func findTrack(_ id: SFUTrackID) -> SFUTrack? {
        for p in participants.compactMap({ $0 }) {
            if let t = p.tracks.first(where: { $0.id == id }) { return t }
        }
        return nil
    }

    private func randomSSRC() -> SSRC { SSRC(UInt32(truncatingIfNeeded: rng.next()) | 1) }

    private func peerConfiguration(_ credentials: ICECredentials, _ p: SFUParticipant) -> PeerConnection.Configuration {
        let ice = ICELiteAgent.Configuration(localCredentials: credentials, hostAddresses: hostAddresses)
        return PeerConnection.Configuration(ice: .lite(ice), certificate: configuration.certificate,
                                            dtls: DTLSConfiguration(), sessionID: String(p.rtcpSSRC.rawValue))
    }

    static func fingerprints(of d: SessionDescription) -> [DTLSFingerprint] {
        if let m = d.media.first, !m.fingerprints.isEmpty { return m.fingerprints }
        return d.fingerprints
    }

    static func trackCodec(_ c: NegotiatedCodec) -> TrackCodec {
        switch c.type {
        case .opus: return .opus
        case .vp8: return .vp8
        case .vp9: return .vp9
        case .h264: return .h264
        case .av1: return .av1
        default: return .other(clockRate: c.clockRate)
        }
    }

    /// The codec line subscriber offers carry: the router's capability with the publisher's
    /// fmtp (e.g. the H.264 profile it sends).
    static func subscriberCapability(_ c: NegotiatedCodec, kind: TrackKind) -> SDPCodecCapability {
        var cap: SDPCodecCapability
        switch c.type {
        case .opus: cap = .opus
        case .vp8: cap = .vp8
        case .vp9: cap = .vp9
        case .h264: cap = .h264
        case .av1: cap = .av1
        default:
            cap = SDPCodecCapability(kind: kind == .audio ? .audio : .video, encodingName: c.encodingName,
                                     clockRate: c.clockRate, channels: c.channels, payloadType: c.payloadType)
        }
        if !c.parameters.isEmpty { cap.parameters = c.parameters }
        return cap
    }
}
