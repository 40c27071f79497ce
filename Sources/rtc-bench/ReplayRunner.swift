import CMallocCounter
@_spi(Benchmark) import RTCCore

/// How much of the server path one replay run exercises (each measured separately).
enum ReplayStage: String, CaseIterable {
    /// The router's publisher PeerConnection alone: demux, SRTP unprotect in place, RTP view.
    case receive
    /// The router with egress protection off: receive + stream resolution + layer gate +
    /// rewrite into egress slots, without the SRTP library.
    case route
    /// The whole hot path, as sfu-server runs it: `SFURouter.handle(.datagram)` then every
    /// `pollOutput()` transmit (SRTP protected in place).
    case full
}

/// Runs a fixture through one ``ReplayWorld`` pass after pass, exactly as sfu-server drives
/// its router per datagram:
///
/// ```
/// prepared SRTP datagram ─copy─▶ rx ─router.handle(.datagram)─▶ router.pollTransmit()
///   ─▶ .transmit to a subscriber: count (every 1000th kept as a sample to verify)
/// ```
/// Each pass is prepared first (untimed: the fixture's packets get continuing sequence
/// numbers and timestamps and are protected with the publisher client's SRTP session), then
/// replayed timed. Pass 0 is warm-up; time and allocations count from pass 1.
final class ReplayRunner {
    let world: ReplayWorld
    let fixture: ReplayFixture
    let stage: ReplayStage

    // Prepared pass: protected datagrams back to back.
    private let prepared: UnsafeMutableRawBufferPointer
    private var offsets: [Int]
    private var lengths: [Int]
    private var nows: [Instant]
    private let rx: UnsafeMutableRawBufferPointer
    static let bufferCapacity = 65_536 + SRTPSession.rtcpTrailerRoom

    // Sink.
    var ingressRTP: UInt64 = 0
    var ingressDropped: UInt64 = 0
    var unroutable: UInt64 = 0
    /// RTX packets and repair streams, which the forwarding path skips by design.
    var repairSkipped: UInt64 = 0
    var egressPackets: UInt64 = 0
    var egressBytes: UInt64 = 0
    var egressFailures: UInt64 = 0
    /// Subscriber index by router participant slot (for samples).
    private var subscriberBySlot: [Int]

    // Samples of egress packets (every `sampleEvery`-th), checked after the run.
    static let sampleSlots = 512
    static let sampleSize = 1600
    let sampleEvery: UInt64
    private let samples: UnsafeMutableRawBufferPointer
    private var sampleLengths: [Int]
    private var sampleSlot: [Int]
    private(set) var sampleCount = 0

    init(world: ReplayWorld, fixture: ReplayFixture, stage: ReplayStage, sampleEvery: UInt64 = 1000) {
        self.world = world
        self.fixture = fixture
        self.stage = stage
        self.sampleEvery = max(1, sampleEvery)
        var total = 0
        var offs: [Int] = []
        for p in fixture.packets {
            offs.append(total)
            total += (p.bytes.count + SRTPSession.rtcpTrailerRoom + 15) & ~15
        }
        prepared = .allocate(byteCount: max(16, total), alignment: 16)
        offsets = offs
        lengths = [Int](repeating: 0, count: fixture.packets.count)
        nows = [Instant](repeating: .zero, count: fixture.packets.count)
        rx = .allocate(byteCount: Self.bufferCapacity, alignment: 16)
        samples = .allocate(byteCount: Self.sampleSlots * Self.sampleSize, alignment: 16)
        sampleLengths = [Int](repeating: 0, count: Self.sampleSlots)
        sampleSlot = [Int](repeating: 0, count: Self.sampleSlots)
        let slots = (world.subscriberIDs.map(\.slot).max() ?? 0) + 1
        subscriberBySlot = [Int](repeating: -1, count: slots)
        for (i, id) in world.subscriberIDs.enumerated() { subscriberBySlot[id.slot] = i }
        world.router.protectsEgress = stage != .route
    }

