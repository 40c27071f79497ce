/// A closed-loop, deterministic congestion-control simulation in virtual time: an SFU sending
/// one subscriber a simulcast video track (one layer forwarded at a time) and an audio track,
/// through the real ``PacketPacer``, ``SendSideBandwidthEstimator`` and ``BitrateAllocator``,
/// over a ``BottleneckLink``, with a receiver answering by ``TWCCFeedbackGenerator`` feedback.
///
/// ```
///  publisher layers ──► layer gate ──► PacketPacer ──► BottleneckLink ──► receiver
///     (30 fps, keyframes      ▲            ▲ probes,        (capacity        │ TWCC every
///      on request)            │            │ padding         schedule,       │ 50 ms
///                        allocator ◄── SendSideBandwidthEstimator ◄── return path (fixed delay)
/// ```
///
/// - Video: each layer produces frames of `bitrate / fps` bytes (a keyframe is
///   `keyframeFactor` times bigger), packetised into ≤ 1,200-byte packets. The gate forwards
///   one layer; switching to another layer (up or down, or resuming) requests a keyframe of it,
///   which arrives `keyframeRequestDelay` later, and the switch happens on that keyframe.
///   Going up, the old layer keeps flowing until then; going down it stops at once
///   (`immediateDownswitch`: a short hold of the last frame rather than more congestion).
///   Pausing is immediate.
/// - Audio: one packet every 20 ms.
/// - The pacer paces at `pacingFactor` × the target; while the allocation is capped by the
///   estimate (the wanted bitrate is above what was allocated) it pads up to the target, so
///   the estimate keeps measuring the path rather than the application.
/// - Metrics are collected in bins of `binSize` (see ``Bin``) and per packet queueing delay.
public struct CongestionScenario: Sendable {
    public struct Configuration: Sendable {
        public var schedule: CapacitySchedule
        public var queueLimitBytes = 50_000
        public var propagationDelay: Duration = .milliseconds(20)
        public var returnDelay: Duration = .milliseconds(20)
        public var lossRate = 0.0
        public var seed: UInt64 = 1
        public var duration: Duration = .seconds(60)
        /// Bitrate of each simulcast layer, lowest first.
        public var layerBitrates: [Int64] = [150_000, 500_000, 1_700_000]
        public var audioBitrate: Int64 = 40_000
        public var fps = 30
        public var keyframeFactor = 4.0
        public var keyframeRequestDelay: Duration = .milliseconds(50)
        public var feedbackInterval: Duration = .milliseconds(50)
        public var startBitrate: Int64 = 800_000
        public var pacingFactor = 1.5
        public var padToTarget = true
        /// Switching down stops the higher layer at once instead of at the lower keyframe.
        public var immediateDownswitch = true
        public var binSize: Duration = .milliseconds(250)

        public init(schedule: CapacitySchedule) { self.schedule = schedule }
    }

    /// Measurements over one bin of time.
    public struct Bin: Sendable {
        public var start: Instant
        /// Link capacity at the bin's start (bps).
        public var capacity: Int64
        /// Bits the server put on the link (offered to the queue): media + padding + probes.
        public var sentBits: Int64 = 0
        public var sentMediaBits: Int64 = 0
        /// Padding and probe padding bits sent.
        public var sentPaddingBits: Int64 = 0
        /// Bits that came out of the link.
        public var deliveredBits: Int64 = 0
        public var deliveredMediaBits: Int64 = 0
        /// The target at the end of the bin (bps).
        public var target: Int64 = 0
        /// The forwarded layer at the end of the bin (nil: paused).
        public var layer: Int?
        /// The largest queueing delay of a delivered packet that entered the link in this bin.
        public var maxQueueDelay: Duration = .zero
        public var queueDrops = 0

        public var sentBitrate: Double { Double(sentBits) / binSeconds }
        public var deliveredBitrate: Double { Double(deliveredBits) / binSeconds }
        public var deliveredMediaBitrate: Double { Double(deliveredMediaBits) / binSeconds }
        var binSeconds: Double = 0.25
    }

    public struct Result: Sendable {
        public var bins: [Bin]
        /// (time the packet entered the link, its queueing delay), for delivered packets.
        public var queueDelays: [(Instant, Duration)]
        /// (time, new forwarded layer or nil) for every switch.
        public var layerSwitches: [(Instant, Int?)]
        public var probesSent: Int
        public var linkStats: BottleneckLink<Int>.Stats
        public var estimator: SendSideBandwidthEstimator
        public var wantedBitrate: Int64
    }

    enum Kind: UInt8 { case audio, video, padding }

