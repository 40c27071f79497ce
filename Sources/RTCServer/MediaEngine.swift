import Logging
import NIOCore
import NIOPosix
import RTCCore

/// What a connection does with the media it receives.
enum MediaHandler {
    case echo(EchoSession)
    /// A participant's publisher connection: its media is forwarded to subscribers.
    case publisher(ParticipantMedia)
    /// A participant's subscriber connection: RTCP from it asks publishers for keyframes.
    case subscriber(ParticipantMedia)
}

/// One remote peer on the media port: its secure transport and its media handler.
/// Confined to the engine's event loop.
final class MediaConnection {
    let id: String
    let localUfrag: String
    let transport: PeerTransport
    var handler: MediaHandler
    var addresses: [TransportAddress] = []
    /// Local ufrags of later ICE restarts (the first is `localUfrag`).
    var restartUfrags: [String] = []
    /// Datagrams coalesced for one UDP GSO write (see `MediaEngine.transmit`).
    var gsoBuffer = ByteBuffer()
    var gsoSegment = 0
    var gsoCount = 0
    var gsoClosed = false
    /// Cached NIO address of the selected remote.
    var remoteSocket: SocketAddress?
    var remoteSocketFor: TransportAddress?
    var timer: Scheduled<Void>?
    var timerAt: Instant?
    /// Decrypted packets in and out, when the server runs with `--capture`.
    var capture: PacketCapture?
    let createdAt: Instant

    init(id: String, localUfrag: String, transport: PeerTransport, handler: MediaHandler, now: Instant) {
        self.id = id
        self.localUfrag = localUfrag
        self.transport = transport
        self.handler = handler
        self.createdAt = now
    }
}

/// The media plane: one UDP socket for all peers, demultiplexed by STUN USERNAME (the local
/// ufrag) and then by remote address; every `PeerTransport` is driven on one event loop, its
/// timers scheduled from `nextTimeout()`. Receives are batched (`recvmmsg`), sends are
/// flushed once per read batch (`sendmmsg`).
final class MediaEngine: @unchecked Sendable {
    // @unchecked: every mutable member is touched only on `loop` (asserted in debug builds).
    let loop: EventLoop
    let logger: Logger
    let certificate: DTLSCertificate
    private(set) var channel: Channel?
    private(set) var boundAddress: TransportAddress?
    let announcedIP: String?
    /// `--capture DIR`, or nil.
    var captureDirectory: String?

    private var byUfrag: [String: MediaConnection] = [:]
    private var byAddress: [TransportAddress: MediaConnection] = [:]
    private var connectionsByID: [String: MediaConnection] = [:]
    /// One receive buffer, reused for every datagram; SRTP decrypts in it in place and
    /// protects echoed packets in it too, so it keeps room for the SRTP trailer.
    private let rx: UnsafeMutableRawBufferPointer
    private static let rxCapacity = 65_536 + SRTPSession.rtcpTrailerRoom
    private var needsFlush = false
    static let readBatch = 32
    /// Egress scratch buffer: each subscriber's copy of a packet is written, protected and
    /// handed to NIO from here, then overwritten by the next.
    private let tx: UnsafeMutableRawBufferPointer
    /// Subscriber connections by slot (a `Subscription` names its subscriber by slot).
    private var slots: [MediaConnection?] = []
    private var freeSlots: [Int] = []
    /// The rooms, for media events that change signaling state (set by RoomRegistry).
    weak var rooms: RoomRegistry?
    var counters = MediaCounters()

