/// Connection outputs, deadlines and timers.
extension SFURouter {
    // MARK: - Connections, outputs and timers

    /// Moves a connection's queued transmits into the egress buffer and handles its events.
    func drain(_ c: SFUConnection, now: Instant) {
        while let o = c.peer.pollOutput() {
            switch o {
            case .transmit(let bytes, let to, let from):
                let ok = bytes.withUnsafeBytes { egress.push($0, connection: c.id, to: to, from: from) }
                if ok {
                    stats.transmits &+= 1
                    stats.transmittedBytes &+= UInt64(bytes.count)
                } else {
                    stats.egressOverflow &+= 1
                }
            case .event(let e):
                // What the handlers below send goes to the pair as it is now.
                c.pair = c.peer.selectedPair
                if c.transport == nil { c.transport = c.peer.transport.map { Unmanaged.passUnretained($0) } }
                if case .stateChanged(let s) = e {
                    events.push(.connectionStateChanged(c.id, s))
                    if c.id.role == .subscriber, s == .closed || Self.isFailed(s), let p = participant(c.id.participant) {
                        // Nothing can reach it: stop forwarding (it resumes if it connects again).
                        for sec in p.sections {
                            if let t = sec.track, let sub = sec.subscription {
                                t.publication.removeSubscription(slot: sub.slot, outSSRC: sub.outSSRC)
                                updateLayersWanted(t)
                            }
                        }
                    }
                    if s == .connected, c.id.role == .subscriber { startSubscriptions(c.id.participant.slot, now: now) }
                    if s == .connected, c.id.role == .publisher, let p = participant(c.id.participant) {
                        sendKeyframeRequests(p, now: now)
                    }
                }
            }
        }
        c.pair = c.peer.selectedPair
        if c.transport == nil { c.transport = c.peer.transport.map { Unmanaged.passUnretained($0) } }
        noteDeadline(c)
    }

    func noteDeadline(_ c: SFUConnection) {
        let d = c.peer.nextTimeout()?.0
        if d != c.deadline {
            c.deadline = d
            timeoutDirty = true
        }
    }

    func runTimers(now: Instant) {
        for p in participants.compactMap({ $0 }) {
            for c in [p.publisher, p.subscriber].compactMap({ $0 }) {
                if let (t, _) = c.peer.nextTimeout(), t <= now {
                    c.peer.handleTimeout(now: now)
                    drain(c, now: now)
                }
            }
            var due = false
            for i in p.keyframeThrottles.indices {
                if let (t, _) = p.keyframeThrottles[i].nextTimeout(), t <= now {
                    p.keyframeThrottles[i].handleTimeout(now: now)
                    due = true
                }
            }
            if due { sendKeyframeRequests(p, now: now) }
        }
        if let due = nextNackService, now >= due {
            nextNackService = nil
            for p in participants.compactMap({ $0 }) {
                for t in p.tracks where t.kind == .video {
                    for layer in t.layers.indices where t.layers[layer].nack != nil {
                        t.layers[layer].nack?.handleTimeout(now: now)
                        serviceNacks(p, t, layer: layer, now: now)
                    }
                }
            }
        }
        if let due = nextCongestionService, now >= due { serviceCongestion(now: now) }
        if let r = nextReport, now >= r {
            report(now: now)
            nextReport = now + configuration.reportInterval
        }
        timeoutDirty = true
    }

    func computeTimeout() -> (Instant, SFUTimeoutReason)? {
        var best: (Instant, SFUTimeoutReason)? = nextReport.map { ($0, .report) }
        if let n = nextNackService, best.map({ n < $0.0 }) ?? true { best = (n, .nack) }
        if let n = nextCongestionService, best.map({ n < $0.0 }) ?? true { best = (n, .publisherFeedback) }
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
