/// Periodic reports: active speaker, quality, RTCP reports, REMB, dynacast, frame rates.
extension SFURouter {
    // MARK: - Reports

    /// Each interval: the active speaker of each room; every other one: each publisher's
    /// quality, and the REMB allowance to video publishers.
    func report(now: Instant) {
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
                for l in t.layers.indices {
                    t.layers[l].frameRate = Double(t.layers[l].framesInWindow) / window
                    t.layers[l].framesInWindow = 0
                }
            }
        }
        for p in participants.compactMap({ $0 }) {
            // The publisher's RTT is the same client's, as measured on its subscriber
            // connection (the router sends it no media to get Receiver Reports about).
            let rtts = p.sections.compactMap { $0.subscription?.roundTripTime }
            if let worst = rtts.max() {
                for t in p.tracks {
                    for l in t.layers.indices where t.layers[l].nack != nil {
                        t.layers[l].nack?.roundTripTime = worst
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
        for p in participants.compactMap({ $0 }) {
            guard let c = p.publisher, c.peer.isSecure else { continue }
            var loss = 0.0, any = false
            var bytes: UInt64 = 0
            var blocks: [ReceptionReport] = []
            for t in p.tracks {
                bytes &+= t.bytesInWindow
                t.bytesInWindow = 0
                for i in t.layers.indices {
                    if let rr = t.layers[i].statistics?.receptionReport(now: now) {
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
            if let bitrate = configuration.publisherBitrate, !hasUplinkEstimate(p),
               p.tracks.contains(where: { $0.kind == .video }) {
                sendREMB(p, bitrate: bitrate)
            }
            // Only publishers that sent media in this window are reported.
            guard any, bytes > 0 else { continue }
            events.push(.quality(SFUQualityReport(
                participant: p.id, score: QualityScore.score(lossPercent: loss),
                lossPercent: (loss * 10).rounded() / 10,
                bitrateKbps: (Double(bytes) * 8 / 1000 / window).rounded(),
                rttMs: p.sections.compactMap { $0.subscription?.roundTripTime }.max()
                    .map { (Double($0.rtcNanoseconds) / 1e5).rounded() / 10 })))
        }
    }

    /// A Sender Report (RFC 3550 §6.4.1) with SDES CNAME for every stream `p` receives. The
    /// NTP↔RTP mapping follows the publisher's own Sender Report translated by the
    /// subscription's timestamp offset (so audio and video of one publisher stay in sync
    /// across layer switches and publisher restarts); before the publisher's first report, it
    /// follows the last packet sent.
    func sendSenderReports(to p: SFUParticipant, now: Instant) {
        guard let c = p.subscriber, c.peer.isSecure else { return }
        let clock = configuration.ntpClock
        for s in p.sections {
            guard let sub = s.subscription, let t = s.track, sub.sendStatistics.packetsSent > 0 else { continue }
            var rtp = sub.sendStatistics.rtpTimestamp(at: now)
            if let layer = sub.currentLayer, layer >= 0, layer < t.layers.count, let sr = t.layers[layer].senderReport {
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
    func sendREMB(_ p: SFUParticipant, bitrate: UInt64) {
        let ssrcs = p.streams.learnedStreams.filter { !$0.resolved.isRepair }.map { SSRC($0.ssrc) }
        guard !ssrcs.isEmpty, let c = p.publisher else { return }
        let remb = ReceiverEstimatedMaximumBitrate(senderSSRC: p.rtcpSSRC, bitrate: bitrate, ssrcs: ssrcs)
        sendRTCP(on: c) { w throws(WriteError) in try remb.write(to: &w) }
    }
}
