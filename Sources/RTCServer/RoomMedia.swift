import Foundation
import NIOCore
import RTCCore

/// Signaling ↔ `SFURouter` (docs/PROTOCOL.md), on the media loop: messages become router
/// calls, router events become messages.
extension RoomRegistry {
    // MARK: Joining and leaving

    /// A participant's first WebSocket: it enters the router (and gets offers for what is
    /// already published). A reconnected socket gets a fresh subscriber offer instead.
    func attachMedia(_ p: Participant, isNew: Bool) {
        let media = p.media
        if let id = media.routerID {
            engine.withRouter { $0.renegotiate(id) }
            return
        }
        guard isNew else { return }
        var rng = SystemRandomNumberGenerator()
        engine.withRouter { r in
            let id = r.addParticipant(room: p.room.routerID, publisherCredentials: .random(using: &rng),
                                      subscriberCredentials: .random(using: &rng), now: MediaEngine.now())
            // Known before the router's events (its first subscriber offer) are handled.
            media.routerID = id
            byRouterID[id] = p
        }
    }

    /// Removes every trace of `p`'s media: its tracks from everyone (who get new offers and
    /// `track-unpublished`), its subscriptions, its connections.
    func tearDownMedia(_ p: Participant) {
        guard let id = p.media.routerID else { return }
        engine.withRouter { $0.removeParticipant(id, now: MediaEngine.now()) }
        byRouterID[id] = nil
        p.media.routerID = nil
        p.media.capture?.close()
    }

    // MARK: Publishing and subscribing

    /// `publish-offer`: the router answers (a re-offer renegotiates, restarts ICE, or — from a
    /// new peer connection — replaces the connection while the tracks stay).
    func handlePublishOffer(_ sdp: String, from p: Participant) throws(SignalingError) {
        guard let id = p.media.routerID else { throw SignalingError(.badRequest, "not connected") }
        let offer: SessionDescription
        do { offer = try SessionDescription.parse(sdp) } catch {
            throw SignalingError(.badSDP, "offer does not parse: \(error)")
        }
        var rng = SystemRandomNumberGenerator()
        let fresh = ICECredentials.random(using: &rng)
        do {
            try engine.withRouter { r throws(SFURouterError) in
                let answer = try r.publish(offer: offer, from: id, restartCredentials: fresh, now: MediaEngine.now())
                // The answer goes out before the events the publish caused (track-published, offers).
                p.send("publish-answer", ["sdp": answer.serialized()])
            }
        } catch {
            throw SignalingError(.badSDP, "offer cannot be answered: \(error.message)")
        }
        if let cap = p.media.capture,
           let n = engine.router.connection(SFUConnectionID(participant: id, role: .publisher))?.negotiated {
            cap.writeSidecar(n, server: engine.boundAddress)
        }
    }

    /// `subscribe-answer`: the router applies it and starts forwarding to the new sections.
    func handleSubscribeAnswer(_ sdp: String, from p: Participant) throws(SignalingError) {
        guard let id = p.media.routerID, engine.router.subscriberOfferState(id)?.outstanding == true else {
            throw SignalingError(.badRequest, "no subscribe-offer is waiting for an answer")
        }
        let answer: SessionDescription
        do { answer = try SessionDescription.parse(sdp) } catch {
            throw SignalingError(.badSDP, "answer does not parse: \(error)")
        }
        do {
            try engine.withRouter { r throws(SFURouterError) in try r.subscribeAnswer(answer, from: id, now: MediaEngine.now()) }
        } catch {
            switch error.code {
            case .noOfferOutstanding: throw SignalingError(.badRequest, "no subscribe-offer is waiting for an answer")
            default: throw SignalingError(.badSDP, "answer does not match the offer: \(error.message)")
            }
        }
    }

