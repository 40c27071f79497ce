import Foundation
import Testing
@testable import RTCCore

/// Rooms through one ``SFURouter`` in virtual time: real ICE, DTLS and SRTP on every
/// connection, seeded network emulation, no sockets, no sleeps.
@Suite struct SFURouterScenarioTests {
    /// Sequence numbers of one received stream, in arrival order, are gap-free.
    func expectContinuous(_ packets: [ReceivedRTP], _ what: String) {
        for (a, b) in zip(packets, packets.dropFirst()) where b.sequence != a.sequence &+ 1 {
            Issue.record("\(what): sequence \(a.sequence) then \(b.sequence)")
            return
        }
    }

    @Test func threeParticipantsReceiveEachOther() throws {
        let world = RouterTestWorld()
        for _ in 0..<3 { try world.join() }
        world.run(for: .seconds(2))
        #expect(world.allConnected())
        world.run(for: .seconds(3), media: true)
        for c in world.clients {
            #expect(c.offersAnswered >= 1)
            for other in world.clients where other.index != c.index {
                let audio = c.received(from: other.index, kind: .audio)
                let video = c.received(from: other.index, kind: .video)
                // 3 s of media at 50 audio packets/s and 2 video packets per 40 ms frame.
                #expect(audio.count > 120, "client \(c.index) got \(audio.count) audio packets of \(other.index)")
                #expect(video.count > 120, "client \(c.index) got \(video.count) video packets of \(other.index)")
                #expect(video.first?.keyframe == true, "video of \(other.index) to \(c.index) starts on a keyframe")
                #expect(Set(audio.map(\.ssrc)).count == 1 && Set(video.map(\.ssrc)).count == 1)
                #expect(audio.first?.ssrc != other.audioSSRC, "the router rewrites SSRCs")
                expectContinuous(audio, "audio \(other.index)→\(c.index)")
                expectContinuous(video, "video \(other.index)→\(c.index)")
            }
            // Nothing of its own comes back.
            #expect(c.received(from: c.index, kind: .audio).isEmpty)
        }
        let s = world.router.stats
        #expect(s.egressOverflow == 0 && s.egressFailures == 0)
        #expect(s.keyframeRequestsSent >= 2)
    }

    @Test func aParticipantThatLeavesIsGoneForEveryone() throws {
        let world = RouterTestWorld()
        for _ in 0..<3 { try world.join() }
        world.run(for: .seconds(2))
        world.run(for: .seconds(1), media: true)
        let leaving = world.clients[2]
        let tracks = world.router.tracks(of: leaving.id).map(\.id)
        #expect(tracks.count == 2)
        world.router.removeParticipant(leaving.id, now: world.now)
        leaving.publishing = false
        world.collect()
        let unpublished = world.events.compactMap { e -> SFUTrackID? in
            if case .trackUnpublished(let t) = e.1 { return t.id } else { return nil }
        }
        #expect(Set(unpublished) == Set(tracks))
        let before = world.clients[0].received(from: 2, kind: .video).count
        let beforeB = world.clients[1].received(from: 0, kind: .video).count
        world.run(for: .seconds(1), media: true)
        // Nothing more of the one who left; the others carry on.
        #expect(world.clients[0].received(from: 2, kind: .video).count == before)
        #expect(world.clients[1].received(from: 0, kind: .video).count > beforeB + 40)
        #expect(world.router.participantIDs.count == 2)
        // Its handle is dead: a newcomer in its slot is not reachable through it.
        let newcomer = try world.join()
        #expect(newcomer.id.slot == leaving.id.slot && newcomer.id != leaving.id)
        #expect(world.router.tracks(of: leaving.id).isEmpty)
    }

