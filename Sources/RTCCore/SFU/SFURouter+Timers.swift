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
                    for layer in t.nackGenerators.indices where t.nackGenerators[layer] != nil {
                        t.nackGenerators[layer]?.handleTimeout(now: now)
                        serviceNacks(p, t, layer: layer, now: now)
                    }
                }
            }
        }
        if let r = nextReport, now >= r {
            report(now: now)
            nextReport = now + configuration.reportInterval
        }
        timeoutDirty = true
    }
}