    init(loop: EventLoop, certificate: DTLSCertificate, announcedIP: String?, logger: Logger) {
        self.loop = loop
        self.certificate = certificate
        self.announcedIP = announcedIP
        self.logger = logger
        self.rx = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.rxCapacity, alignment: 16)
        self.tx = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.rxCapacity, alignment: 16)
    }

    deinit {
        rx.deallocate()
        tx.deallocate()
    }

    // MARK: Subscriber slots

    func addSubscriberSlot(_ c: MediaConnection) -> Int {
        if let i = freeSlots.popLast() {
            slots[i] = c
            return i
        }
        slots.append(c)
        return slots.count - 1
    }

    func replaceSubscriberSlot(_ i: Int, with c: MediaConnection) {
        guard i >= 0, i < slots.count else { return }
        slots[i] = c
    }

    func releaseSubscriberSlot(_ i: Int) {
        guard i >= 0, i < slots.count, slots[i] != nil else { return }
        slots[i] = nil
        freeSlots.append(i)
    }

    /// Our side of an SDP: ICE-lite with the host candidates and our fingerprint.
    func localTransport(credentials: ICECredentials, hosts: [ICEHostAddress]) -> SDPLocalTransport {
        SDPLocalTransport(
            iceUfrag: credentials.ufrag, icePwd: credentials.pwd, fingerprints: [certificate.fingerprint],
            candidates: ICEHostAddress.hostCandidates(hosts), iceLite: true)
    }

    /// Sends a REMB (draft-alvestrand-rmcat-remb) telling the publisher how much it may send.
    func sendREMB(on conn: MediaConnection, sender: UInt32, bitrate: UInt64, ssrcs: [UInt32]) {
        guard !ssrcs.isEmpty, conn.transport.isSecure else { return }
        let remb = ReceiverEstimatedMaximumBitrate(senderSSRC: SSRC(sender), bitrate: bitrate, ssrcs: ssrcs.map { SSRC($0) })
        var w = ByteWriter(tx, format: .rtcp)
        guard (try? remb.write(to: &w)) != nil,
              let n = try? conn.transport.protectRTCP(tx, length: w.position) else { return }
        transmit(UnsafeRawBufferPointer(rebasing: tx[0..<n]), on: conn)
    }

    /// Sends a PLI (RFC 4585 §6.3.1) for `media` on `conn`.
    func sendPLI(on conn: MediaConnection, sender: UInt32, media: UInt32) {
        let pli = PictureLossIndication(senderSSRC: SSRC(sender), mediaSSRC: SSRC(media))
        var w = ByteWriter(tx, format: .rtcp)
        guard (try? pli.write(to: &w)) != nil else { return }
        if let cap = conn.capture, let local = boundAddress, let remote = conn.transport.remoteAddress {
            cap.record(UnsafeRawBufferPointer(rebasing: tx[0..<w.position]), from: local, to: remote)
        }
        guard let n = try? conn.transport.protectRTCP(tx, length: w.position) else { return }
        counters.keyframeRequests &+= 1
        transmit(UnsafeRawBufferPointer(rebasing: tx[0..<n]), on: conn)
    }

    /// DTLS settings by role. As DTLS server we pick from the client's offer in our order
    /// (AES-128-GCM first). As DTLS client the peer picks, and Chromium's BoringSSL prefers
    /// AES-CM-HMAC-SHA1-80, which costs ~6x more per packet with Debian's libsrtp2 (DESIGN.md):
    /// so the client offer carries only the AEAD GCM profiles, which every current browser and
    /// aiortc support.
    static func dtlsConfiguration(role: DTLSRole) -> DTLSConfiguration {
        switch role {
        case .server: return DTLSConfiguration()
        case .client: return DTLSConfiguration(srtpProfiles: [.aeadAES128GCM, .aeadAES256GCM])
        }
    }

    static func now() -> Instant {
        Instant(nanoseconds: Int64(truncatingIfNeeded: NIODeadline.now().uptimeNanoseconds))
    }

    func start(host: String, port: Int) async throws {
        let bootstrap = DatagramBootstrap(group: loop)
            .channelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .channelOption(ChannelOptions.datagramVectorReadMessageCount, value: Self.readBatch)
            // NIO splits one receive buffer across the batch: give every datagram 2 KiB.
            .channelOption(ChannelOptions.recvAllocator,
                           value: FixedSizeRecvByteBufferAllocator(capacity: Self.readBatch * 2048))
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(MediaChannelHandler(engine: self))
                }
            }
        let ch = try await bootstrap.bind(host: host, port: port).get()
        try await loop.submit { [self] in
            channel = ch
            boundAddress = ch.localAddress.flatMap { TransportAddress($0) }
        }.get()
    }

    func close() async {
        try? await loop.submit { [self] in
            let now = Self.now()
            for c in connectionsByID.values {
                c.transport.close(now: now)
                service(c, now: now)
            }
            flushIfNeeded()
        }.get()
        try? await channel?.close()
    }

    var connectionCount: Int {
        loop.assertInEventLoop()
        return connectionsByID.count
    }

    // MARK: Connections

    /// Registers a connection; call on `loop`.
    func add(_ c: MediaConnection) {
        loop.assertInEventLoop()
        byUfrag[c.localUfrag] = c
        connectionsByID[c.id] = c
        service(c, now: Self.now())
    }

    /// ICE restart: checks naming `ufrag` now reach `c` too.
    func addUfrag(_ ufrag: String, to c: MediaConnection) {
        loop.assertInEventLoop()
        c.restartUfrags.append(ufrag)
        byUfrag[ufrag] = c
    }

    func remove(_ c: MediaConnection) {
        loop.assertInEventLoop()
        guard connectionsByID[c.id] === c else { return }
        c.timer?.cancel()
        c.timer = nil
        byUfrag[c.localUfrag] = nil
        for u in c.restartUfrags where byUfrag[u] === c { byUfrag[u] = nil }
        connectionsByID[c.id] = nil
        for a in c.addresses where byAddress[a] === c { byAddress[a] = nil }
        logger.info("media connection removed", metadata: ["id": "\(c.id)"])
    }

    func connection(id: String) -> MediaConnection? {
        loop.assertInEventLoop()
        return connectionsByID[id]
    }

    /// ICE host addresses to offer: the bound address, announced as `--announce` if given.
    var hostAddresses: [ICEHostAddress] {
        guard let b = boundAddress else { return [] }
        var announced: TransportAddress?
        if let ip = announcedIP { announced = TransportAddress("\(ip.contains(":") ? "[\(ip)]" : ip):\(b.port)") }
        return [ICEHostAddress(base: b, announced: announced)]
    }

    // MARK: Receive path

    fileprivate func receive(_ envelope: AddressedEnvelope<ByteBuffer>) {
        counters.datagramsIn &+= 1
        let n = envelope.data.readableBytes
        counters.bytesIn &+= UInt64(n)
        guard n > 0, n <= Self.rxCapacity - SRTPSession.rtcpTrailerRoom,
              let from = TransportAddress(envelope.remoteAddress), let local = boundAddress
        else {
            counters.dropped &+= 1
            return
        }
        envelope.data.withUnsafeReadableBytes { src in
            rx.baseAddress!.copyMemory(from: src.baseAddress!, byteCount: n)
        }
        let bytes = UnsafeRawBufferPointer(rebasing: rx[0..<n])
        let conn: MediaConnection
        if let c = byAddress[from] {
            conn = c
        } else {
            // A new address must introduce itself with a STUN check naming our ufrag.
            guard Demux.classify(bytes) == .stun, let c = lookupByUsername(bytes) else {
                counters.unknownSource &+= 1
                logger.debug("datagram from unknown source", metadata: [
                    "from": "\(from)", "bytes": "\(n)",
                    "head": "\(bytes.prefix(64).map { String($0, radix: 16) }.joined(separator: " "))"])
                return
            }
            conn = c
            if c.addresses.count < 8 {
                c.addresses.append(from)
                byAddress[from] = c
            }
        }
        let now = Self.now()
        let result = conn.transport.receive(rx, length: n, from: from, local: local, now: now)
        switch result {
        case .rtp(let header, let values, let length):
            counters.rtpIn &+= 1
            if let cap = conn.capture { cap.record(UnsafeRawBufferPointer(rebasing: rx[0..<length]), from: from, to: local) }
            switch conn.handler {
            case .echo(let e): e.onRTP(header, values, buffer: rx, length: length, conn: conn, engine: self, now: now)
            case .publisher(let m): forward(header, values, length: length, from: m, now: now)
            case .subscriber: counters.count(.unknownProtocol)
            }
        case .rtcp(let length):
            if let cap = conn.capture { cap.record(UnsafeRawBufferPointer(rebasing: rx[0..<length]), from: from, to: local) }
            switch conn.handler {
            case .echo(let e): e.onRTCP(buffer: rx, length: length, conn: conn, engine: self, now: now)
            case .subscriber(let m): subscriberRTCP(length: length, from: m, now: now)
            case .publisher: break
            }
        case .handled:
            service(conn, now: now)
        case .dropped(let reason):
            counters.count(reason)
            logger.trace("dropped", metadata: ["id": "\(conn.id)", "reason": "\(reason)"])
        }
    }

    /// The forwarding hot path: resolve the stream, fan out to every subscription (rewrite
    /// into `tx`, protect in place, send), then ask for a keyframe if a subscription waits.
    private func forward(_ header: RTPHeader, _ values: RTPExtensionValues, length: Int,
                         from media: ParticipantMedia, now: Instant) {
        guard !media.rtxPayloadTypes.contains(header.payloadType.rawValue),
              let r = media.streams.resolve(header, values), !r.isRepair,
              r.publication < media.tracks.count else {
            counters.unroutable &+= 1
            return
        }
        let track = media.tracks[r.publication]
        media.bytesInWindow &+= UInt64(length)
        let lossIndex = r.publication &* 4 &+ min(r.layer, 3)
        if lossIndex < media.loss.count {
            if media.loss[lossIndex] == nil {
                media.loss[lossIndex] = ReceiveStreamStatistics(ssrc: header.ssrc, clockRate: track.publication.codec.clockRate)
            }
            media.loss[lossIndex]?.handlePacket(header, now: now)
        }
        if track.kind == .audio, let level = values.audioLevel, !track.muted {
            // RFC 6464: 0 is the loudest (-dBov), 127 silence.
            media.loudnessSum += Double(127 - Int(level.level))
            media.loudnessCount += 1
        }
        let packet = UnsafeRawBufferPointer(rebasing: rx[0..<length])
        let scratch = UnsafeMutableRawBufferPointer(rebasing: tx[0..<(Self.rxCapacity - SRTPSession.rtcpTrailerRoom)])
        track.publication.forward(packet: packet, header: header, values: values, layer: r.layer, now: now,
                                  scratch: scratch) { sub, n in
            guard sub.slot >= 0, sub.slot < slots.count, let conn = slots[sub.slot] else {
                counters.egressFailures &+= 1
                return
            }
            if let cap = conn.capture, let local = boundAddress, let remote = conn.transport.remoteAddress {
                cap.record(UnsafeRawBufferPointer(rebasing: tx[0..<n]), from: local, to: remote)
            }
            guard let len = try? conn.transport.protectRTP(tx, length: n) else {
                counters.egressFailures &+= 1
                return
            }
            transmit(UnsafeRawBufferPointer(rebasing: tx[0..<len]), on: conn)
        }
        if track.publication.keyframeRequested { rooms?.requestKeyframeIfNeeded(media, publication: track.publication, now: now) }
    }

    /// RTCP from a subscriber: PLI/FIR for one of its subscriptions becomes a keyframe
    /// request to that track's publisher.
    private func subscriberRTCP(length: Int, from media: ParticipantMedia, now: Instant) {
        var it = RTCPCompoundIterator(UnsafeRawBufferPointer(rebasing: rx[0..<length]), paddingPolicy: .anyPacket)
        while let slice = try? it.next() {
            var wanted: [UInt32] = []
            switch try? RTCPPacket.parse(slice) {
            case .pictureLossIndication(let pli): wanted.append(pli.mediaSSRC.rawValue)
            case .fullIntraRequest(let fir): wanted += fir.entries.map(\.ssrc.rawValue)
            default: break
            }
            for ssrc in wanted {
                guard let s = media.sections.first(where: { $0.subscription?.outSSRC.rawValue == ssrc }),
                      let t = s.track, let owner = media.participant.room.participants[t.participantID] else { continue }
                t.publication.requestKeyframe(forSubscriptionWithSSRC: SSRC(ssrc))
                rooms?.requestKeyframeIfNeeded(owner.media, publication: t.publication, now: now)
            }
        }
    }

    private func lookupByUsername(_ bytes: UnsafeRawBufferPointer) -> MediaConnection? {
        guard let m = try? STUNMessage(parsing: bytes), let ufrag = m.iceReceiverUfrag else { return nil }
        return byUfrag[String(decoding: ufrag, as: UTF8.self)]
    }

    /// Sends `bytes` (already protected) to the connection's selected remote.
    /// Queues `bytes` (already protected) for the connection's selected remote.
    ///
    /// With UDP GSO (Linux ≥ 4.18), datagrams for one destination within a read batch are
    /// coalesced while they have the same size (the last may be shorter) and written as one
    /// `sendmsg` with a segment size; everything else goes out as single datagrams, batched by
    /// NIO into `sendmmsg` at the flush.
    func transmit(_ bytes: UnsafeRawBufferPointer, on conn: MediaConnection) {
        guard let remote = conn.transport.remoteAddress else { return }
        if conn.remoteSocketFor != remote {
            flushGSO(conn)
            conn.remoteSocket = remote.socketAddress
            conn.remoteSocketFor = remote
        }
        guard let to = conn.remoteSocket, let ch = channel else { return }
        counters.datagramsOut &+= 1
        counters.bytesOut &+= UInt64(bytes.count)
        needsFlush = true
        if Self.useGSO {
            if conn.gsoCount > 0 {
                let fits = conn.gsoCount < Self.gsoMaxSegments && bytes.count <= conn.gsoSegment
                    && conn.gsoBuffer.readableBytes + bytes.count <= Self.gsoMaxBytes && !conn.gsoClosed
                if fits {
                    conn.gsoBuffer.writeBytes(bytes)
                    conn.gsoCount += 1
                    // A shorter datagram can only be the last segment.
                    if bytes.count < conn.gsoSegment { conn.gsoClosed = true }
                    return
                }
                flushGSO(conn)
            }
            conn.gsoBuffer = ch.allocator.buffer(capacity: min(Self.gsoMaxBytes, bytes.count * 8))
            conn.gsoBuffer.writeBytes(bytes)
            conn.gsoSegment = bytes.count
            conn.gsoCount = 1
            conn.gsoClosed = false
            gsoPending.append(conn)
            return
        }
        var buf = ch.allocator.buffer(capacity: bytes.count)
        buf.writeBytes(bytes)
        ch.write(AddressedEnvelope(remoteAddress: to, data: buf), promise: nil)
    }

    static let useGSO = System.supportsUDPSegmentationOffload && getenv("SFU_NO_GSO") == nil
    static let gsoMaxSegments = 32
    static let gsoMaxBytes = 60_000
    private var gsoPending: [MediaConnection] = []

    /// Writes a connection's pending GSO batch (one datagram, or one GSO write of several).
    private func flushGSO(_ conn: MediaConnection) {
        guard conn.gsoCount > 0, let ch = channel, let to = conn.remoteSocket else {
            conn.gsoCount = 0
            return
        }
        let metadata: AddressedEnvelope<ByteBuffer>.Metadata? = conn.gsoCount > 1
            ? .init(ecnState: .transportNotCapable, packetInfo: nil, segmentSize: conn.gsoSegment) : nil
        if conn.gsoCount > 1 {
            counters.gsoWrites &+= 1
            counters.gsoSegments &+= UInt64(conn.gsoCount)
        }
        ch.write(AddressedEnvelope(remoteAddress: to, data: conn.gsoBuffer, metadata: metadata), promise: nil)
        conn.gsoCount = 0
    }

    fileprivate func readComplete() { flushIfNeeded() }

    func flushIfNeeded() {
        for c in gsoPending { flushGSO(c) }
        gsoPending.removeAll(keepingCapacity: true)
        guard needsFlush else { return }
        needsFlush = false
        channel?.flush()
    }

    // MARK: Outputs and timers

    /// Sends what the transport queued, handles its events, and re-arms its timer.
    func service(_ c: MediaConnection, now: Instant) {
        while let o = c.transport.pollOutput() {
            switch o {
            case .transmit(let bytes, let to, _):
                flushGSO(c)
                guard let ch = channel, let addr = to.socketAddress else { continue }
                var buf = ch.allocator.buffer(capacity: bytes.count)
                buf.writeBytes(bytes)
                ch.write(AddressedEnvelope(remoteAddress: addr, data: buf), promise: nil)
                counters.datagramsOut &+= 1
                counters.bytesOut &+= UInt64(bytes.count)
                needsFlush = true
            case .event(let e):
                handle(e, on: c, now: now)
            }
        }
        switch c.transport.state {
        case .closed, .failed:
            remove(c)
            flushIfNeeded()
            return
        default:
            break
        }
        reschedule(c)
    }

    private func handle(_ e: PeerEvent, on c: MediaConnection, now: Instant) {
        switch e {
        case .stateChanged(let s):
            logger.info("peer state", metadata: ["id": "\(c.id)", "state": "\(s)"])
            if case .connected = s {
                switch c.handler {
                case .echo(let echo): echo.connected(conn: c, engine: self, now: now)
                case .subscriber(let m): rooms?.startSubscriptions(m.participant)
                case .publisher: break
                }
            }
        case .dtlsConnected(let profile):
            logger.info("dtls connected", metadata: ["id": "\(c.id)", "profile": "\(profile)"])
        case .selectedPairChanged(let p):
            logger.debug("selected pair", metadata: ["id": "\(c.id)", "pair": "\(p)"])
        case .iceStateChanged, .dtlsApplicationData:
            break
        }
    }

    private func reschedule(_ c: MediaConnection) {
        guard let (deadline, _) = c.transport.nextTimeout() else {
            c.timer?.cancel()
            c.timer = nil
            c.timerAt = nil
            return
        }
        if c.timer != nil, c.timerAt == deadline { return }
        c.timer?.cancel()
        c.timerAt = deadline
        let at = NIODeadline.uptimeNanoseconds(UInt64(max(0, deadline.nanoseconds)))
        let target = UncheckedBox((engine: self, connection: c))
        c.timer = loop.scheduleTask(deadline: at) {
            let (engine, c) = target.value
            engine.loop.assertInEventLoop()
            guard c.timerAt == deadline else { return }
            let s = engine
            c.timer = nil
            c.timerAt = nil
            let now = MediaEngine.now()
            c.transport.handleTimeout(now: now)
            s.service(c, now: now)
            s.flushIfNeeded()
        }
    }
}