    /// A participant that vanishes (its network goes silent, no leave): its connections fail
    /// when consent expires (RFC 7675), the router stops sending to it, and the others carry on.
    @Test func aParticipantThatVanishesIsDroppedByConsentAndTheOthersCarryOn() throws {
        let world = RouterTestWorld()
        for _ in 0..<3 { try world.join() }
        world.run(for: .seconds(2))
        world.run(for: .seconds(1), media: true)
        let gone = world.clients[2]
        gone.publishing = false
        gone.uplink.conditions.loss = 1
        gone.downlink.conditions.loss = 1
        world.run(for: .seconds(35), media: true)
        let failed = world.events.compactMap { e -> SFUConnectionID? in
            if case .connectionStateChanged(let c, .failed) = e.1 { return c } else { return nil }
        }
        #expect(Set(failed) == [SFUConnectionID(participant: gone.id, role: .publisher),
                                SFUConnectionID(participant: gone.id, role: .subscriber)])
        // Nothing more goes towards it; the two others still receive each other.
        let sentBefore = gone.downlink.stats.sent
        let a = world.clients[0].received(from: 1, kind: .video).count
        world.run(for: .seconds(2), media: true)
        #expect(gone.downlink.stats.sent == sentBefore)
        #expect(world.clients[0].received(from: 1, kind: .video).count > a + 40)
    }

    @Test func aPublisherRestartKeepsSubscribersContinuous() throws {
        let world = RouterTestWorld()
        for _ in 0..<2 { try world.join() }
        world.run(for: .seconds(2))
        world.run(for: .seconds(1), media: true)
        // Client 0 reloads: a new publisher peer connection (new DTLS session, new ufrag),
        // new SSRCs and sequence numbers from zero.
        let c = world.clients[0]
        c.audioSequence = 0
        c.videoSequence = 0
        let before = world.clients[1].received(from: 0, kind: .video).count
        #expect(before > 40)
        try world.publish(c, fresh: true)
        world.run(for: .seconds(2), media: true)
        let video = world.clients[1].received(from: 0, kind: .video)
        let audio = world.clients[1].received(from: 0, kind: .audio)
        #expect(Set(video.map(\.ssrc)).count == 1, "one outgoing video stream across the restart")
        expectContinuous(video, "video across the restart")
        expectContinuous(audio, "audio across the restart")
        #expect(video.count > before + 80, "video resumed after the restart")
        // The first packet after the restart starts a keyframe.
        if before < video.count { #expect(video[before].keyframe) }
    }

    @Test func pausedAndMutedTracksStopAndResume() throws {
        let world = RouterTestWorld()
        for _ in 0..<2 { try world.join() }
        world.run(for: .seconds(2))
        world.run(for: .seconds(1), media: true)
        let sub = world.clients[1]
        let video = try #require(world.router.tracks(of: world.clients[0].id).first { $0.kind == .video })
        try world.router.setPreferences(SFUTrackPreferences(paused: true), track: video.id, for: sub.id, now: world.now)
        let paused = sub.received(from: 0, kind: .video).count
        world.run(for: .seconds(1), media: true)
        #expect(sub.received(from: 0, kind: .video).count == paused)
        #expect(sub.received(from: 0, kind: .audio).count > 100, "audio keeps flowing")
        try world.router.setPreferences(SFUTrackPreferences(), track: video.id, for: sub.id, now: world.now)
        world.run(for: .seconds(1), media: true)
        let after = sub.received(from: 0, kind: .video)
        #expect(after.count > paused + 30)
        expectContinuous(after, "video across the pause")
        // The host mutes audio: nothing of it is forwarded until unmuted.
        let audioTrack = try #require(world.router.tracks(of: world.clients[0].id).first { $0.kind == .audio })
        try world.router.setMuted(true, track: audioTrack.id, now: world.now)
        let muted = sub.received(from: 0, kind: .audio).count
        world.run(for: .milliseconds(500), media: true)
        #expect(sub.received(from: 0, kind: .audio).count == muted)
        #expect(throws: SFURouterError.self) {
            try world.router.setMuted(true, track: SFUTrackID(rawValue: 999), now: world.now)
        }
    }

    @Test func badSignalingInputIsRefusedWithTypedErrors() throws {
        let world = RouterTestWorld()
        // The first participant has nothing to receive, so no subscriber offer is outstanding.
        let c = try world.join()
        let some = try PeerPair.reparse(PeerConnection(configuration: c.configuration(c.subscriberAddress, ufrag: "xx00"))
            .createOffer(sections: [SDPOfferSection(mid: Mid("0")!, kind: .audio, direction: .sendonly)]))
        func code(_ body: () throws -> Void) -> SFURouterError.Code? {
            do { try body() } catch { return (error as? SFURouterError)?.code }
            return nil
        }
        #expect(code { try world.router.subscribeAnswer(some, from: c.id, now: world.now) } == .noOfferOutstanding)
        #expect(code { try world.router.subscribeAnswer(some, from: SFUParticipantID(slot: 9, generation: 1), now: world.now) }
                == .unknownParticipant)
        // An offer without fingerprints is refused; the participant and its tracks stay.
        let text = some.serialized().split(separator: "\r\n").filter { !$0.hasPrefix("a=fingerprint") }
        let broken = try SessionDescription.parse(text.joined(separator: "\r\n") + "\r\n")
        #expect(code { _ = try world.router.publish(offer: broken, from: c.id, now: world.now) } == .badOffer)
        #expect(world.router.participantIDs.contains(c.id))
        #expect(world.router.tracks(of: c.id).count == 2)
        #expect(code { try world.router.setPreferences(SFUTrackPreferences(), track: SFUTrackID(rawValue: 99), for: c.id,
                                                       now: world.now) } == .unknownTrack)
    }

    @Test func roomsAreIsolatedAndReportSpeakerAndQuality() throws {
        let world = RouterTestWorld()
        let a = try world.join(room: SFURoomID(1))
        let b = try world.join(room: SFURoomID(1))
        let c = try world.join(room: SFURoomID(2))
        b.audioLevel = 20
        world.run(for: .seconds(2))
        world.run(for: .seconds(2), media: true)
        #expect(a.received(from: b.index, kind: .video).count > 40)
        #expect(b.received(from: a.index, kind: .audio).count > 80)
        // Nobody in room 2 sees room 1, and the other way round.
        #expect(c.received.isEmpty && c.offersAnswered == 0)
        #expect(a.received(from: c.index, kind: .audio).isEmpty)
        let speakers = world.events.compactMap { e -> (SFURoomID, SFUParticipantID)? in
            if case .activeSpeaker(let r, let p) = e.1 { return (r, p) } else { return nil }
        }
        #expect(speakers.count == 1)
        #expect(speakers.first?.0 == SFURoomID(1) && speakers.first?.1 == b.id)
        let quality = world.events.compactMap { e -> SFUQualityReport? in
            if case .quality(let q) = e.1 { return q } else { return nil }
        }
        #expect(Set(quality.map(\.participant)) == Set([a.id, b.id, c.id]))
        #expect(quality.allSatisfy { $0.score == 5 && $0.lossPercent == 0 })
        // ~50 audio packets of 84 bytes plus ~25 frames of two 430-byte packets a second.
        #expect(quality.last.map { $0.bitrateKbps > 150 && $0.bitrateKbps < 400 } == true, "\(quality.last!)")
        // The RTT (10 ms each way) from the subscribers' Receiver Reports; c receives nothing.
        let lastRTT = { (id: SFUParticipantID) in quality.last(where: { $0.participant == id })?.rttMs }
        #expect(lastRTT(a.id).map { $0 >= 19 && $0 <= 30 } == true, "\(String(describing: lastRTT(a.id)))")
        #expect(lastRTT(b.id).map { $0 >= 19 && $0 <= 30 } == true)
        #expect(lastRTT(c.id) == nil)
        // Video publishers are told the REMB allowance.
        let remb = a.rtcpReceivedOnPublisher.contains { bytes in
            bytes.withUnsafeBytes { raw in
                var it = RTCPCompoundIterator(raw, paddingPolicy: .anyPacket)
                while let slice = try? it.next() {
                    if case .receiverEstimatedMaximumBitrate(let r)? = try? RTCPPacket.parse(slice) {
                        return r.bitrate >= 2_000_000
                    }
                }
                return false
            }
        }
        #expect(remb)
    }
}