    struct Pending { var size = 0; var kind = Kind.audio }

    /// Runs the scenario to its end.
    public static func run(_ c: Configuration) -> Result {
        let binNs = max(1, c.binSize.rtcNanoseconds)
        let binCount = Int(c.duration.rtcNanoseconds / binNs) + 1
        var bins = (0..<binCount).map { i -> Bin in
            let start = Instant(nanoseconds: Int64(i) * binNs)
            var b = Bin(start: start, capacity: c.schedule.bitrate(at: start))
            b.binSeconds = Double(binNs) / 1e9
            return b
        }
        func bin(_ t: Instant) -> Int { min(max(0, Int(t.nanoseconds / binNs)), binCount - 1) }

        var bwe = SendSideBandwidthEstimator(configuration: .init(startBitrate: c.startBitrate))
        var pacer = PacketPacer(pacingBitrate: Int64(Double(c.startBitrate) * c.pacingFactor),
                                configuration: .init(queueCapacity: 4096))
        var link = BottleneckLink<Int>(schedule: c.schedule, queueLimitBytes: c.queueLimitBytes,
                                       propagationDelay: c.propagationDelay, lossRate: c.lossRate,
                                       seed: c.seed, capacity: 8192)
        var twcc = TWCCFeedbackGenerator(senderSSRC: SSRC(2), mediaSSRC: SSRC(1), interval: c.feedbackInterval)
        var returnPath: [(due: Instant, fb: TransportWideCongestionControl, built: Instant, lastArrival: Instant, lastSeq: UInt16)] = []
        var pending = [Pending](repeating: Pending(), count: 8192)
        var nextToken = 0
        var transportSeq: UInt16 = 0
        var sendTimes = [Instant](repeating: .zero, count: 65536)
        var arrivalTimes = [Instant](repeating: .zero, count: 65536)
        var kinds = [Kind](repeating: .audio, count: 65536)
        var queueDelays: [(Instant, Duration)] = []
        queueDelays.reserveCapacity(100_000)
        var switches: [(Instant, Int?)] = []
        var probes = 0

        let layers = c.layerBitrates
        var forwarding: Int? = nil
        var target: AllocationTarget? = nil
        var keyframeDue: [Instant?] = Array(repeating: nil, count: layers.count)
        var wanted: Int64 = 0
        var allocated: Int64 = 0
        var backoff = LayerUpgradeBackoff()
        let frameNs = 1_000_000_000 / Int64(max(1, c.fps))
        var nextFrame = Instant.zero
        var nextAudio = Instant.zero
        let end = Instant.zero + c.duration

        func enqueue(_ size: Int, _ kind: Kind, _ prio: PacketPacer.Priority, _ now: Instant) {
            let token = nextToken
            nextToken = nextToken &+ 1 == pending.count ? 0 : nextToken &+ 1
            pending[token] = Pending(size: size, kind: kind)
            pacer.enqueue(token: token, size: size, priority: prio, now: now)
        }

        func reallocate(_ now: Instant) {
            let t = bwe.targetBitrate
            let available = bwe.allocatableBitrate
            let inputs = [
                AllocationInput(id: 0, kind: .audio, layerBitrates: [[c.audioBitrate]]),
                AllocationInput(id: 1, kind: .video, layerBitrates: layers.map { [$0] }, current: target,
                                upgradeHeadroom: backoff.headroom(now: now)),
            ]
            let r = BitrateAllocator.allocate(available: available, tracks: inputs)
            wanted = r.wantedBitrate
            allocated = r.allocatedBitrate
            bwe.setMaxWantedBitrate(wanted, now: now)
            let newTarget = r.targets[1]
            if newTarget != target {
                func cost(_ t: AllocationTarget?) -> Int64 {
                    if case .layer(let s, _)? = t { return layers[s] }
                    return 0
                }
                backoff.onChange(fromBitrate: cost(target), toBitrate: cost(newTarget), now: now)
                target = newTarget
                switch newTarget {
                case .paused:
                    if forwarding != nil {
                        forwarding = nil
                        switches.append((now, nil))
                    }
                case .layer(let s, _):
                    if s != forwarding, keyframeDue[s] == nil { keyframeDue[s] = now + c.keyframeRequestDelay }
                    // Down: stop the higher layer at once (the receiver holds its last frame until
                    // the lower layer's keyframe) rather than keep congesting the link.
                    if c.immediateDownswitch, let f = forwarding, s < f {
                        forwarding = nil
                        switches.append((now, nil))
                    }
                }
            }
            pacer.setPacingBitrate(Int64(Double(t) * c.pacingFactor))
            pacer.setPaddingBitrate(c.padToTarget && wanted > allocated && bwe.isPaddingAllowed ? t : 0)
            while let p = bwe.pollProbeCluster() {
                pacer.startProbe(p)
                probes += 1
            }
        }

        var now = Instant.zero
        bwe.start(now: now)
        reallocate(now)
        // A guard against a component whose deadline never advances (a bug would otherwise
        // hang the test): at most 200 events per simulated millisecond.
        var steps = 0
        let maxSteps = Int(c.duration.rtcNanoseconds / 1_000_000) * 200
        while now <= end, steps < maxSteps {
            steps += 1
            // Media production.
            if now >= nextAudio {
                let size = Int(c.audioBitrate / 8 / 50)
                enqueue(size, .audio, .audio, now)
                nextAudio = nextAudio + .milliseconds(20)
            }
            if now >= nextFrame {
                for (s, b) in layers.enumerated() {
                    var size = Double(b) / 8 / Double(c.fps)
                    var isKey = false
                    if let due = keyframeDue[s], now >= due {
                        isKey = true
                        keyframeDue[s] = nil
                        size *= c.keyframeFactor
                    }
                    if isKey, case .layer(let ts, _)? = target, ts == s, forwarding != s {
                        forwarding = s
                        switches.append((now, s))
                    }
                    guard forwarding == s else { continue }
                    var remaining = Int(size)
                    let packets = (remaining + 1199) / 1200
                    let per = packets > 0 ? (remaining + packets - 1) / packets : 0
                    while remaining > 0 {
                        let p = min(per, remaining)
                        enqueue(p, .video, .video, now)
                        remaining -= p
                    }
                }
                nextFrame = nextFrame + .nanoseconds(frameNs)
            }
            // Link deliveries → receiver.
            while let d = link.poll(now: now) {
                let seq = UInt16(truncatingIfNeeded: d.payload)
                twcc.onPacketReceived(sequenceNumber: seq, arrivalTime: d.arrival)
                arrivalTimes[Int(seq)] = d.arrival
                queueDelays.append((d.sentAt, d.queueDelay))
                let sb = bin(d.sentAt)
                if d.queueDelay > bins[sb].maxQueueDelay { bins[sb].maxQueueDelay = d.queueDelay }
                let i = bin(d.arrival)
                bins[i].deliveredBits += Int64(d.size) * 8
                if kinds[Int(seq)] != .padding { bins[i].deliveredMediaBits += Int64(d.size) * 8 }
            }
            // Receiver feedback.
            if let (due, _) = twcc.nextTimeout(), due <= now { twcc.handleTimeout(now: now) }
            while let fb = twcc.pollFeedback() {
                let count = Int(fb.packetStatusCount)
                let lastSeq = fb.baseSequenceNumber.rawValue &+ UInt16(truncatingIfNeeded: max(0, count - 1))
                returnPath.append((now + c.returnDelay, fb, now, arrivalTimes[Int(lastSeq)], lastSeq))
            }
            while let first = returnPath.first, first.due <= now {
                returnPath.removeFirst()
                bwe.onFeedback(first.fb, now: now)
                let rtt = (now - sendTimes[Int(first.lastSeq)]) - (first.built - first.lastArrival)
                bwe.onRTT(rtt, now: now)
                reallocate(now)
            }
            if let (due, _) = bwe.nextTimeout(), due <= now {
                bwe.handleTimeout(now: now)
                reallocate(now)
            }
            // Pacer → link.
            while let out = pacer.poll(now: now) {
                var size = 0
                var kind = Kind.padding
                var probe: Int?
                switch out {
                case .packet(let token, let s, _, let p):
                    size = s
                    kind = pending[token].kind
                    probe = p
                case .padding(let s, let p):
                    size = s
                    probe = p
                }
                let seq = transportSeq
                transportSeq &+= 1
                sendTimes[Int(seq)] = now
                kinds[Int(seq)] = kind
                bwe.onPacketSent(sequenceNumber: seq, size: size, probeClusterID: probe, now: now)
                let i = bin(now)
                bins[i].sentBits += Int64(size) * 8
                if kind == .padding { bins[i].sentPaddingBits += Int64(size) * 8 } else { bins[i].sentMediaBits += Int64(size) * 8 }
                let before = link.stats.queueDropped
                link.send(Int(seq), size: size, now: now)
                bins[i].queueDrops += link.stats.queueDropped - before
            }
            let bi = bin(now)
            bins[bi].target = bwe.targetBitrate
            bins[bi].layer = forwarding

            // Next event.
            var next = min(nextAudio, nextFrame)
            if let t = pacer.nextSendTime() { next = min(next, max(t, now + .nanoseconds(1))) }
            if let t = link.nextDelivery() { next = min(next, max(t, now + .nanoseconds(1))) }
            if let (t, _) = twcc.nextTimeout() { next = min(next, max(t, now + .nanoseconds(1))) }
            if let f = returnPath.first { next = min(next, max(f.due, now + .nanoseconds(1))) }
            if let (t, _) = bwe.nextTimeout() { next = min(next, max(t, now + .nanoseconds(1))) }
            now = max(next, now + .nanoseconds(1))
        }
        // Carry the last state into bins with no events.
        for i in 1..<bins.count where bins[i].target == 0 {
            bins[i].target = bins[i - 1].target
            bins[i].layer = bins[i - 1].layer
        }
        return Result(bins: bins, queueDelays: queueDelays, layerSwitches: switches, probesSent: probes,
                      linkStats: link.stats, estimator: bwe, wantedBitrate: wanted)
    }
}