/// Counters of the media plane (exported as metrics).
struct MediaCounters: Sendable {
    var datagramsIn: UInt64 = 0
    var bytesIn: UInt64 = 0
    var datagramsOut: UInt64 = 0
    var bytesOut: UInt64 = 0
    var rtpIn: UInt64 = 0
    var dropped: UInt64 = 0
    var unknownSource: UInt64 = 0
    var unroutable: UInt64 = 0
    var egressFailures: UInt64 = 0
    var keyframeRequests: UInt64 = 0
    var gsoWrites: UInt64 = 0
    var gsoSegments: UInt64 = 0
    /// Forwarding drops of publications that are gone.
    var retiredForwardingDrops = ForwardingDrops()
    /// Drops by reason, indexed by `PeerDropReason.allCases` order (no hashing per drop).
    var drops = [UInt64](repeating: 0, count: PeerDropReason.allCases.count)

    mutating func count(_ reason: PeerDropReason) {
        dropped &+= 1
        if let i = PeerDropReason.allCases.firstIndex(of: reason) { drops[i] &+= 1 }
    }
}

/// Moves datagrams from NIO into the engine.
private final class MediaChannelHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let engine: MediaEngine

    init(engine: MediaEngine) { self.engine = engine }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        engine.receive(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        engine.readComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // UDP errors (e.g. ICMP port unreachable surfacing as ECONNREFUSED) are per datagram.
        engine.logger.debug("udp error", metadata: ["error": "\(error)"])
    }
}

/// Carries loop-confined references into `@Sendable` closures that run on the same loop.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