/// Loss recovery through the router: NACKs both ways, RTX from publishers, retransmissions
/// from the router's per-subscription cache; Sender Reports to subscribers.
@Suite struct SFURouterLossTests {
    /// Runs a three-person room with `loss` on every link (both directions) and returns, per
    /// (publisher, subscriber) video stream, the fraction of the packets missing on first
    /// arrival that were repaired.
    func repairedFractions(loss: Double, seed: UInt64, subscribersAcceptRTX: Bool = true) throws
        -> (fractions: [Double], world: RouterTestWorld)
    {
        let world = RouterTestWorld(seed: seed)
        for _ in 0..<3 { try world.join(acceptsRTX: subscribersAcceptRTX) }
        world.run(for: .seconds(2))
        #expect(world.allConnected())
        world.run(for: .seconds(1), media: true)
        for c in world.clients {
            c.uplink.conditions.loss = loss
            c.downlink.conditions.loss = loss
        }
        let start = world.clients.map { c in world.clients.map { c.received(from: $0.index, kind: .video).count } }
        world.run(for: .seconds(6), media: true)
        // Let the last retransmissions arrive.
        for c in world.clients { c.publishing = false }
        world.run(for: .seconds(1))
        var fractions: [Double] = []
        for c in world.clients {
            for o in world.clients where o.index != c.index {
                let video = Array(c.received(from: o.index, kind: .video).dropFirst(start[c.index][o.index]))
                guard let first = video.first?.sequence else { continue }
                var seen = Set<UInt16>()
                var late = 0
                var highest = first
                for p in video where Int16(bitPattern: p.sequence &- first) >= 0 {
                    if !seen.insert(p.sequence).inserted { continue }
                    if Int16(bitPattern: p.sequence &- highest) < 0 { late += 1 } else { highest = p.sequence }
                }
                let span = Int(highest &- first) + 1
                let missing = span - seen.count
                // Lost on first arrival = repaired (arrived late) + still missing.
                let lost = late + missing
                fractions.append(lost == 0 ? 1 : Double(late) / Double(lost))
            }
        }
        return (fractions, world)
    }