    deinit {
        prepared.deallocate()
        rx.deallocate()
        samples.deallocate()
    }

    /// Virtual time of pass 0's first packet (after the handshakes).
    var baseNanos: Int64 { world.now.nanoseconds + 1_000_000_000 }

    /// Fills the prepared buffer with pass `pass`: sequence numbers and timestamps continue
    /// from the previous pass, then each packet is SRTP-protected by the publisher's client.
    func prepare(pass: Int) throws {
        let client = world.publisherClient
        let p64 = UInt64(pass)
        for (i, pkt) in fixture.packets.enumerated() {
            let base = prepared.baseAddress! + offsets[i]
            let room = UnsafeMutableRawBufferPointer(start: base, count: pkt.bytes.count + SRTPSession.rtcpTrailerRoom)
            pkt.bytes.withUnsafeBytes { room.copyMemory(from: $0) }
            let ssrc = UInt32(room[8]) << 24 | UInt32(room[9]) << 16 | UInt32(room[10]) << 8 | UInt32(room[11])
            if let span = fixture.spans[ssrc] {
                let seq = (UInt16(room[2]) << 8 | UInt16(room[3])) &+ UInt16(truncatingIfNeeded: UInt64(span.sequence) &* p64)
                let ts = (UInt32(room[4]) << 24 | UInt32(room[5]) << 16 | UInt32(room[6]) << 8 | UInt32(room[7]))
                    &+ UInt32(truncatingIfNeeded: UInt64(span.ticks) &* p64)
                room[2] = UInt8(seq >> 8); room[3] = UInt8(truncatingIfNeeded: seq)
                room[4] = UInt8(ts >> 24); room[5] = UInt8(truncatingIfNeeded: ts >> 16)
                room[6] = UInt8(truncatingIfNeeded: ts >> 8); room[7] = UInt8(truncatingIfNeeded: ts)
            }
            lengths[i] = try client.protectRTP(room, length: pkt.bytes.count)
            nows[i] = Instant(nanoseconds: baseNanos + Int64(pass) * fixture.passNanos + pkt.offsetNanos)
        }
    }

    /// Replays the prepared pass through the server path.
    @inline(never)
    func replay() {
        let router = world.router
        let from = world.publisherAddress
        let local = ReplayWorld.serverAddress
        let base = prepared.baseAddress!
        let before = router.stats
        let publisherConnection = world.serverPublisher
        for i in 0..<lengths.count {
            let n = lengths[i]
            let now = nows[i]
            rx.baseAddress!.copyMemory(from: base + offsets[i], byteCount: n)
            if stage == .receive {
                // The transport alone: what every stage pays before routing.
                guard case .rtp = publisherConnection?.handle(datagram: rx, length: n, from: from, local: local, now: now)
                else {
                    ingressDropped &+= 1
                    continue
                }
                ingressRTP &+= 1
                continue
            }
            router.handle(.datagram(rx, length: n, from: from, local: local), now: now)
            while let t = router.pollTransmit() {
                guard t.connection.role == .subscriber else { continue }
                egressPackets &+= 1
                egressBytes &+= UInt64(t.bytes.count)
                if stage == .full, egressPackets % sampleEvery == 0, sampleCount < Self.sampleSlots,
                   t.bytes.count <= Self.sampleSize, let src = t.bytes.baseAddress {
                    (samples.baseAddress! + sampleCount * Self.sampleSize).copyMemory(from: src, byteCount: t.bytes.count)
                    sampleLengths[sampleCount] = t.bytes.count
                    let slot = t.connection.participant.slot
                    sampleSlot[sampleCount] = slot < subscriberBySlot.count ? subscriberBySlot[slot] : -1
                    sampleCount += 1
                }
            }
            while router.pollOutput() != nil {}
        }
        if stage != .receive {
            let after = router.stats
            ingressRTP &+= after.rtpIn &- before.rtpIn
            unroutable &+= after.unroutable &- before.unroutable
            repairSkipped &+= after.repairPackets &- before.repairPackets
            egressFailures &+= (after.egressFailures &- before.egressFailures) &+ (after.egressOverflow &- before.egressOverflow)
            var dropped: UInt64 = 0
            for (a, b) in zip(after.peerDrops, before.peerDrops) { dropped &+= a &- b }
            ingressDropped &+= dropped
        }
    }