    /// `set-preferences`: `maxWidth`/`maxHeight` pick the simulcast layer (the lowest at least
    /// as large as the view), `maxFps` the VP8 temporal layers, `paused` stops the track.
    func handleSetPreferences(trackID: String, maxWidth: Int?, maxHeight: Int?, maxFps: Int?, paused: Bool?,
                              from p: Participant) throws(SignalingError) {
        // Fields a message leaves out keep what the router has.
        guard let id = p.media.routerID, let track = SFUTrackID(signalingID: trackID),
              var prefs = engine.router.preferences(of: track, for: id) else {
            throw SignalingError(.notFound, "no such track on your subscriber connection")
        }
        if let paused { prefs.paused = paused }
        // Below the publisher's frame rate, VP8 temporal layers are dropped (L1T3: 1/2, 1/4).
        if let fps = maxFps { prefs.maxFrameRate = fps > 0 ? Double(fps) : nil }
        // The view size picks the layer in the router (from the layers' keyframe sizes).
        if maxWidth != nil || maxHeight != nil {
            prefs.maxWidth = maxWidth
            prefs.maxHeight = maxHeight
        }
        do {
            try engine.withRouter { r throws(SFURouterError) in
                try r.setPreferences(prefs, track: track, for: id, now: MediaEngine.now())
            }
        } catch {
            throw SignalingError(.notFound, "no such track on your subscriber connection")
        }
    }

    /// The tracks `p` publishes, as `joined` and `track-published` list them.
    func trackSummaries(of p: Participant) -> [[String: Any]] {
        guard let id = p.media.routerID else { return [] }
        return engine.router.tracks(of: id).map { trackSummary($0, publisher: p.id) }
    }

    func trackSummary(_ t: SFUTrackInfo, publisher: String) -> [String: Any] {
        ["trackId": t.id.signalingID, "participantId": publisher, "kind": t.kind.rawValue]
    }

    /// Stops (or resumes) forwarding `p`'s tracks of `kind` and tells everyone.
    func setMuted(_ p: Participant, kind: String, muted: Bool, in room: Room) {
        if muted { p.mutedKinds.insert(kind) } else { p.mutedKinds.remove(kind) }
        let tracks = p.media.routerID.map { engine.router.tracks(of: $0) } ?? []
        for t in tracks where t.kind.rawValue == kind {
            engine.withRouter { try? $0.setMuted(muted, track: t.id, now: MediaEngine.now()) }
            room.broadcast("track-muted", ["participantId": p.id, "kind": kind, "muted": muted, "trackId": t.id.signalingID])
        }
        if !tracks.contains(where: { $0.kind.rawValue == kind }) {
            room.broadcast("track-muted", ["participantId": p.id, "kind": kind, "muted": muted, "trackId": ""])
        }
    }

    // MARK: Router events

    /// A router event, as signaling.
    func handle(_ event: SFUEvent) {
        switch event {
        case .subscribeOffer(let id, let offer, let tracks):
            guard let p = byRouterID[id] else { return }
            p.send("subscribe-offer", ["sdp": offer.serialized(), "tracks": tracks.map { t -> [String: Any] in
                ["trackId": t.track.signalingID, "participantId": byRouterID[t.publisher]?.id ?? "",
                 "kind": t.kind.rawValue, "mid": t.mid.description]
            }])
        case .trackPublished(let t):
            guard let p = byRouterID[t.publisher] else { return }
            p.room.broadcast("track-published", ["track": trackSummary(t, publisher: p.id)], except: p.id)
        case .trackUnpublished(let t):
            guard let p = byRouterID[t.publisher] else { return }
            p.room.broadcast("track-unpublished", ["trackId": t.id.signalingID, "participantId": p.id], except: p.id)
        case .activeSpeaker(_, let id):
            guard let p = byRouterID[id] else { return }
            p.room.broadcast("active-speaker", ["participantId": p.id])
        case .quality(let q):
            guard let p = byRouterID[q.participant] else { return }
            var fields: [String: Any] = ["participantId": p.id, "score": q.score, "lossPercent": q.lossPercent,
                                         "bitrateKbps": q.bitrateKbps]
            if let rtt = q.rttMs { fields["rttMs"] = rtt }
            p.room.broadcast("quality", fields)
        case .connectionStateChanged(let c, let state):
            logger.info("peer state", metadata: ["connection": "\(c)", "state": "\(state)",
                                                 "participant": "\(byRouterID[c.participant]?.id ?? "-")"])
        case .keyframeRequested:
            break
        case .layersWanted(let t, let active):
            // Dynacast: the publisher's client stops encoding layers nobody wants.
            guard let p = byRouterID[t.publisher] else { return }
            p.send("publisher-layers", ["trackId": t.id.signalingID, "rids": t.rids.map(\.description),
                                        "active": active])
        }
    }

    /// The participant behind a router handle.
    func participant(routerID: SFUParticipantID) -> Participant? { byRouterID[routerID] }
}