    @Test func fivePercentLossIsRepaired() throws {
        let (fractions, world) = try repairedFractions(loss: 0.05, seed: 11)
        #expect(fractions.count == 6)
        #expect(fractions.allSatisfy { $0 >= 0.95 }, "repaired: \(fractions)")
        let s = world.router.stats
        #expect(s.nacksSent > 0 && s.repairedPackets > 0, "publishers were asked and answered with RTX")
        #expect(s.nacksReceived > 0 && s.retransmissionsSent > 0, "subscribers were answered from the cache")
        print("5% loss: repaired fractions \(fractions.map { ($0 * 1000).rounded() / 10 }), stats \(s)")
    }

    /// Subscribers that did not negotiate RTX get the originals again (same sequence number,
    /// the SRTP index protected a second time over the same bytes).
    @Test func fivePercentLossIsRepairedWithOriginalsWithoutRTX() throws {
        let (fractions, world) = try repairedFractions(loss: 0.05, seed: 13, subscribersAcceptRTX: false)
        #expect(fractions.count == 6)
        #expect(fractions.allSatisfy { $0 >= 0.95 }, "repaired: \(fractions)")
        let s = world.router.stats
        #expect(s.nacksReceived > 0 && s.retransmissionsSent > 0 && s.resendsRefused == 0, "\(s)")
        #expect(world.clients.allSatisfy { $0.rtxReceived == 0 }, "no RTX stream was negotiated")
        print("5% loss without RTX: repaired fractions \(fractions.map { ($0 * 1000).rounded() / 10 })")
    }

    @Test func twentyPercentLossIsMostlyRepaired() throws {
        let (fractions, world) = try repairedFractions(loss: 0.20, seed: 12)
        #expect(fractions.count == 6)
        #expect(fractions.allSatisfy { $0 >= 0.80 }, "repaired: \(fractions)")
        print("20% loss: repaired fractions \(fractions.map { ($0 * 1000).rounded() / 10 }), stats \(world.router.stats)")
    }

    /// Real VP8 from libvpx through 5% and 20% loss on every link, both ways: with NACK/RTX on
    /// both legs, the subscribers' depacketizers get complete frames and libvpx decodes them
    /// without an error.
    @Test(arguments: [(0.0, 0.95), (0.05, 0.95), (0.20, 0.80)])
    func realVideoThroughLossDecodesWithoutErrors(loss: Double, minimum: Double) throws {
        let world = RouterTestWorld(seed: 21)
        try world.join(realVideo: true)
        let viewers = [try world.join(publish: false, decodes: true), try world.join(publish: false, decodes: true)]
        world.run(for: .seconds(2))
        world.run(for: .seconds(1), media: true)
        for c in world.clients {
            c.uplink.conditions.loss = loss
            c.downlink.conditions.loss = loss
        }
        let before = viewers.map(\.framesDecoded)
        world.run(for: .seconds(8), media: true)
        world.clients[0].publishing = false
        world.run(for: .seconds(1))
        // 25 fps for 8 s: 200 frames sent.
        let decoded = zip(viewers, before).map { $0.framesDecoded - $1 }
        print("real video at \(Int(loss * 100))% loss: decoded \(decoded) of 200, errors \(viewers.map(\.decodeErrors)), "
              + "RTX received \(viewers.map(\.rtxReceived)), publisher RTX sent \(world.clients[0].rtxSent)")
        for (v, n) in zip(viewers, decoded) {
            #expect(v.decodeErrors == 0)
            #expect(Double(n) >= 200 * minimum, "decoded \(n) of 200")
        }
    }

