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
    func sendSenderReports(to p: SFUParticipant, now: Instant) {
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
    func sendREMB(_ p: SFUParticipant, bitrate: UInt64) {
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

    func computeTimeout() -> (Instant, SFUTimeoutReason)? {
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
    func beginCall() {
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

    func forget(_ c: SFUConnection) {
        for u in c.ufrags where byUfrag[u] == c.id { byUfrag[u] = nil }
        for a in c.addresses where byAddress[a] == c.id {
            byAddress[a] = nil
            let slot = Self.cacheSlot(a)
            if addressCache[slot]?.address == a { addressCache[slot] = nil }
        }
        c.ufrags.removeAll()
        c.addresses.removeAll()
    }
}
