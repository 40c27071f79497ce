import Logging
import NIOCore
import NIOPosix
import RTCCore

/// Datagrams coalesced for one UDP GSO write to one destination (see `MediaEngine.transmit`),
/// and the cached NIO address of that destination.
final class DatagramSink {
    var gsoBuffer = ByteBuffer()
    var gsoSegment = 0
    var gsoCount = 0
    var gsoClosed = false
    var remoteSocket: SocketAddress?
    var remoteSocketFor: TransportAddress?
}

/// An echo-test peer on the media port: its secure transport and its echo session. The SFU's
/// connections live in the `SFURouter`. Confined to the engine's event loop.
final class MediaConnection {
    let id: String
    let localUfrag: String
    let transport: PeerTransport
    let echo: EchoSession
    var addresses: [TransportAddress] = []
    let sink = DatagramSink()
    var timer: Scheduled<Void>?
    var timerAt: Instant?
    let createdAt: Instant

    init(id: String, localUfrag: String, transport: PeerTransport, echo: EchoSession, now: Instant) {
        self.id = id
        self.localUfrag = localUfrag
        self.transport = transport
        self.echo = echo
        self.createdAt = now
    }
}

/// The media plane: one UDP socket for all peers, and the adapter between it and RTCCore's
/// `SFURouter` — datagrams and timers in, datagrams and events out. The router finds each
/// datagram's connection (by address, or a STUN check's USERNAME); echo-test connections are
/// looked up first. Receives are batched (`recvmmsg`), sends are flushed once per read batch
/// (`sendmmsg`) and coalesced per destination with UDP GSO.
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
    /// The SFU (its candidates get the bound address once the socket is bound).
    let router: SFURouter

    // Echo-test connections.
    private var byUfrag: [String: MediaConnection] = [:]
    private var byAddress: [TransportAddress: MediaConnection] = [:]
    private var connectionsByID: [String: MediaConnection] = [:]
    /// One receive buffer, reused for every datagram; SRTP decrypts in it in place and
    /// protects echoed packets in it too, so it keeps room for the SRTP trailer.
    private let rx: UnsafeMutableRawBufferPointer
    private static let rxCapacity = 65_536 + SRTPSession.rtcpTrailerRoom
    private var needsFlush = false
    static let readBatch = 32
    /// Egress scratch buffer for the echo test's PLIs.
    private let tx: UnsafeMutableRawBufferPointer
    /// GSO state of router connections, by `slot * 2 + role` (no hashing per datagram).
    private var sinks: [DatagramSink?] = []
    private var routerTimer: Scheduled<Void>?
    private var routerTimerAt: Instant?
    /// The rooms, for router events that become signaling (set by RoomRegistry).
    weak var rooms: RoomRegistry?
    var counters = MediaCounters()

    init(loop: EventLoop, certificate: DTLSCertificate, announcedIP: String?, logger: Logger) {
        self.loop = loop
        self.certificate = certificate
        self.announcedIP = announcedIP
        self.logger = logger
        self.rx = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.rxCapacity, alignment: 16)
        self.tx = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.rxCapacity, alignment: 16)
        var rng = SystemRandomNumberGenerator()
        self.router = SFURouter(configuration: .init(certificate: certificate, hostAddresses: [], seed: rng.next()))
    }

    deinit {
        rx.deallocate()
        tx.deallocate()
    }

    /// Our side of an SDP: ICE-lite with the host candidates and our fingerprint.
    func localTransport(credentials: ICECredentials, hosts: [ICEHostAddress]) -> SDPLocalTransport {
        SDPLocalTransport(
            iceUfrag: credentials.ufrag, icePwd: credentials.pwd, fingerprints: [certificate.fingerprint],
            candidates: ICEHostAddress.hostCandidates(hosts), iceLite: true)
    }

    /// Sends a PLI (RFC 4585 §6.3.1) for `media` on an echo connection.
    func sendPLI(on conn: MediaConnection, sender: UInt32, media: UInt32) {
        let pli = PictureLossIndication(senderSSRC: SSRC(sender), mediaSSRC: SSRC(media))
        var w = ByteWriter(tx, format: .rtcp)
        guard (try? pli.write(to: &w)) != nil,
              let n = try? conn.transport.protectRTCP(tx, length: w.position),
              let remote = conn.transport.remoteAddress else { return }
        counters.keyframeRequests &+= 1
        transmit(UnsafeRawBufferPointer(rebasing: tx[0..<n]), sink: conn.sink, to: remote)
    }

    /// DTLS settings of echo connections by role. As DTLS server we pick from the client's
    /// offer in our order (AES-128-GCM first). As DTLS client the peer picks, and Chromium's
    /// BoringSSL prefers AES-CM-HMAC-SHA1-80, which costs ~6x more per packet with Debian's
    /// libsrtp2 (DESIGN.md): so the client offer carries only the AEAD GCM profiles.
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
            router.hostAddresses = hostAddresses
            if captureDirectory != nil { router.tap = { [unowned self] id, bytes, direction in
                self.capture(id, bytes, direction)
            } }
        }.get()
    }

    func close() async {
        try? await loop.submit { [self] in
            let now = Self.now()
            for c in connectionsByID.values {
                c.transport.close(now: now)
                service(c, now: now)
            }
            router.removeAll(now: now)
            drainRouter()
            flushIfNeeded()
        }.get()
        try? await channel?.close()
    }

    var connectionCount: Int {
        loop.assertInEventLoop()
        return connectionsByID.count + router.connectionCount
    }

    // MARK: Router

    /// Runs a router API call, then sends what it produced and handles its events.
    func withRouter<T, E: Error>(_ body: (SFURouter) throws(E) -> T) throws(E) -> T {
        loop.assertInEventLoop()
        defer {
            drainRouter()
            flushIfNeeded()
        }
        return try body(router)
    }

    /// Sends the router's datagrams and hands its events to the rooms; re-arms its timer.
    func drainRouter() {
        while let t = router.pollTransmit() { transmit(t) }
        while let o = router.pollOutput() {
            switch o {
            case .transmit(let t):
                transmit(t)
            case .event(let e):
                if case .keyframeRequested = e { counters.keyframeRequests &+= 1 }
                rooms?.handle(e)
            }
        }
        rescheduleRouter()
    }

    private func transmit(_ t: SFUTransmit) {
        let key = t.connection.participant.slot &* 2 &+ (t.connection.role == .publisher ? 0 : 1)
        while sinks.count <= key { sinks.append(nil) }
        let sink: DatagramSink
        if let s = sinks[key] { sink = s } else {
            sink = DatagramSink()
            sinks[key] = sink
        }
        transmit(t.bytes, sink: sink, to: t.to)
    }

    private func rescheduleRouter() {
        guard let (deadline, _) = router.nextTimeout() else {
            routerTimer?.cancel()
            routerTimer = nil
            routerTimerAt = nil
            return
        }
        if routerTimer != nil, routerTimerAt == deadline { return }
        routerTimer?.cancel()
        routerTimerAt = deadline
        let at = NIODeadline.uptimeNanoseconds(UInt64(max(0, deadline.nanoseconds)))
        let engine = UncheckedBox(self)
        routerTimer = loop.scheduleTask(deadline: at) {
            let s = engine.value
            s.loop.assertInEventLoop()
            guard s.routerTimerAt == deadline else { return }
            s.routerTimer = nil
            s.routerTimerAt = nil
            s.router.handle(.timeout, now: MediaEngine.now())
            s.drainRouter()
            s.flushIfNeeded()
        }
    }

    /// `--capture`: the router's tap, into the participant's pcap.
    private func capture(_ id: SFUConnectionID, _ bytes: UnsafeRawBufferPointer, _ direction: SFUTapDirection) {
        guard let cap = rooms?.participant(routerID: id.participant)?.media.capture,
              let pair = router.connection(id)?.selectedPair else { return }
        switch direction {
        case .received: cap.record(bytes, from: pair.remote, to: pair.local)
        case .sent: cap.record(bytes, from: pair.local, to: pair.remote)
        }
    }

    // MARK: Echo connections

    /// Registers an echo connection; call on `loop`.
    func add(_ c: MediaConnection) {
        loop.assertInEventLoop()
        byUfrag[c.localUfrag] = c
        connectionsByID[c.id] = c
        service(c, now: Self.now())
    }

    func remove(_ c: MediaConnection) {
        loop.assertInEventLoop()
        guard connectionsByID[c.id] === c else { return }
        c.timer?.cancel()
        c.timer = nil
        byUfrag[c.localUfrag] = nil
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
            if let d = rx.baseAddress, let s = src.baseAddress { d.copyMemory(from: s, byteCount: n) }
        }
        let now = Self.now()
        if let echo = echoConnection(from: from, length: n) {
            receiveEcho(echo, length: n, from: from, local: local, now: now)
            return
        }
        router.handle(.datagram(rx, length: n, from: from, local: local), now: now)
        drainRouter()
    }

    /// The echo connection a datagram belongs to: by address, or a STUN check naming an echo
    /// connection's ufrag (which then learns the address).
    private func echoConnection(from: TransportAddress, length: Int) -> MediaConnection? {
        if let c = byAddress[from] { return c }
        guard !byUfrag.isEmpty else { return nil }
        let bytes = UnsafeRawBufferPointer(rebasing: rx[0..<length])
        guard Demux.classify(bytes) == .stun, let m = try? STUNMessage(parsing: bytes),
              let ufrag = m.iceReceiverUfrag, let c = byUfrag[String(decoding: ufrag, as: UTF8.self)] else { return nil }
        if c.addresses.count < 8 {
            c.addresses.append(from)
            byAddress[from] = c
        }
        return c
    }

    private func receiveEcho(_ conn: MediaConnection, length n: Int, from: TransportAddress, local: TransportAddress,
                             now: Instant) {
        switch conn.transport.receive(rx, length: n, from: from, local: local, now: now) {
        case .rtp(let header, let values, let length):
            counters.rtpIn &+= 1
            conn.echo.onRTP(header, values, buffer: rx, length: length, conn: conn, engine: self, now: now)
        case .rtcp(let length):
            conn.echo.onRTCP(buffer: rx, length: length, conn: conn, engine: self, now: now)
        case .handled:
            service(conn, now: now)
        case .dropped(let reason):
            counters.count(reason)
        }
    }

    /// Queues `bytes` (already protected) for `to`.
    ///
    /// With UDP GSO (Linux ≥ 4.18), datagrams for one destination within a read batch are
    /// coalesced while they have the same size (the last may be shorter) and written as one
    /// `sendmsg` with a segment size; everything else goes out as single datagrams, batched by
    /// NIO into `sendmmsg` at the flush.
    func transmit(_ bytes: UnsafeRawBufferPointer, sink: DatagramSink, to remote: TransportAddress) {
        if sink.remoteSocketFor != remote {
            flushGSO(sink)
            sink.remoteSocket = remote.socketAddress
            sink.remoteSocketFor = remote
        }
        guard let to = sink.remoteSocket, let ch = channel else { return }
        counters.datagramsOut &+= 1
        counters.bytesOut &+= UInt64(bytes.count)
        needsFlush = true
        if Self.useGSO {
            if sink.gsoCount > 0 {
                let fits = sink.gsoCount < Self.gsoMaxSegments && bytes.count <= sink.gsoSegment
                    && sink.gsoBuffer.readableBytes + bytes.count <= Self.gsoMaxBytes && !sink.gsoClosed
                if fits {
                    sink.gsoBuffer.writeBytes(bytes)
                    sink.gsoCount += 1
                    // A shorter datagram can only be the last segment.
                    if bytes.count < sink.gsoSegment { sink.gsoClosed = true }
                    return
                }
                flushGSO(sink)
            }
            sink.gsoBuffer = ch.allocator.buffer(capacity: min(Self.gsoMaxBytes, bytes.count * 8))
            sink.gsoBuffer.writeBytes(bytes)
            sink.gsoSegment = bytes.count
            sink.gsoCount = 1
            sink.gsoClosed = false
            gsoPending.append(sink)
            return
        }
        var buf = ch.allocator.buffer(capacity: bytes.count)
        buf.writeBytes(bytes)
        ch.write(AddressedEnvelope(remoteAddress: to, data: buf), promise: nil)
    }

    static let useGSO = System.supportsUDPSegmentationOffload && getenv("SFU_NO_GSO") == nil
    static let gsoMaxSegments = 32
    static let gsoMaxBytes = 60_000
    private var gsoPending: [DatagramSink] = []

    /// Writes a destination's pending GSO batch (one datagram, or one GSO write of several).
    private func flushGSO(_ sink: DatagramSink) {
        guard sink.gsoCount > 0, let ch = channel, let to = sink.remoteSocket else {
            sink.gsoCount = 0
            return
        }
        let metadata: AddressedEnvelope<ByteBuffer>.Metadata? = sink.gsoCount > 1
            ? .init(ecnState: .transportNotCapable, packetInfo: nil, segmentSize: sink.gsoSegment) : nil
        if sink.gsoCount > 1 {
            counters.gsoWrites &+= 1
            counters.gsoSegments &+= UInt64(sink.gsoCount)
        }
        ch.write(AddressedEnvelope(remoteAddress: to, data: sink.gsoBuffer, metadata: metadata), promise: nil)
        sink.gsoCount = 0
    }

    fileprivate func readComplete() { flushIfNeeded() }

    func flushIfNeeded() {
        for c in gsoPending { flushGSO(c) }
        gsoPending.removeAll(keepingCapacity: true)
        guard needsFlush else { return }
        needsFlush = false
        channel?.flush()
    }

    // MARK: Echo outputs and timers

    /// Sends what an echo transport queued, handles its events, and re-arms its timer.
    func service(_ c: MediaConnection, now: Instant) {
        while let o = c.transport.pollOutput() {
            switch o {
            case .transmit(let bytes, let to, _):
                bytes.withUnsafeBytes { transmit($0, sink: c.sink, to: to) }
            case .event(let e):
                if case .stateChanged(let s) = e {
                    logger.info("echo peer state", metadata: ["id": "\(c.id)", "state": "\(s)"])
                    if case .connected = s { c.echo.connected(conn: c, engine: self, now: now) }
                }
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
            c.timer = nil
            c.timerAt = nil
            let now = MediaEngine.now()
            c.transport.handleTimeout(now: now)
            engine.service(c, now: now)
            engine.flushIfNeeded()
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
    var keyframeRequests: UInt64 = 0
    var gsoWrites: UInt64 = 0
    var gsoSegments: UInt64 = 0
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