    /// RTX of packets that arrived (Chromium probes bandwidth with RTX copies of sent packets)
    /// is not forwarded again: it would reuse an output sequence number (an SRTP index).
    @Test func retransmissionsOfPacketsThatArrivedAreNotForwardedAgain() throws {
        let world = RouterTestWorld()
        let publisher = try world.join()
        let viewer = try world.join(publish: false)
        world.run(for: .seconds(2))
        world.run(for: .seconds(1), media: true)
        let before = viewer.received(from: publisher.index, kind: .video).count
        for seq in (publisher.videoSequence &- 20)...(publisher.videoSequence &- 1) { publisher.sendRTX(seq) }
        world.run(for: .milliseconds(200), media: true)
        let s = world.router.stats
        #expect(s.duplicateRepairs == 20 && s.repairedPackets == 0)
        #expect(s.egressFailures == 0)
        let video = viewer.received(from: publisher.index, kind: .video)
        #expect(video.count > before)
        #expect(Set(video.map(\.sequence)).count == video.count, "no sequence number twice")
    }

    @Test func subscribersGetSenderReportsThatFollowTheRewrittenTimestamps() throws {
        let world = RouterTestWorld()
        for _ in 0..<2 { try world.join() }
        world.run(for: .seconds(2))
        world.run(for: .seconds(3), media: true)
        let sub = world.clients[1]
        let video = sub.received(from: 0, kind: .video)
        let ssrc = try #require(video.last?.ssrc)
        let reports = sub.senderReports.filter { $0.report.ssrc.rawValue == ssrc }
        #expect(reports.count >= 2)
        // Each report maps its arrival to the RTP time of the rewritten stream: the last packet
        // before it, advanced by the time since (within a frame and the link delay).
        for (r, at) in reports {
            guard let last = video.last(where: { $0.at <= at }) else { continue }
            let expected = last.timestamp &+ UInt32((at - last.at).rtcNanoseconds * 90 / 1_000_000)
            let d = Int32(bitPattern: r.rtpTime &- expected)
            #expect(abs(d) < 90 * 60, "SR rtp \(r.rtpTime) vs \(expected)")
        }
        // The SR's packet count is what the subscription sent.
        let video0 = try #require(world.router.tracks(of: world.clients[0].id).first { $0.kind == .video })
        let subscription = try #require(world.router.subscription(of: video0.id, to: sub.id))
        #expect(UInt64(reports.last!.report.packetCount) <= subscription.sendStatistics.packetsSent)
    }
}

/// Real VP8 (libvpx, L1T3 simulcast q/h/f) through the router while the subscriber's preference
/// flips between layers: every switch lands on a keyframe of the target (which the router
/// requests), the rewritten stream stays one continuous SSRC, and libvpx decodes all of it.
@Suite struct SFURouterSimulcastDecodeTests {
    @Test func hundredsOfForcedLayerSwitchesDecodeWithoutErrors() throws {
        let world = RouterTestWorld()
        let publisher = try world.join(simulcast: true)
        let viewer = try world.join(publish: false, decodes: true)
        world.run(for: .seconds(2))
        #expect(world.allConnected())
        let track = try #require(world.router.tracks(of: publisher.id).first)
        #expect(track.rids.map(\.description) == ["q", "h", "f"])
        world.run(for: .seconds(1), media: true)
        // Flip the wanted layer every 300 ms (0 → 2 → 1 → 0 …) for 45 s of media.
        var layer = 0
        for _ in 0..<150 {
            layer = (layer + 2) % 3
            try world.router.setPreferences(SFUTrackPreferences(maxLayer: layer), track: track.id, for: viewer.id,
                                            now: world.now)
            world.run(for: .milliseconds(300), media: true)
        }
        let switches = viewer.decodedWidths.count - 1
        print("simulcast decode: \(viewer.framesDecoded) frames, \(switches) resolution switches, "
              + "\(viewer.decodeErrors) decode errors, keyframe requests \(world.router.stats.keyframeRequestsSent)")
        #expect(viewer.decodeErrors == 0)
        #expect(switches >= 100, "\(switches) switches: \(viewer.decodedWidths.prefix(20))")
        #expect(Set(viewer.decodedWidths) == [160, 320, 640])
        #expect(viewer.depacketizers.count == 1, "one outgoing SSRC across every switch")
        #expect(viewer.framesDecoded > 600)
        #expect(viewer.pictureIDGaps == 0, "picture IDs continuous across switches")
        // The layers' sizes were learned from their keyframes, and a view size picks a layer.
        let sizes = try #require(world.router.publication(of: track.id)).layerSizes
        #expect(sizes.map { $0?.width } == [160, 320, 640] && sizes.map { $0?.height } == [96, 192, 384])
        try world.router.setPreferences(SFUTrackPreferences(maxWidth: 320, maxHeight: 192), track: track.id,
                                        for: viewer.id, now: world.now)
        #expect(world.router.subscription(of: track.id, to: viewer.id)?.preferredLayer == 1)
        // Dynacast followed the preference: the layers nobody wanted were paused at the source.
        let wanted = world.events.compactMap { e -> [Bool]? in
            if case .layersWanted(let t, let w) = e.1, t.id == track.id { return w } else { return nil }
        }
        #expect(wanted.contains([true, false, false]) && wanted.contains([true, false, true]))
        #expect(wanted.allSatisfy { $0[0] })
    }