extension CongestionScenario.Result {
    /// Bins whose start lies in `range` (seconds).
    public func bins(in range: Range<Double>) -> [CongestionScenario.Bin] {
        bins.filter { range.contains(Double($0.start.nanoseconds) / 1e9) }
    }

    /// Seconds from `start` to the end of the first bin in `range` whose sent rate is at most
    /// `factor` × capacity; nil if none.
    public func reactionTime(in range: Range<Double>, factor: Double = 1.1) -> Double? {
        guard let b = bins(in: range).first(where: { $0.sentBitrate <= factor * Double($0.capacity) }) else { return nil }
        return Double(b.start.nanoseconds) / 1e9 + b.binSeconds - range.lowerBound
    }

    /// The share of bins in `range` whose sent rate exceeds `factor` × capacity.
    public func shareAbove(in range: Range<Double>, factor: Double = 1.1) -> Double {
        let b = bins(in: range)
        guard !b.isEmpty else { return 0 }
        return Double(b.filter { $0.sentBitrate > factor * Double($0.capacity) }.count) / Double(b.count)
    }

    /// The `p` quantile (0…1) of the queueing delay of packets that entered the link in `range`.
    public func queueDelayQuantile(_ p: Double, in range: Range<Double>) -> Duration {
        let d = queueDelays.filter { range.contains(Double($0.0.nanoseconds) / 1e9) }.map(\.1).sorted()
        guard !d.isEmpty else { return .zero }
        let i = min(d.count - 1, max(0, Int((Double(d.count) * p).rounded(.up)) - 1))
        return d[i]
    }

