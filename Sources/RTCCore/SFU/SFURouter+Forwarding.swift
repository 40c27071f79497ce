/// The receive path: routing datagrams, the forwarding hot path, RTCP from participants.
extension SFURouter {
    // MARK: - Receive path

    func receive(_ buffer: UnsafeMutableRawBufferPointer, length: Int, from: TransportAddress,
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
                publisherArrival(p, header, values, length: length, now: now)
                forward(header, values, buffer: buffer, length: length, from: p, now: now)
            } else {
                stats.unroutable &+= 1
            }
        case .rtcp(let length):
            stats.rtcpIn &+= 1
            let packet = UnsafeRawBufferPointer(rebasing: buffer[0..<length])
            if hasTap, let tap { tap(c.id, packet, .received) }
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
    func forward(_ header: RTPHeader, _ values: RTPExtensionValues, buffer: UnsafeMutableRawBufferPointer,
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
        if r.layer >= 0, r.layer < track.layers.count {
            if track.layers[r.layer].statistics == nil {
                track.layers[r.layer].statistics = ReceiveStreamStatistics(ssrc: header.ssrc, clockRate: track.codec.clockRate)
                if track.kind == .video {
                    track.layers[r.layer].nack = NackGenerator(senderSSRC: p.rtcpSSRC, mediaSSRC: header.ssrc,
                                                                  configuration: configuration.nack)
                }
            }
            if !isRetransmission {
                track.layers[r.layer].statistics?.handlePacket(header, now: now)
                if track.layers[r.layer].lastTimestamp != header.timestamp {
                    track.layers[r.layer].lastTimestamp = header.timestamp
                    track.layers[r.layer].framesInWindow &+= 1
                }
            }
            if track.kind == .video, protectsEgress, !track.publication.subscriptions.isEmpty {
                if track.layers[r.layer].history == nil {
                    track.layers[r.layer].history = RTXPacketCache(capacity: configuration.retransmissionPackets,
                                                                   maxPacketSize: Self.maximumPacketSize)
                }
                track.layers[r.layer].history?.store(packet, sequenceNumber: header.sequenceNumber, sentAt: now)
            }
            if track.layers[r.layer].nack != nil {
                track.layers[r.layer].nack?.handlePacket(header.sequenceNumber, isRetransmission: isRetransmission, now: now)
                if track.layers[r.layer].nack?.needsService == true { serviceNacks(p, track, layer: r.layer, now: now) }
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
            dependencyDescriptor: values.dependencyDescriptor.map { $0.data(in: packet) },
            scratch: { self.egress.nextSlot().map { UnsafeMutableRawBufferPointer(rebasing: $0[0..<egressLimit]) } },
            emit: { sub, copy in self.emit(sub, copy, now: now, source: header.sequenceNumber.rawValue, layer: r.layer) })
        if track.publication.keyframeRequested || track.unresolvedKeyframeLayer != nil {
            requestKeyframe(track, from: p, now: now)
        }
        if track.publication.sizesChanged { layerSizesChanged(track) }
    }

    /// Protects the copy written into the current egress slot and queues it.
    @inline(__always)
    func emit(_ sub: Subscription, _ copy: Publication.ForwardedCopy, now: Instant, source: UInt16, layer: Int) {
        guard let connection = sub.egressConnection else {
            stats.egressFailures &+= 1
            return
        }
        connection._withUnsafeGuaranteedRef { c in emit(sub, copy, on: c, now: now, source: source, layer: layer) }
    }

    @inline(__always)
    func emit(_ sub: Subscription, _ copy: Publication.ForwardedCopy, on c: SFUConnection, now: Instant,
              source: UInt16, layer: Int) {
        let length = copy.length
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
        sub.sendStatistics.handleSent(timestamp: copy.timestamp, payloadLength: length &- copy.payloadOffset, now: now)
        let protected = transport._withUnsafeGuaranteedRef { t in try? t.protectRTP(slot, length: length) }
        guard let n = protected else {
            stats.egressFailures &+= 1
            return
        }
        if sub.answersNacks {
            // What was sent, by its sequence number: a NACK is answered with RTX (or the
            // original) written from the layer's shared history (a small index entry here,
            // not a copy).
            if sub.indexRef == nil { sub.index = RetransmissionIndex(capacity: configuration.retransmissionPackets) }
            let seq = UInt16(slot[2]) << 8 | UInt16(slot[3])
            sub.indexRef?._withUnsafeGuaranteedRef {
                $0.record(sequence: seq, sourceSequence: source, layer: layer, timestamp: copy.timestamp,
                          pictureID: copy.pictureID ?? 0xFFFF, tl0PicIdx: copy.tl0PicIdx.map { UInt16($0) } ?? 0xFFFF,
                          marker: copy.marker, generation: generation(sub, publicationSource: copy.sourceGeneration))
            }
        }
        egress.commit(length: n, connection: c.id, to: pair.remote, from: pair.local)
        stats.transmits &+= 1
        stats.transmittedBytes &+= UInt64(n)
    }

    /// RTCP from a subscriber: PLI/FIR ask the publisher of that subscription for a keyframe.
    func subscriberRTCP(_ packet: UnsafeRawBufferPointer, from p: SFUParticipant, now: Instant) {
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
    func receptionReport(_ b: ReceptionReport, from p: SFUParticipant, now: Instant) {
        guard let sub = p.sections.first(where: { $0.subscription?.outSSRC == b.ssrc })?.subscription else { return }
        sub.sendStatistics.handle(receptionReport: b, now: now, clock: configuration.ntpClock)
    }

    /// A subscriber's NACK: each packet still in its layer's history is written again as the
    /// subscriber got it and sent as RTX (RFC 4588), at most once per half RTT.
    func retransmit(_ nack: TransportLayerNack, to p: SFUParticipant, now: Instant) {
        guard let section = p.sections.first(where: { $0.subscription?.outSSRC == nack.mediaSSRC }),
              let sub = section.subscription, let t = section.track, let c = p.subscriber, let pair = c.pair,
              let transport = c.peer.transport else { return }
        sub.nacksReceived &+= 1
        stats.nacksReceived &+= 1
        guard let index = sub.index else { return }
        let minInterval = sub.roundTripTime.map { $0 / 2 } ?? .milliseconds(10)
        for seq in nack.lostSequenceNumbers {
            guard let e = index.take(seq.rawValue, now: now, minInterval: minInterval),
                  Int(e.layer) < t.layers.count, let slot = egress.nextSlot() else { continue }
            // Without RTX the original goes again, which protects the same SRTP index twice:
            // only when it is written byte for byte as before (nothing in its recipe changed).
            guard sub.rtx != nil || e.generation == generation(sub, publicationSource: t.publication.sourceGeneration)
            else { stats.resendsRefused &+= 1; continue }
            let sent = t.layers[Int(e.layer)].history?.withPacket(SequenceNumber(e.sourceSequence), now: now) { source, _ in
                resend(source, entry: e, as: seq, of: sub, track: t, transport: transport, into: slot)
            }
            guard let n = sent ?? nil else { continue }
            egress.commit(length: n, connection: c.id, to: pair.remote, from: pair.local)
            sub.retransmissionsSent &+= 1
            stats.retransmissionsSent &+= 1
            stats.transmits &+= 1
            stats.transmittedBytes &+= UInt64(n)
        }
    }

    /// Writes `source` (a packet from the layer's history) again as `sub` first sent it, with
    /// sequence number `seq`, wrapped as RTX and protected into `slot`; its length, or nil.
    private func resend(_ source: UnsafeRawBufferPointer, entry e: RetransmissionIndex.Entry, as seq: SequenceNumber,
                        of sub: Subscription, track t: SFUTrack, transport: PeerTransport,
                        into slot: UnsafeMutableRawBufferPointer) -> Int? {
        guard let (h, _) = try? RTPHeader.parseForForwarding(source, map: t.publication.sourceMap) else { return nil }
        // The packet as first sent (same sequence number, timestamp, extensions) into the
        // scratch buffer, then wrapped as RTX into the egress slot.
        guard sub.rtx != nil else { return resendOriginal(source, header: h, entry: e, as: seq, of: sub, track: t,
                                                          transport: transport, into: slot) }
        let original = retransmitScratch
        guard let w = try? sub.rewrite(sequenceNumber: seq, timestamp: e.timestamp,
                                       marker: e.marker == 0 ? nil : e.marker == 2)
            .write(packet: source, header: h, sourceMap: t.publication.sourceMap,
                   destinationMap: sub.destinationMap, into: original),
              Self.restoreVP8(e, in: original, written: w),
              Self.restoreVP9(sub, codec: t.codec, in: original, written: w),
              let oh = try? RTPHeader.parse(UnsafeRawBufferPointer(rebasing: original[0..<w.length])),
              let written = try? sub.rtx?.write(original: UnsafeRawBufferPointer(rebasing: original[0..<w.length]),
                                                header: oh, extensionMap: sub.destinationMap,
                                                into: UnsafeMutableRawBufferPointer(rebasing: slot[0..<Self.maximumPacketSize]))
        else { return nil }
        return try? transport.protectRTP(slot, length: written.length)
    }

    /// A subscriber without RTX (RFC 4588 not negotiated): the packet is written again as it
    /// was first sent, same sequence number and all, straight into `slot` (RFC 4585 generic
    /// NACK answered with the original).
    private func resendOriginal(_ source: UnsafeRawBufferPointer, header h: RTPHeader, entry e: RetransmissionIndex.Entry,
                                as seq: SequenceNumber, of sub: Subscription, track t: SFUTrack, transport: PeerTransport,
                                into slot: UnsafeMutableRawBufferPointer) -> Int? {
        let out = UnsafeMutableRawBufferPointer(rebasing: slot[0..<Self.maximumPacketSize])
        guard let w = try? sub.rewrite(sequenceNumber: seq, timestamp: e.timestamp,
                                       marker: e.marker == 0 ? nil : e.marker == 2)
            .write(packet: source, header: h, sourceMap: t.publication.sourceMap,
                   destinationMap: sub.destinationMap, into: out),
              Self.restoreVP8(e, in: out, written: w),
              Self.restoreVP9(sub, codec: t.codec, in: out, written: w)
        else { return nil }
        return try? transport.protectResentRTP(slot, length: w.length)
    }

    /// The generation an index entry records: the subscription's recipe and the
    /// publication's source map, as they were when the packet was written.
    @inline(__always)
    func generation(_ sub: Subscription, publicationSource: UInt8) -> UInt16 {
        UInt16(sub.recipeGeneration) << 8 | UInt16(publicationSource)
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

    /// Puts back the VP9 picture ID and P_DIFFs the packet first carried (the subscription's
    /// rewriter still knows the picture); true when there is nothing to restore.
    static func restoreVP9(_ sub: Subscription, codec: TrackCodec, in packet: UnsafeMutableRawBufferPointer,
                           written w: RTPWrittenPacket) -> Bool {
        guard codec == .vp9 else { return true }
        let payload = UnsafeMutableRawBufferPointer(rebasing: packet[w.payloadOffset..<(w.payloadOffset &+ w.payloadLength)])
        guard let d = try? VP9PayloadDescriptor.parse(UnsafeRawBufferPointer(payload)),
              let v = sub.vp9IDs.map(d) else { return true }
        VP9PictureIDRewriter.rewrite(payload, descriptor: d, pictureID: v.pictureID, referenceDiffs: v.referenceDiffs)
        return true
    }

    /// RTCP from a publisher: its Sender Reports (for our reports' LSR/DLSR and the
    /// subscribers' lip sync).
    func publisherRTCP(_ packet: UnsafeRawBufferPointer, from p: SFUParticipant, now: Instant) {
        var it = RTCPCompoundIterator(packet, paddingPolicy: .anyPacket)
        while let slice = try? it.next() {
            guard case .senderReport(let sr)? = try? RTCPPacket.parse(slice),
                  let e = p.streams.learnedStreams.first(where: { $0.ssrc == sr.ssrc.rawValue && !$0.resolved.isRepair }),
                  e.resolved.publication >= 0, e.resolved.publication < p.tracks.count else { continue }
            let t = p.tracks[e.resolved.publication]
            let layer = e.resolved.layer
            guard layer >= 0, layer < t.layers.count else { continue }
            t.layers[layer].senderReport = (sr.rtpTime, now)
            t.layers[layer].statistics?.handle(senderReport: sr, now: now)
        }
    }
}