    /// `maxTemporalLayer` drops VP8 temporal layers whole: the decoded frame rate falls to a
    /// quarter (TID 0 of L1T3) and a half (TID ≤ 1), picture IDs stay gap-free, libvpx decodes
    /// every frame that arrives, and all layers come back.
    @Test func temporalLayersAreDroppedWholeAndDecode() throws {
        let world = RouterTestWorld()
        let publisher = try world.join(simulcast: true)
        let viewer = try world.join(publish: false, decodes: true)
        world.run(for: .seconds(2))
        let track = try #require(world.router.tracks(of: publisher.id).first)
        world.run(for: .seconds(2), media: true)
        var rates: [Int] = []
        for maxT in [0, 1, nil, 0] as [Int?] {
            try world.router.setPreferences(SFUTrackPreferences(maxLayer: 1, maxTemporalLayer: maxT), track: track.id,
                                            for: viewer.id, now: world.now)
            world.run(for: .seconds(1), media: true)  // settle
            let before = viewer.framesDecoded
            world.run(for: .seconds(4), media: true)
            rates.append(viewer.framesDecoded - before)
        }
        print("temporal layers: frames in 4 s at TID≤0, ≤1, all, ≤0: \(rates), gaps \(viewer.pictureIDGaps)")
        // 16 fps publisher: all ≈ 64 frames, TID≤1 ≈ 32, TID 0 ≈ 16.
        #expect(rates[2] >= 55 && rates[1] >= 26 && rates[1] <= 38 && rates[0] >= 12 && rates[0] <= 20, "\(rates)")
        #expect(rates[3] <= 20)
        #expect(viewer.decodeErrors == 0)
        #expect(viewer.pictureIDGaps == 0)
        let drops = try #require(world.router.publication(of: track.id)).totalDrops
        #expect(drops[.temporalLayerNotSelected] > 0)
        // maxFps (set-preferences) becomes a temporal layer from the measured frame rate.
        #expect(world.router.frameRates(of: track.id).allSatisfy { $0 > 14 && $0 < 18 })
        try world.router.setPreferences(SFUTrackPreferences(maxLayer: 1, maxFrameRate: 8), track: track.id,
                                        for: viewer.id, now: world.now)
        world.run(for: .seconds(1), media: true)
        let before = viewer.framesDecoded
        world.run(for: .seconds(4), media: true)
        #expect((26...38).contains(viewer.framesDecoded - before), "8 fps of 16: \(viewer.framesDecoded - before)")
        #expect(viewer.decodeErrors == 0 && viewer.pictureIDGaps == 0)
    }
}

@Suite struct SFUPolicyTests {
    @Test(arguments: [
        ([nil, nil] as [Double?], nil as Int?, nil as Int?),
        ([60, 66.9], nil, nil),                // below -60 dBov: silence
        ([80, 70], nil, 0),
        ([80, 90], 0, 1),
        ([80, 90], 1, nil),                    // unchanged: nothing to announce
        ([nil, 50], 0, nil),                   // silence keeps the speaker
    ])
    func activeSpeaker(means: [Double?], current: Int?, expected: Int?) {
        let candidates = means.enumerated().map { (id: $0.offset, mean: $0.element) }
        #expect(ActiveSpeakerPolicy.select(candidates, current: current) == expected)
    }

    @Test(arguments: [
        (nil as Double?, 30.0, nil as Int?), (30, 30, nil), (31, 30, nil), (15, 30, 1), (16, 30, 1),
        (8, 30, 0), (1, 30, 0), (10, 16, 1), (4, 16, 0),
    ])
    func temporalLayer(maxFps: Double?, frameRate: Double, expected: Int?) {
        #expect(SimulcastLayerPolicy.temporalLayer(maxFps: maxFps, frameRate: frameRate) == expected)
    }

    @Test(arguments: [
        // (maxWidth, maxHeight, sizes known?, expected)
        (nil as Int?, nil as Int?, true, nil as Int?),
        (320, 180, true, 0), (340, 190, true, 0), (400, 225, true, 1), (640, 360, true, 1),
        (1280, 720, true, 2), (1920, 1080, true, 2), (300, 600, true, 2), (nil, 150, true, 0),
        (640, 360, false, 1), (200, 100, false, 0),
    ])
    func layerForViewSize(w: Int?, h: Int?, known: Bool, expected: Int?) {
        let sizes: [(width: Int, height: Int)?] = known ? [(320, 180), (640, 360), (1280, 720)] : [nil, nil, nil]
        #expect(SimulcastLayerPolicy.layer(maxWidth: w, maxHeight: h, sizes: sizes) == expected)
    }

