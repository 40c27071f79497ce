/// Loss recovery towards publishers: RTX unwrapping, NACK generation, RTCP sending.
extension SFURouter {
    // MARK: - Loss recovery towards publishers

    /// An RTX packet (RFC 4588 §4): finds the stream it repairs, rebuilds the original in
    /// place (primary payload type, original sequence number and SSRC, payload without the
    /// OSN) and forwards it as that packet.
    func repair(_ header: RTPHeader, _ values: RTPExtensionValues, buffer: UnsafeMutableRawBufferPointer,
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
        // Only a packet still missing is forwarded: a retransmission of one that arrived (a
        // duplicate, or one sent ahead of any NACK) would reuse its output sequence number.
        let osn = SequenceNumber(UInt16(osn0) << 8 | UInt16(osn1))
        guard layer >= 0, layer < p.tracks[ti].layers.count,
              p.tracks[ti].layers[layer].nack?.isMissing(osn) == true else {
            stats.duplicateRepairs &+= 1
            return
        }
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
    func serviceNacks(_ p: SFUParticipant, _ t: SFUTrack, layer: Int, now: Instant) {
        guard layer >= 0, layer < t.layers.count else { return }
        while let o = t.layers[layer].nack?.pollOutput() {
            switch o {
            case .nack(let nack):
                if let c = p.publisher, sendRTCP(on: c, { w throws(WriteError) in try nack.write(to: &w) }) {
                    stats.nacksSent &+= 1
                }
            case .keyframeRequest:
                if let ssrc = t.layers[layer].nack?.mediaSSRC { requestKeyframe(ssrc: ssrc, of: p, now: now) }
            }
        }
        if let (due, _) = t.layers[layer].nack?.nextTimeout(), nextNackService.map({ due < $0 }) ?? true {
            nextNackService = due
            timeoutDirty = true
        }
    }

    /// Writes one RTCP packet (or compound) with `body` into an egress slot, protects it and
    /// queues it on `c`: every RTCP message the router sends goes through here. Returns false
    /// when it could not (not secure yet, no slot, a write or protect error).
    @discardableResult
    func sendRTCP(on c: SFUConnection, _ body: (inout ByteWriter) throws(WriteError) -> Void) -> Bool {
        guard c.peer.isSecure, let pair = c.pair else { return false }
        guard let slot = egress.nextSlot() else {
            stats.egressOverflow &+= 1
            return false
        }
        var w = ByteWriter(UnsafeMutableRawBufferPointer(rebasing: slot[0..<Self.maximumPacketSize]), format: .rtcp)
        guard (try? body(&w)) != nil else { return false }
        if hasTap, let tap { tap(c.id, UnsafeRawBufferPointer(rebasing: slot[0..<w.position]), .sent) }
        guard let n = try? c.peer.protectRTCP(slot, length: w.position) else { return false }
        egress.commit(length: n, connection: c.id, to: pair.remote, from: pair.local)
        stats.transmits &+= 1
        stats.transmittedBytes &+= UInt64(n)
        return true
    }

    func keyframeWanted(by p: SFUParticipant, outSSRC: SSRC, now: Instant) {
        guard let s = p.sections.first(where: { $0.subscription?.outSSRC == outSSRC }), let t = s.track,
              let owner = participant(t.publisher) else { return }
        t.publication.requestKeyframe(forSubscriptionWithSSRC: outSSRC)
        requestKeyframe(t, from: owner, now: now)
    }
}
