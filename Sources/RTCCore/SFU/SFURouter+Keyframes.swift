/// Keyframe requests through each publisher stream's throttle.
extension SFURouter {
    // MARK: - Keyframe requests

    /// Sends the publication's pending keyframe request through the throttle of that
    /// publisher stream (at most one per `keyframeRequestInterval`; a request inside the
    /// window is sent when it opens, unless a keyframe arrived first).
    func requestKeyframe(_ t: SFUTrack, from p: SFUParticipant, now: Instant) {
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
    func requestKeyframe(ssrc media: SSRC, of p: SFUParticipant, now: Instant) {
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

    func keyframeArrived(_ p: SFUParticipant, ssrc: SSRC, now: Instant) {
        for i in p.keyframeThrottles.indices where p.keyframeThrottles[i].mediaSSRC == ssrc {
            p.keyframeThrottles[i].keyframeReceived(now: now)
        }
        for t in p.tracks { t.keyframeRequestPending = p.keyframeThrottles.contains { $0.isPending } }
        timeoutDirty = true
    }

    func sendKeyframeRequests(_ p: SFUParticipant, now: Instant) {
        guard let c = p.publisher else { return }
        for i in p.keyframeThrottles.indices {
            while let request = p.keyframeThrottles[i].pollOutput() {
                let sent = sendRTCP(on: c) { w throws(WriteError) in
                    switch request {
                    case .pli(let pli): try pli.write(to: &w)
                    case .fir(let fir): try fir.write(to: &w)
                    }
                }
                guard sent else { continue }
                stats.keyframeRequestsSent &+= 1
                events.push(.keyframeRequested(p.id, p.keyframeThrottles[i].mediaSSRC))
            }
        }
        timeoutDirty = true
    }

    /// After a preference or mute change: requests the publications now want.
    func serviceKeyframeRequests(now: Instant) {
        for p in participants.compactMap({ $0 }) {
            for t in p.tracks where t.publication.keyframeRequested { requestKeyframe(t, from: p, now: now) }
        }
    }
}