    @Test(arguments: [
        (3, [Int?](), [true, false, false]),
        (3, [nil], [true, false, true]),
        (3, [0, 0], [true, false, false]),
        (3, [1, nil], [true, true, true]),
        (3, [7], [true, false, true]),          // above the top: the top
        (1, [nil], [true]),
    ])
    func dynacastWantedLayers(count: Int, prefs: [Int?], expected: [Bool]) {
        #expect(SimulcastLayerPolicy.wantedLayers(layerCount: count, preferences: prefs) == expected)
    }

    @Test(arguments: [(0.0, 5), (1.9, 5), (2.0, 4), (4.9, 4), (5, 3), (9.9, 3), (10, 2), (19.9, 2), (20, 1), (100, 1)])
    func quality(loss: Double, score: Int) {
        #expect(QualityScore.score(lossPercent: loss) == score)
    }
}

/// SSRC-based simulcast (`a=ssrc-group:SIM`, as older Firefox and some native stacks send it):
/// the group's SSRCs are the layers, lowest first.
@Suite struct SFURouterSSRCSimulcastTests {
    @Test func simGroupSSRCsAreLayers() throws {
        var table = IncomingStreamTable()
        table.add(.init(mid: Mid("1")!, ssrcs: [SSRC(11), SSRC(22), SSRC(33)], publication: 0,
                        layerSSRCs: [SSRC(11), SSRC(22), SSRC(33)]))
        for (ssrc, layer) in [(22, 1), (11, 0), (33, 2)] as [(UInt32, Int)] {
            let h = RTPHeader(payloadType: PayloadType(96), sequenceNumber: SequenceNumber(1), timestamp: 0,
                              ssrc: SSRC(ssrc))
            #expect(table.resolve(h, RTPExtensionValues()) == .init(publication: 0, layer: layer, isRepair: false))
        }
        let unknown = RTPHeader(payloadType: PayloadType(96), sequenceNumber: SequenceNumber(1), timestamp: 0,
                                ssrc: SSRC(44))
        #expect(table.resolve(unknown, RTPExtensionValues()) == nil)
    }

    @Test func aSIMOfferPublishesOneTrackWithThreeLayers() throws {
        let world = RouterTestWorld()
        let c = try world.join(publish: false)
        let pub = PeerConnection(configuration: c.configuration(c.publisherAddress, ufrag: "cpubS"))
        var text = pub.createOffer(sections: [SDPOfferSection(mid: Mid("0")!, kind: .video, direction: .sendonly)])
            .serialized()
        // The SIM group and its SSRCs, as a legacy simulcast sender writes them.
        let sim = "a=ssrc-group:SIM 1001 1002 1003\r\n"
            + [1001, 1002, 1003].map { "a=ssrc:\($0) cname:legacy\r\n" }.joined()
        text = text.replacingOccurrences(of: "a=rtcp-mux\r\n", with: "a=rtcp-mux\r\n" + sim)
        _ = try world.router.publish(offer: SessionDescription.parse(text), from: c.id, now: world.now)
        let track = try #require(world.router.tracks(of: c.id).first)
        #expect(track.rids.isEmpty)
        #expect(world.router.publication(of: track.id)?.layerCount == 3)
    }
}

/// Congestion feedback to publishers: transport-wide feedback to one that negotiated
/// transport-cc (its own estimator sizes its uplink), REMB from a receive-side estimate to one
/// that sends only abs-send-time, and the fixed REMB allowance to one that gives neither.
@Suite struct SFURouterPublisherFeedbackTests {
    static func parsed(_ packets: [[UInt8]]) -> [RTCPPacket] {
        packets.flatMap { bytes in
            bytes.withUnsafeBytes { raw -> [RTCPPacket] in
                var it = RTCPCompoundIterator(raw, paddingPolicy: .anyPacket)
                var out: [RTCPPacket] = []
                while let slice = try? it.next() { if let p = try? RTCPPacket.parse(slice) { out.append(p) } }
                return out
            }
        }
    }

