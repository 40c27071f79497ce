/// Publishing, subscribing and subscriber offers: the router's signaling API.
extension SFURouter {
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
        let offerFingerprints = offer.media.first.map { offer.fingerprints(for: $0) } ?? offer.fingerprints
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
        guard let negotiated = conn.peer.negotiated, let transport = conn.peer.transport else {
            throw SFURouterError(.badOffer, "not negotiated")
        }
        // The publisher's extension IDs, as its transport parses them.
        let map = transport.inboundExtensionMap
        // Tracks: one per accepted m-section, kept across re-offers (same mid, same kind).
        var newTracks: [SFUTrack] = []
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
                // What the offer declares per layer (rid restrictions, imageattr, framerate)
                // stands until keyframes and timestamps measure it.
                if kind == .video, let section = offer.media.first(where: { $0.mid == m.mid }) {
                    let declared = section.declaredSendLayers
                    for (layer, d) in declared.enumerated() where layer < layers {
                        let l = d.rid.flatMap { r in rids.firstIndex(of: r) } ?? layer
                        if let w = d.maxWidth, let h = d.maxHeight { publication.declareSize(layer: l, width: w, height: h) }
                        if let fps = d.maxFrameRate, l < t.layers.count { t.layers[l].frameRate = fps }
                    }
                }
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
        guard p.offerInFlight, let conn = p.subscriber else {
            throw SFURouterError(.noOfferOutstanding, "no subscriber offer waits for an answer")
        }
        let answerFingerprints = answer.media.first.map { answer.fingerprints(for: $0) } ?? answer.fingerprints
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
        p.offerInFlight = false
        // The negotiated extension IDs (the transport's map is built from the same answer).
        let map = p.subscriber?.peer.transport?.inboundExtensionMap ?? RTPExtensionMap()
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
    /// A track's layer sizes, lowest first (declared by its SDP, then measured from
    /// keyframes); nil where unknown.
    public func layerSizes(of id: SFUTrackID) -> [(width: Int, height: Int)?] { findTrack(id)?.publication.layerSizes ?? [] }

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
                for layer in t.layers.indices {
                    guard let st = t.layers[layer].statistics else { continue }
                    out.append(StreamReport(
                        participant: p.id, track: t.id, direction: .received, ssrc: st.ssrc,
                        packetsLost: Int64(st.cumulativeLost), nacks: UInt64(t.layers[layer].nack?.statistics.messagesSent ?? 0),
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

    /// What `subscriber` last asked of `track` (nil: the track is not offered to it).
    public func preferences(of track: SFUTrackID, for subscriber: SFUParticipantID) -> SFUTrackPreferences? {
        participant(subscriber)?.sections.first { $0.track?.id == track }?.preferences
    }

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
            Self.apply(preferences, to: sub, of: t)
            sub.paused = preferences.paused || t.muted
            updateLayersWanted(t)
        }
        serviceKeyframeRequests(now: now)
    }

    /// Dynacast: recomputes which layers of `t` anyone wants and tells the application when
    /// that changed.
    func updateLayersWanted(_ t: SFUTrack) {
        guard t.kind == .video, t.publication.layerCount > 1 else { return }
        let prefs = t.publication.subscriptions.filter { !$0.paused }.map(\.preferredLayer)
        let wanted = SimulcastLayerPolicy.wantedLayers(layerCount: t.publication.layerCount, preferences: prefs)
        guard wanted != t.layersWanted else { return }
        t.layersWanted = wanted
        events.push(.layersWanted(t.info, wanted))
    }

    func updateLayersWanted() {
        for p in participants.compactMap({ $0 }) { for t in p.tracks { updateLayersWanted(t) } }
    }

    /// The layer a subscription prefers: given, or the one that fits its view size.
    /// A subscriber's preferences as the subscription's layer choices: the simulcast layer,
    /// the VP8 temporal limit, and the SVC spatial and temporal target.
    static func apply(_ prefs: SFUTrackPreferences, to sub: Subscription, of t: SFUTrack) {
        sub.preferredLayer = preferredLayer(prefs, t)
        sub.maxTemporalLayer = temporalLimit(prefs, sub, t)
        let target = svcTarget(prefs, sub, t)
        if target != sub.svc.target { sub.svc.setTarget(target) }
    }

    /// A track's layer sizes became known or changed: view-size preferences map to layers
    /// anew.
    func layerSizesChanged(_ t: SFUTrack) {
        _ = t.publication.takeSizesChanged()
        for p in participants.compactMap({ $0 }) {
            for s in p.sections where s.track === t {
                if let sub = s.subscription { Self.apply(s.preferences, to: sub, of: t) }
            }
        }
        updateLayersWanted(t)
    }

    /// The SVC target of a subscription (VP9, AV1): the spatial layer from the view size and
    /// the stream's spatial layer sizes (or `maxLayer`), the temporal layer from `maxFps` and
    /// the measured frame rate (or `maxTemporalLayer`); the highest where nothing limits.
    static func svcTarget(_ prefs: SFUTrackPreferences, _ sub: Subscription, _ t: SFUTrack) -> SVCLayers {
        let pub = t.publication
        var spatial = SVCLayers.highest.spatial
        if pub.layerCount == 1, !pub.spatialSizes.isEmpty {
            if let l = prefs.maxLayer {
                spatial = max(0, l)
            } else if let l = SimulcastLayerPolicy.layer(maxWidth: prefs.maxWidth, maxHeight: prefs.maxHeight,
                                                         sizes: pub.spatialSizes) {
                spatial = l
            }
        }
        var temporal = SVCLayers.highest.temporal
        if let m = prefs.maxTemporalLayer {
            temporal = max(0, m)
        } else {
            let layer = min(max(sub.currentLayer ?? 0, 0), t.layers.count - 1)
            if let tl = SimulcastLayerPolicy.temporalLayer(maxFps: prefs.maxFrameRate, frameRate: t.layers[layer].frameRate,
                                                           temporalLayers: pub.temporalLayerCount) {
                temporal = tl
            }
        }
        return SVCLayers(spatial: spatial, temporal: temporal)
    }

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
        let layer = min(max(sub.currentLayer ?? 0, 0), t.layers.count - 1)
        return SimulcastLayerPolicy.temporalLayer(maxFps: fps, frameRate: t.layers[layer].frameRate)
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

    // MARK: - Subscriber offers

    /// Sends a new subscriber offer now, or after the answer to the one outstanding.
    func renegotiateSubscriber(_ slot: Int) {
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
                Self.apply(s.preferences, to: sub, of: t)
                if t.kind == .video, t.capability.rtx, t.capability.rtxPayloadType != nil { sub.rtxSSRC = randomSSRC() }
                sub.answersNacks = t.kind == .video
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
            // The dependency descriptor is forwarded as the publisher sent it: an AV1 (or VP9)
            // SVC receiver needs it to know each frame's layers and references.
            return [SDPExtMap(id: 2, uri: SDPExtensionURI.absSendTime), SDPExtMap(id: 4, uri: SDPExtensionURI.mid),
                    SDPExtMap(id: 12, uri: SDPExtensionURI.dependencyDescriptor)]
        }
    }

    /// Adds every section's subscription to its publication once the subscriber connection is
    /// secure; each waits for a keyframe, which is requested from the publisher.
    func startSubscriptions(_ slot: Int, now: Instant) {
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
}