    /// Seconds from `from` until `layer` is forwarded in every later bin up to `until`; nil if never.
    public func timeToLayer(_ layer: Int, from: Double, until: Double) -> Double? {
        let b = bins(in: from..<until)
        guard let lastOther = b.lastIndex(where: { $0.layer != layer }) else { return 0 }
        guard lastOther + 1 < b.count else { return nil }
        return Double(b[lastOther + 1].start.nanoseconds) / 1e9 - from
    }

    /// Delivered bits over `range` ÷ (min(capacity, demand) over it): `media` counts only media.
    public func utilisation(in range: Range<Double>, demand: Int64, media: Bool = false) -> Double {
        let b = bins(in: range)
        let delivered = b.reduce(0.0) { $0 + Double(media ? $1.deliveredMediaBits : $1.deliveredBits) }
        let usable = b.reduce(0.0) { $0 + Double(min($1.capacity, demand)) * $1.binSeconds }
        return usable > 0 ? delivered / usable : 0
    }

    /// The number of layer switches whose time lies in `range`.
    public func switches(in range: Range<Double>) -> Int {
        layerSwitches.filter { range.contains(Double($0.0.nanoseconds) / 1e9) }.count
    }

    /// The longest time in `range` during which no video layer was forwarded (the receiver
    /// holds its last frame): from a switch to paused until the next layer's keyframe.
    public func longestVideoInterruption(in range: Range<Double>) -> Duration {
        var longest = Duration.zero
        var pausedAt: Instant?
        for (t, layer) in layerSwitches {
            if layer == nil {
                if pausedAt == nil { pausedAt = t }
            } else if let p = pausedAt {
                if range.contains(Double(p.nanoseconds) / 1e9) { longest = max(longest, t - p) }
                pausedAt = nil
            }
        }
        if let p = pausedAt, range.contains(Double(p.nanoseconds) / 1e9) {
            longest = max(longest, Instant(nanoseconds: Int64(range.upperBound * 1e9)) - p)
        }
        return longest
    }
}