    @Test func transportCCPublisherGetsFeedbackEvery50ms() throws {
        let world = RouterTestWorld()
        let pub = try world.join(realVideo: true)
        try world.join(publish: false)
        world.run(for: .seconds(2))
        let before = Self.parsed(pub.rtcpReceivedOnPublisher).count
        let sentBefore = pub.twcc
        world.run(for: .seconds(4), media: true)
        let all = Self.parsed(pub.rtcpReceivedOnPublisher).dropFirst(before)
        let feedback = all.compactMap { p -> TransportWideCongestionControl? in
            if case .transportWideCongestionControl(let f) = p { return f } else { return nil }
        }
        // 4 s at one feedback per 50 ms (while packets arrive).
        #expect(feedback.count >= 60 && feedback.count <= 90, "\(feedback.count) feedback packets")
        var received = Set<UInt16>()
        for f in feedback {
            var it = f.makePacketIterator()
            while let r = it.next() { if r.isReceived { received.insert(r.sequenceNumber.rawValue) } }
        }
        let sent = Set((sentBefore..<pub.twcc).map { $0 })
        // Everything sent was reported received (no loss on this link), but the last 50 ms.
        #expect(sent.subtracting(received).count <= 20, "\(sent.subtracting(received).count) of \(sent.count) not reported")
        // Feedback counts follow each other; no REMB for it.
        let counts = feedback.map(\.feedbackPacketCount)
        #expect(zip(counts, counts.dropFirst()).allSatisfy { $1 == $0 &+ 1 })
        #expect(!all.contains { if case .receiverEstimatedMaximumBitrate = $0 { return true } else { return false } })
        #expect(world.router.stats.transportFeedbackSent >= UInt64(feedback.count))
    }

    static func rembs(_ c: RouterTestClient) -> [UInt64] {
        parsed(c.rtcpReceivedOnPublisher).compactMap { p in
            if case .receiverEstimatedMaximumBitrate(let r) = p { return r.bitrate } else { return nil }
        }
    }

    @Test func absSendTimePublisherGetsAnEstimatedREMB() throws {
        let world = RouterTestWorld()
        let pub = try world.join()
        pub.sendsAbsSendTime = true
        let plain = try world.join()
        world.run(for: .seconds(2))
        world.run(for: .seconds(6), media: true)
        let estimated = Self.rembs(pub)
        // From the receive-side estimate: it starts low and grows while nothing is congested;
        // never the fixed allowance, never above it.
        #expect(estimated.count >= 5, "\(estimated)")
        #expect(estimated.allSatisfy { $0 < 2_500_000 }, "\(estimated)")
        #expect((estimated.last ?? 0) > (estimated.first ?? .max), "\(estimated)")
        #expect(world.router.stats.rembSent >= UInt64(estimated.count))
        // A publisher with neither transport-cc nor abs-send-time gets the allowance.
        #expect(Self.rembs(plain).contains(2_500_000))
    }
}

/// What a publisher's SDP declares per simulcast layer (rid restrictions, RFC 8851) stands
/// for its layer sizes and frame rates until media measures them.
@Suite struct SFURouterDeclaredLayerTests {
    @Test func ridRestrictionsGiveLayerSizesAndFrameRates() throws {
        var text = String(decoding: try SDPTestSupport.fixtureBytes("chromium-offer-simulcast.sdp"), as: UTF8.self)
        text = text.replacingOccurrences(of: "a=rid:q send\r\n", with: "a=rid:q send max-width=320;max-height=180;max-fps=15\r\n")
        text = text.replacingOccurrences(of: "a=rid:h send\r\n", with: "a=rid:h send max-width=640;max-height=360\r\n")
        #expect(text.contains("max-fps=15"))
        let offer = try SessionDescription.parse(Array(text.utf8))
        let router = SFURouter(configuration: .init(certificate: DTLSTestCertificates.bob,
                                                    hostAddresses: [ICEHostAddress(base: RouterTestWorld.routerAddress)]))
        let id = router.addParticipant(room: SFURoomID(1), publisherCredentials: RouterTestWorld.credentials("p"),
                                       subscriberCredentials: RouterTestWorld.credentials("s"), now: .zero)
        _ = try router.publish(offer: offer, from: id, now: .zero)
        var video: SFUTrackInfo?
        while let o = router.pollOutput() {
            if case .event(.trackPublished(let t)) = o, t.kind == .video { video = t }
        }
        let track = try #require(video)
        let sizes = router.layerSizes(of: track.id)
        #expect(sizes.count == 3)
        #expect(sizes[0]?.width == 320 && sizes[0]?.height == 180)
        #expect(sizes[1]?.width == 640 && sizes[1]?.height == 360)
        #expect(sizes[2] == nil)
        #expect(router.frameRates(of: track.id).first == 15)
    }
}
