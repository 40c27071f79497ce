/// Congestion control towards publishers: the router reports what arrived so each publisher's
/// own estimator sizes its uplink.
///
/// ```
///  publisher negotiated transport-cc ──▶ every RTP packet's transport-wide sequence number and
///                                        arrival → TWCCFeedbackGenerator → feedback every 50 ms
///                                        (Chromium's and Firefox's send-side estimators work
///                                        through the SFU)
///  otherwise, abs-send-time          ──▶ ReceiveSideBandwidthEstimator → REMB with the estimate
///                                        (aiortc), capped at `publisherBitrate`
///  neither                           ──▶ REMB of `publisherBitrate` (nothing to estimate from)
/// ```
extension SFURouter {
    /// Every RTP packet from a publisher (media, RTX, bandwidth probes): its arrival.
    @inline(__always)
    func publisherArrival(_ p: SFUParticipant, _ header: RTPHeader, _ values: RTPExtensionValues,
                          length: Int, now: Instant) {
        if let seq = values.transportSequence {
            if p.transportFeedback == nil {
                p.transportFeedback = TWCCFeedbackGenerator(senderSSRC: p.rtcpSSRC, mediaSSRC: header.ssrc,
                                                            interval: configuration.transportFeedbackInterval)
            }
            p.transportFeedback?.onPacketReceived(sequenceNumber: seq, arrivalTime: now)
            noteCongestionDeadline(p.transportFeedback?.nextTimeout()?.0)
        } else if let ast = values.absSendTime, p.transportFeedback == nil {
            if p.receiveEstimator == nil {
                p.receiveEstimator = ReceiveSideBandwidthEstimator(
                    maxBitrate: Double(configuration.publisherBitrate ?? 20_000_000))
            }
            p.receiveEstimator?.onPacket(arrivalTime: now, absoluteSendTime: ast, size: length)
            noteCongestionDeadline(p.receiveEstimator?.nextTimeout()?.0)
        }
    }

    /// The earliest feedback or REMB due, kept without scanning participants per packet.
    @inline(__always)
    func noteCongestionDeadline(_ t: Instant?) {
        guard let t, nextCongestionService.map({ t < $0 }) ?? true else { return }
        nextCongestionService = t
        timeoutDirty = true
    }

    /// Sends the feedback and REMB messages that are due, and finds the next deadline.
    func serviceCongestion(now: Instant) {
        nextCongestionService = nil
        for p in participants.compactMap({ $0 }) {
            if p.transportFeedback != nil {
                if let (t, _) = p.transportFeedback?.nextTimeout(), t <= now { p.transportFeedback?.handleTimeout(now: now) }
                while let fb = p.transportFeedback?.pollFeedback() {
                    guard let c = p.publisher else { continue }
                    sendRTCP(on: c) { w throws(WriteError) in try fb.write(to: &w) }
                    stats.transportFeedbackSent &+= 1
                }
                noteCongestionDeadline(p.transportFeedback?.nextTimeout()?.0)
            }
            if p.receiveEstimator != nil {
                if let rtt = p.sections.compactMap({ $0.subscription?.roundTripTime }).max() {
                    p.receiveEstimator?.onRTT(rtt)
                }
                if let bps = p.receiveEstimator?.pollREMB(now: now), p.tracks.contains(where: { $0.kind == .video }) {
                    sendREMB(p, bitrate: min(bps, configuration.publisherBitrate ?? .max))
                    stats.rembSent &+= 1
                }
                noteCongestionDeadline(p.receiveEstimator?.nextTimeout()?.0)
            }
        }
    }

    /// Whether `p`'s uplink is sized by feedback (transport-cc or an estimated REMB); if not,
    /// the periodic report sends the fixed REMB allowance.
    func hasUplinkEstimate(_ p: SFUParticipant) -> Bool {
        p.transportFeedback != nil || p.receiveEstimator != nil
    }
}
