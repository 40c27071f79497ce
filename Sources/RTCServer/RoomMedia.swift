import Foundation
import NIOCore
import RTCCore

/// Publishing, subscribing and renegotiation (docs/PROTOCOL.md), on the media loop.
extension RoomRegistry {
    // MARK: Publishing

    /// `publish-offer`: answer as ICE-lite DTLS server, (re)create the publisher transport,
    /// and publish its tracks to everyone else. A re-offer (reconnection, ICE restart) keeps
    /// the tracks — and so every subscriber's stream — and replaces only the transport.
    func handlePublishOffer(_ sdp: String, from p: Participant, in room: Room) throws(SignalingError) {
        let offer: SessionDescription
        do { offer = try SessionDescription.parse(sdp) } catch {
            throw SignalingError(.badSDP, "offer does not parse: \(error)")
        }
        let media = p.media
        var rng = SystemRandomNumberGenerator()
        // The same DTLS identity keeps its transport: a new ufrag is an ICE restart (keep DTLS
        // and SRTP, as browsers do), the same ufrag a plain renegotiation (new tracks).
        let first = offer.media.first
        let offerUfrag = first?.iceUfrag ?? offer.iceUfrag
        let offerFingerprints = ((first?.fingerprints).flatMap { $0.isEmpty ? nil : $0 } ?? offer.fingerprints)

        let previous = media.publisherRemote
        let sameIdentity = media.publisher != nil && previous?.fingerprints == offerFingerprints
        let renegotiation = sameIdentity && previous?.ufrag == offerUfrag
        let credentials = renegotiation ? (media.publisherCredentials ?? ICECredentials.random(using: &rng))
            : ICECredentials.random(using: &rng)
        let hosts = engine.hostAddresses
        var options = SDPAnswerOptions(sessionID: String(UInt64.random(in: 1...UInt64(Int64.max), using: &rng)))
        options.audioDirection = .recvonly
        options.videoDirection = .recvonly
        options.preferredSetup = .passive
        // No transport-wide-cc until the server sends TWCC feedback: the publisher's bandwidth
        // estimate then follows the server's REMB.
        options.headerExtensions = SDPHeaderExtensionIDs.routerURIs.filter { $0 != SDPExtensionURI.transportWideCC }
        let local = engine.localTransport(credentials: credentials, hosts: hosts)
        let answer: SessionDescription
        let negotiated: NegotiatedSession
        do {
            (answer, negotiated) = try SDPNegotiator.answer(to: offer, local: local, options: options)
        } catch {
            throw SignalingError(.badSDP, "offer cannot be answered: \(error)")
        }
        let remoteFingerprints = negotiated.remoteFingerprints
        let now = MediaEngine.now()
        let transport: PeerTransport
        if sameIdentity, let existing = media.publisher {
            transport = existing.transport
            if !renegotiation {
                transport.restartICE(localCredentials: credentials, now: now)
                engine.addUfrag(credentials.ufrag, to: existing)
            }
        } else {
            let role: DTLSRole = negotiated.isDTLSClient ? .client : .server
            do {
                transport = try PeerTransport(
                    ice: .lite(ICELiteAgent.Configuration(localCredentials: credentials, hostAddresses: hosts)),
                    dtlsRole: role, certificate: engine.certificate, remoteFingerprints: remoteFingerprints,
                    dtlsConfiguration: MediaEngine.dtlsConfiguration(role: role), now: now)
            } catch {
                throw SignalingError(.internal, "transport setup failed")
            }
        }
        media.publisherRemote = (negotiated.remoteIceUfrag, remoteFingerprints)
        media.publisherCredentials = credentials
        var map = RTPExtensionMap()
        var streams = IncomingStreamTable()
        var rtx: Set<UInt8> = []
        var newTracks: [PublishedTrack] = []
        for m in negotiated.media where m.accepted {
            guard let kind = TrackKind(rawValue: m.kind.token), let codec = m.codecs.first else { continue }
            for e in m.extMaps where e.id >= 1 && e.id <= 255 { map.register(uri: e.uri, id: UInt8(e.id)) }
            for c in m.codecs { if let r = c.rtxPayloadType { rtx.insert(r.rawValue) } }
            let rids = m.remoteRids.filter { $0.direction == .send }.map(\.id)
            let index: Int
            if let existing = media.tracks.firstIndex(where: { $0.mid == m.mid && $0.kind == kind }) {
                index = existing
            } else {
                let trackCodec = Self.trackCodec(codec)
                let capability = Self.subscriberCapability(codec, kind: kind)
                let publication = Publication(id: nextPublicationID(), kind: kind, codec: trackCodec,
                                              layerCount: max(1, rids.count), sourceMap: map)
                let t = PublishedTrack(trackID: "t-" + randomID(8), participantID: p.id, kind: kind, mid: m.mid,
                                       publication: publication, capability: capability)
                media.tracks.append(t)
                index = media.tracks.count - 1
                newTracks.append(t)
            }
            streams.add(.init(mid: m.mid, rids: rids, ssrcs: m.remoteSsrcs, publication: index))
        }
        for t in media.tracks { t.publication.sourceMap = map }
        transport.inboundExtensionMap = map
        if sameIdentity, let existing = media.publisher {
            for t in streams.tracks where !media.streams.tracks.contains(where: { $0.mid == t.mid }) {
                media.streams.add(t)
            }
            media.rtxPayloadTypes.formUnion(rtx)
            while media.loss.count < media.tracks.count * 4 { media.loss.append(nil) }
            engine.service(existing, now: now)
        } else {
            if let old = media.publisher {
                // A new connection: the old one goes, subscribers re-sync on the new streams.
                old.transport.close(now: now)
                engine.service(old, now: now)
                engine.remove(old)
                for t in media.tracks { t.publication.restartSubscriptions() }
            }
            media.streams = streams
            media.rtxPayloadTypes = rtx
            media.loss = Array(repeating: nil, count: media.tracks.count * 4)
            let conn = MediaConnection(id: "pub-\(p.id)-\(credentials.ufrag)", localUfrag: credentials.ufrag,
                                       transport: transport, handler: .publisher(media), now: now)
            conn.capture = media.capture
            media.publisher = conn
            engine.add(conn)
        }
        media.capture?.writeSidecar(negotiated, server: engine.boundAddress)
        p.send("publish-answer", ["sdp": answer.serialized()])
        for t in newTracks {
            room.broadcast("track-published", ["track": t.summary], except: p.id)
            for other in room.participants.values where other.id != p.id {
                addSection(for: t, to: other)
            }
        }
        for other in room.participants.values where other.id != p.id && !newTracks.isEmpty {
            renegotiateSubscriber(other)
        }
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

    /// The codec line subscriber offers carry: our capability with the publisher's fmtp
    /// (e.g. the H.264 profile it sends).
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

    // MARK: Subscribing

    /// Puts `track` on `subscriber`'s connection, reusing a free section of the same kind.
    func addSection(for track: PublishedTrack, to subscriber: Participant) {
        let media = subscriber.media
        let kind = track.kind
        if let i = media.sections.firstIndex(where: { $0.track == nil && $0.kind == kind }) {
            media.sections[i].track = track
            media.sections[i].subscription = nil
        } else {
            media.sections.append(SubscriberSection(mid: Mid(String(media.sections.count))!, kind: kind, track: track))
        }
    }

    /// Frees the section carrying `track` on `subscriber`'s connection.
    func removeSection(for track: PublishedTrack, from subscriber: Participant) {
        let media = subscriber.media
        guard let i = media.sections.firstIndex(where: { $0.track === track }) else { return }
        if let s = media.sections[i].subscription {
            track.publication.removeSubscription(slot: s.slot, outSSRC: s.outSSRC)
        }
        media.sections[i].track = nil
        media.sections[i].subscription = nil
    }

    /// Sends a new `subscribe-offer` now, or after the answer to the one in flight.
    func renegotiateSubscriber(_ p: Participant) {
        let media = p.media
        guard !media.offerInFlight else {
            media.needsOffer = true
            return
        }
        guard !media.sections.isEmpty else { return }
        var rng = SystemRandomNumberGenerator()
        if media.subscriber == nil {
            let credentials = ICECredentials.random(using: &rng)
            // An offerer's setup is actpass; browsers and aiortc answer active, so we start
            // as DTLS server and switch if the answer says passive.
            guard let transport = try? PeerTransport(
                ice: .lite(ICELiteAgent.Configuration(localCredentials: credentials, hostAddresses: engine.hostAddresses)),
                dtlsRole: .server, certificate: engine.certificate, remoteFingerprints: [],
                dtlsConfiguration: MediaEngine.dtlsConfiguration(role: .server), now: MediaEngine.now())
            else {
                p.sendError(SignalingError(.internal, "subscriber transport setup failed"))
                return
            }
            let conn = MediaConnection(id: "sub-\(p.id)", localUfrag: credentials.ufrag, transport: transport,
                                       handler: .subscriber(media), now: MediaEngine.now())
            conn.capture = media.capture
            media.subscriber = conn
            media.subscriberCredentials = credentials
            media.subscriberSlot = engine.addSubscriberSlot(conn)
            engine.add(conn)
        }
        guard let credentials = media.subscriberCredentials else { return }
        var sections: [SDPOfferSection] = []
        var tracks: [[String: Any]] = []
        for (i, s) in media.sections.enumerated() {
            let kind: SDPMediaKind = s.kind == .audio ? .audio : .video
            guard let t = s.track else {
                sections.append(SDPOfferSection(mid: s.mid, kind: kind, direction: .inactive, disabled: true))
                continue
            }
            if s.subscription == nil {
                let ssrc = SSRC(UInt32.random(in: 1...UInt32.max, using: &rng))
                media.sections[i].subscription = Subscription(
                    slot: media.subscriberSlot ?? -1, outSSRC: ssrc, outPayloadType: t.capability.payloadType,
                    mid: s.mid, destinationMap: RTPExtensionMap(), clockRate: t.publication.codec.clockRate)
            }
            guard let sub = media.sections[i].subscription else { continue }
            sections.append(SDPOfferSection(
                mid: s.mid, kind: kind, direction: .sendonly, codecs: [t.capability],
                headerExtensions: Self.subscriberExtMaps(kind),
                sendStream: SDPSendStream(ssrc: sub.outSSRC, cname: t.participantID,
                                          msid: SDPMsid(streamID: t.participantID, trackID: t.trackID))))
            tracks.append(["trackId": t.trackID, "participantId": t.participantID, "kind": t.kind.rawValue,
                           "mid": s.mid.description])
        }
        media.offerVersion += 1
        let local = engine.localTransport(credentials: credentials, hosts: engine.hostAddresses)
        let offer = SDPNegotiator.offer(sections: sections, local: local, sessionID: String(media.rtcpSSRC),
                                        sessionVersion: media.offerVersion)
        media.lastOffer = offer
        media.offerInFlight = true
        media.needsOffer = false
        p.send("subscribe-offer", ["sdp": offer.serialized(), "tracks": tracks])
    }

    /// Extensions on subscriber connections: what the router writes. No transport-cc until
    /// the server runs congestion control (forwarding a publisher's sequence would mislead
    /// the receiver's feedback).
    static func subscriberExtMaps(_ kind: SDPMediaKind) -> [SDPExtMap] {
        switch kind {
        case .audio:
            return [SDPExtMap(id: 1, uri: SDPExtensionURI.audioLevel), SDPExtMap(id: 2, uri: SDPExtensionURI.absSendTime),
                    SDPExtMap(id: 4, uri: SDPExtensionURI.mid)]
        default:
            return [SDPExtMap(id: 2, uri: SDPExtensionURI.absSendTime), SDPExtMap(id: 4, uri: SDPExtensionURI.mid)]
        }
    }

    /// `subscribe-answer`: apply it, then start forwarding to the new sections.
    func handleSubscribeAnswer(_ sdp: String, from p: Participant) throws(SignalingError) {
        let media = p.media
        guard media.offerInFlight, let offer = media.lastOffer, let conn = media.subscriber else {
            throw SignalingError(.badRequest, "no subscribe-offer is waiting for an answer")
        }
        let answer: SessionDescription
        do { answer = try SessionDescription.parse(sdp) } catch {
            throw SignalingError(.badSDP, "answer does not parse: \(error)")
        }
        let negotiated: NegotiatedSession
        do { negotiated = try SDPNegotiator.negotiate(localOffer: offer, remoteAnswer: answer) } catch {
            throw SignalingError(.badSDP, "answer does not match the offer: \(error)")
        }
        media.offerInFlight = false
        let now = MediaEngine.now()
        let fps = negotiated.remoteFingerprints
        let role: DTLSRole = negotiated.isDTLSClient ? .client : .server
        if let previous = media.subscriberRemote, previous.fingerprints != fps {
            // A new peer connection answered (a reloaded page): new transport, same offer.
            replaceSubscriberTransport(p, role: role, fingerprints: fps)
            for s in media.sections {
                if let t = s.track, let sub = s.subscription {
                    t.publication.removeSubscription(slot: sub.slot, outSSRC: sub.outSSRC)
                }
            }
        } else if !conn.transport.isSecure {
            if role != conn.transport.dtlsRole {
                replaceSubscriberTransport(p, role: role, fingerprints: fps)
            } else {
                conn.transport.setRemoteFingerprints(fps, now: now)
                engine.service(conn, now: now)
            }
        }
        media.subscriberRemote = (negotiated.remoteIceUfrag, fps)
        var map = RTPExtensionMap()
        for m in negotiated.media where m.accepted {
            for e in m.extMaps where e.id >= 1 && e.id <= 255 { map.register(uri: e.uri, id: UInt8(e.id)) }
        }
        for s in media.sections {
            s.subscription?.destinationMap = map
        }
        if media.subscriber?.transport.isSecure == true { startSubscriptions(p) }
        if media.needsOffer { renegotiateSubscriber(p) }
    }

    private func replaceSubscriberTransport(_ p: Participant, role: DTLSRole, fingerprints: [DTLSFingerprint]) {
        let media = p.media
        guard let old = media.subscriber, let credentials = media.subscriberCredentials,
              let transport = try? PeerTransport(
                ice: .lite(ICELiteAgent.Configuration(localCredentials: credentials, hostAddresses: engine.hostAddresses)),
                dtlsRole: role, certificate: engine.certificate, remoteFingerprints: fingerprints,
                dtlsConfiguration: MediaEngine.dtlsConfiguration(role: role), now: MediaEngine.now())
        else { return }
        engine.remove(old)
        let conn = MediaConnection(id: old.id, localUfrag: credentials.ufrag, transport: transport,
                                   handler: .subscriber(media), now: MediaEngine.now())
        conn.capture = media.capture
        media.subscriber = conn
        if let slot = media.subscriberSlot { engine.replaceSubscriberSlot(slot, with: conn) }
        engine.add(conn)
    }

    /// Adds every section's subscription to its publication (once the subscriber connection
    /// is secure): each waits for a keyframe, which is requested from the publisher.
    func startSubscriptions(_ p: Participant) {
        let media = p.media
        for s in media.sections {
            guard let t = s.track, let sub = s.subscription else { continue }
            if !t.publication.subscriptions.contains(where: { $0 === sub }) {
                sub.paused = t.muted
                t.publication.add(sub)
                if let owner = t.participantID == p.id ? nil : p.room.participants[t.participantID] {
                    requestKeyframeIfNeeded(owner.media, publication: t.publication, now: MediaEngine.now())
                }
            }
        }
    }

    /// Sends a PLI to the publisher for the layer a publication asks for, at most once per
    /// publisher stream per 500 ms.
    func requestKeyframeIfNeeded(_ media: ParticipantMedia, publication: Publication, now: Instant) {
        guard let layer = publication.takeKeyframeRequest(), let index = media.trackIndex(of: publication),
              let ssrc = media.publisherSSRC(publication: index, layer: layer),
              let conn = media.publisher, conn.transport.isSecure else { return }
        if let last = media.lastKeyframeRequest[ssrc], now - last < .milliseconds(500) { return }
        media.lastKeyframeRequest[ssrc] = now
        engine.sendPLI(on: conn, sender: media.rtcpSSRC, media: ssrc)
    }

    // MARK: Leaving

    /// Removes every trace of `p`'s media: its tracks from everyone, its subscriptions from
    /// every publication, its connections from the engine.
    func tearDownMedia(_ p: Participant, in room: Room) {
        let media = p.media
        for t in media.tracks {
            room.broadcast("track-unpublished", ["trackId": t.trackID, "participantId": p.id], except: p.id)
            for other in room.participants.values where other.id != p.id { removeSection(for: t, to: other) }
        }
        for other in room.participants.values where other.id != p.id && !media.tracks.isEmpty {
            renegotiateSubscriber(other)
        }
        for s in media.sections {
            if let t = s.track, let sub = s.subscription {
                t.publication.removeSubscription(slot: sub.slot, outSSRC: sub.outSSRC)
            }
        }
        for t in media.tracks { engine.counters.retiredForwardingDrops.add(t.publication.totalDrops) }
        media.tracks.removeAll()
        media.sections.removeAll()
        let now = MediaEngine.now()
        for c in [media.publisher, media.subscriber].compactMap({ $0 }) {
            c.transport.close(now: now)
            engine.service(c, now: now)
            engine.remove(c)
        }
        if let slot = media.subscriberSlot { engine.releaseSubscriberSlot(slot) }
        media.publisher = nil
        media.subscriber = nil
        media.subscriberSlot = nil
        media.capture?.close()
    }

    func removeSection(for t: PublishedTrack, to other: Participant) { removeSection(for: t, from: other) }
}