    /// Unprotects every kept sample with its subscriber client's keys and parses it: returns
    /// (checked, failures with a reason). Each must carry one of that subscriber's SSRCs.
    func verifySamples() -> (checked: Int, failures: [String]) {
        var failures: [String] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.sampleSize + 64, alignment: 16)
        defer { buffer.deallocate() }
        let subs = world.subscriptions
        for i in 0..<sampleCount {
            let s = sampleSlot[i]
            guard s >= 0, s < world.subscriberClients.count, let client = world.subscriberClients[s] else {
                failures.append("sample \(i): no subscriber")
                continue
            }
            let ssrcs = Set(subs.compactMap { $0.count > s ? $0[s].outSSRC.rawValue : nil })
            buffer.copyMemory(from: UnsafeRawBufferPointer(start: samples.baseAddress! + i * Self.sampleSize,
                                                           count: sampleLengths[i]))
            let r = client.handle(datagram: buffer, length: sampleLengths[i], from: ReplayWorld.serverAddress,
                                  local: world.subscriberAddresses[s], now: world.now)
            switch r {
            case .rtp(let h, _, _):
                if !ssrcs.contains(h.ssrc.rawValue) {
                    failures.append("sample \(i): SSRC \(h.ssrc.rawValue), expected one of \(ssrcs)")
                }
            case .dropped(let reason):
                failures.append("sample \(i) (subscriber \(s)): dropped \(reason)")
            default:
                failures.append("sample \(i): not RTP")
            }
        }
        return (sampleCount, failures)
    }

    /// Egress packets this pass should produce: per subscription, the ingress packets of its
    /// track and current layer (padding excluded). Valid when no subscription switched layer
    /// during the pass (see ``layerSnapshot``).
    func expectedEgress() -> UInt64 {
        var total: UInt64 = 0
        for (t, subs) in world.subscriptions.enumerated() {
            var perLayer = [UInt64](repeating: 0, count: max(1, world.publications[t].layerCount))
            for p in fixture.packets where p.track == t && !p.isPadding && p.layer < perLayer.count {
                perLayer[p.layer] &+= 1
            }
            for s in subs {
                guard !s.paused, let l = s.currentLayer, l < perLayer.count else { continue }
                total &+= perLayer[l]
            }
        }
        return total
    }

    /// Packets of single-stream SVC tracks that subscriptions did not get because their layer
    /// filter left them out, so far: with the dependency descriptor (AV1) a decode target
    /// leaves out frames it does not need (in K-SVC the lower layers' delta frames), which
    /// the replay expects as drops, not as egress.
    func svcGatedDrops() -> UInt64 {
        var total: UInt64 = 0
        for (t, subs) in world.subscriptions.enumerated() where world.publications[t].layerCount == 1 {
            for s in subs {
                total &+= s.drops[.layerNotSelected] &+ s.drops[.temporalLayerNotSelected]
            }
        }
        return total
    }

    /// Every subscription's current layer (-1: none yet).
    func layerSnapshot() -> [Int] {
        world.subscriptions.flatMap { $0.map { $0.currentLayer ?? -1 } }
    }

    /// Drops other than layer gating, summed over all subscriptions.
    func unexpectedDrops() -> [String: UInt64] {
        var t = ForwardingDrops()
        for p in world.publications { t.add(p.totalDrops) }
        var out: [String: UInt64] = [:]
        for r in [ForwardingDropReason.stale, .rewriteFailed, .paused, .padding] where t[r] > 0 { out["\(r)"] = t[r] }
        return out
    }
}
