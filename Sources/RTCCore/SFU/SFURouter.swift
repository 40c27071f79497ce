/// A Selective Forwarding Unit as one sans-IO object: every participant's publisher and
/// subscriber ``PeerConnection``, their publications and subscriptions, and the forwarding
/// between them. The application owns sockets, clocks, signaling and rooms; it feeds the
/// router datagrams, timeouts and API calls, and sends what ``pollOutput()`` returns.
///
/// ```
///  datagram ──▶ handle(.datagram) ──▶ connection (by address, or STUN USERNAME)
///                  publisher RTP ──▶ IncomingStreamTable ──▶ Publication.forward
///                                        └─ each Subscription: gate, rewrite into an egress
///                                           slot, SRTP protect in place ──▶ .transmit
///                  subscriber RTCP ─▶ PLI/FIR ──▶ the publisher layer's KeyframeRequestThrottle
///  API: addParticipant / publish(offer:) / subscribeAnswer / setPreferences / setMuted /
///       removeParticipant ──▶ .event(.subscribeOffer / .trackPublished / …)
///  nextTimeout() ──▶ handle(.timeout) at that instant
/// ```
///
/// Egress datagrams live in preallocated slots: a transmit's bytes stay valid until every
/// queued output was polled and the router is called again. Drain ``pollOutput()`` after
/// every call (undrained datagrams hold their slots; when none is left, copies are dropped
/// and counted). Forwarding allocates nothing and looks nothing up in a
/// dictionary: streams resolve by a short linear scan, subscriptions name their subscriber by
/// slot. One owner drives it (not thread-safe); no locks, no clock reads, no random numbers
/// (ICE credentials come from the caller; SSRCs from ``Configuration/seed``).
public final class SFURouter {
    public struct Configuration: Sendable {
        /// The DTLS identity of every connection.
        public var certificate: DTLSCertificate
        /// The addresses put into candidates (ICE-lite).
        public var hostAddresses: [ICEHostAddress]
        /// Seeds the SSRCs of subscriptions and of the router's RTCP.
        public var seed: UInt64
        /// Header extensions accepted on publisher connections.
        public var publisherExtensions: [String]
        /// Least time between two keyframe requests to one publisher stream.
        public var keyframeRequestInterval: Duration
        /// Egress slots: the most datagrams one call can produce.
        public var egressSlots: Int
        /// Active speaker every interval, quality every other one.
        public var reportInterval: Duration
        /// The most a video publisher is told it may send by REMB: the cap of the REMB
        /// estimate for publishers without transport-cc, and the REMB sent each second to a
        /// publisher that gives nothing to estimate from (without feedback a browser never
        /// sends its top simulcast layer); nil: no cap, and no REMB for the latter.
        public var publisherBitrate: UInt64?
        /// How often transport-wide feedback goes to publishers that negotiated transport-cc
        /// (draft-holmer-rmcat-transport-wide-cc-extensions-01: 50–100 ms).
        public var transportFeedbackInterval: Duration
        /// Maps the caller's clock to NTP wall-clock time for Sender Reports (RFC 3550 §4);
        /// any consistent mapping gives lip sync and RTT, the real one gives receivers
        /// meaningful `remote-outbound-rtp` times.
        public var ntpClock: NTPClock
        /// Packets kept per video subscription to answer NACKs (≥ 1 s of 720p video).
        public var retransmissionPackets: Int
        /// NACK generation towards publishers (RFC 4585 §6.2.1).
        public var nack: NackGeneratorConfiguration
        /// The SRTP implementation of every connection (``SRTPBackend/openssl`` by default).
        public var srtpBackend: SRTPBackend

        public init(certificate: DTLSCertificate, hostAddresses: [ICEHostAddress], seed: UInt64 = 1,
                    publisherExtensions: [String] = SDPHeaderExtensionIDs.routerURIs,
                    transportFeedbackInterval: Duration = .milliseconds(50),
                    keyframeRequestInterval: Duration = .milliseconds(500), egressSlots: Int = 2_048,
                    reportInterval: Duration = .milliseconds(500), publisherBitrate: UInt64? = 2_500_000,
                    ntpClock: NTPClock = NTPClock(unixNanosecondsAtZero: 0), retransmissionPackets: Int = 512,
                    nack: NackGeneratorConfiguration = NackGeneratorConfiguration(),
                    srtpBackend: SRTPBackend = .default) {
            self.certificate = certificate
            self.hostAddresses = hostAddresses
            self.seed = seed
            self.publisherExtensions = publisherExtensions
            self.transportFeedbackInterval = transportFeedbackInterval
            self.keyframeRequestInterval = keyframeRequestInterval
            self.egressSlots = egressSlots
            self.reportInterval = reportInterval
            self.publisherBitrate = publisherBitrate
            self.ntpClock = ntpClock
            self.retransmissionPackets = retransmissionPackets
            self.nack = nack
            self.srtpBackend = srtpBackend
        }
    }

    public let configuration: Configuration
    /// The addresses new connections put into candidates (initially the configuration's; a
    /// server sets them once its socket is bound).
    public var hostAddresses: [ICEHostAddress]
    @exclusivity(unchecked) public internal(set) var stats = SFURouterStats()
    /// The largest datagram the router sends (the egress slot size less the SRTP trailer room).
    public static let maximumPacketSize = 1_500

    @exclusivity(unchecked) var participants: [SFUParticipant?] = []
    var freeSlots: [Int] = []
    var generation: UInt32 = 0
    var nextTrackID: UInt32 = 1
    var rng: SeededRandom
    // Per-packet state: exclusivity is enforced by construction (one owner, no reentrant
    // mutation of these from the closures the hot path runs), so it is not checked per access.
    @exclusivity(unchecked) var egress: EgressBuffer
    /// Where a retransmitted packet is rebuilt before it is wrapped as RTX.
    let retransmitScratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 2_048, alignment: 16)
    var events = OutputQueue<SFUEvent>()
    /// Connections by remote address and by local ufrag (control plane: a new address).
    var byAddress: [TransportAddress: SFUConnectionID] = [:]
    /// A direct-mapped cache in front of `byAddress` for the per-packet lookup (no dictionary
    /// hashing per datagram): slot by a mix of the port and address bits, verified on hit.
    @exclusivity(unchecked) var addressCache = [(address: TransportAddress, id: SFUConnectionID)?](
        repeating: nil, count: SFURouter.addressCacheSize)
    static let addressCacheSize = 256
    var byUfrag: [String: SFUConnectionID] = [:]
    /// The earliest deadline, recomputed only after something changed one.
    var cachedTimeout: (Instant, SFUTimeoutReason)?
    var timeoutDirty = true
    /// The next report (nil while nobody is in the router).
    var nextReport: Instant?
    var reportCount = 0
    var currentSpeaker: [SFURoomID: SFUParticipantID] = [:]
    var retiredDrops = ForwardingDrops()
    /// When a NACK generator next has something due (nil: none).
    var nextNackService: Instant?
    /// The earliest transport-wide feedback or REMB due to a publisher.
    var nextCongestionService: Instant?
    /// Sees every decrypted packet received and every packet before it is protected (for
    /// `--capture`); nil costs one check per packet.
    public var tap: ((SFUConnectionID, UnsafeRawBufferPointer, SFUTapDirection) -> Void)? {
        didSet { hasTap = tap != nil }
    }
    var hasTap = false
    /// Off only to measure routing and rewriting without the SRTP library (rtc-bench's
    /// `route` stage): forwarded packets then leave in the clear. Never off in a server.
    @_spi(Benchmark) public var protectsEgress = true

    public init(configuration: Configuration) {
        self.configuration = configuration
        self.hostAddresses = configuration.hostAddresses
        self.rng = SeededRandom(seed: configuration.seed)
        self.egress = EgressBuffer(slotSize: Self.maximumPacketSize + SRTPSession.rtcpTrailerRoom,
                                   slotCount: configuration.egressSlots)
    }

    deinit {
        egress.deallocate()
        retransmitScratch.deallocate()
    }

    // MARK: - Sans-IO verbs

    public func handle(_ input: SFUInput, now: Instant) {
        beginCall()
        switch input {
        case .datagram(let buffer, let length, let from, let local):
            receive(buffer, length: length, from: from, local: local, now: now)
        case .timeout:
            runTimers(now: now)
        }
    }

    /// The next datagram or event; nil when none. O(1).
    public func pollOutput() -> SFUOutput? {
        if let t = egress.pop() { return .transmit(t) }
        if let e = events.pop() { return .event(e) }
        return nil
    }

    /// The next datagram to send, leaving events queued: a loop that drains this first and
    /// then ``pollOutput()`` sees the same order, without copying an ``SFUOutput`` (which can
    /// carry an event) per datagram.
    public func pollTransmit() -> SFUTransmit? { egress.pop() }

    /// The earliest deadline and why; nil when no timer runs. O(1) unless a deadline changed.
    public func nextTimeout() -> (Instant, SFUTimeoutReason)? {
        if timeoutDirty {
            cachedTimeout = computeTimeout()
            timeoutDirty = false
        }
        return cachedTimeout
    }

    // MARK: - Participants

    /// Adds a participant. `publisherCredentials` and `subscriberCredentials` are its two
    /// connections' ICE credentials, from a secure random source (RFC 8445 §5.3).
    public func addParticipant(room: SFURoomID, publisherCredentials: ICECredentials,
                               subscriberCredentials: ICECredentials, now: Instant) -> SFUParticipantID
    {
        beginCall()
        generation &+= 1
        let slot: Int
        if let s = freeSlots.popLast() { slot = s } else {
            slot = participants.count
            participants.append(nil)
        }
        let id = SFUParticipantID(slot: slot, generation: generation)
        participants[slot] = SFUParticipant(id: id, room: room, publisherCredentials: publisherCredentials,
                                            subscriberCredentials: subscriberCredentials,
                                            rtcpSSRC: randomSSRC())
        if nextReport == nil {
            nextReport = now + configuration.reportInterval
            timeoutDirty = true
        }
        // Everything already published in the room is offered to the newcomer.
        for other in participants.compactMap({ $0 }) where other.id != id && other.room == room {
            for t in other.tracks { participants[slot]?.addSection(for: t) }
        }
        renegotiateSubscriber(slot)
        return id
    }

    /// Removes a participant: its tracks from every subscriber (which get new offers), its
    /// subscriptions, its connections (closed with a DTLS close_notify).
    public func removeParticipant(_ id: SFUParticipantID, now: Instant) {
        beginCall()
        guard let p = participant(id) else { return }
        for t in p.tracks {
            events.push(.trackUnpublished(t.info))
            retiredDrops.add(t.publication.totalDrops)
            for i in participants.indices where i != id.slot {
                guard let q = participants[i] else { continue }
                // RTCP BYE (RFC 3550 §6.6) for the stream that ends, then its section goes.
                if let sub = q.sections.first(where: { $0.track === t })?.subscription, let c = q.subscriber,
                   sub.sendStatistics.packetsSent > 0 {
                    let bye = Goodbye(sources: [sub.outSSRC] + (sub.rtxSSRC.map { [$0] } ?? []))
                    sendRTCP(on: c) { w throws(WriteError) in try bye.write(to: &w) }
                }
                q.removeSection(for: t)
            }
        }
        for s in p.sections {
            if let t = s.track, let sub = s.subscription { t.publication.removeSubscription(slot: sub.slot, outSSRC: sub.outSSRC) }
        }
        for c in [p.publisher, p.subscriber].compactMap({ $0 }) {
            c.peer.close(now: now)
            drain(c, now: now)
            forget(c)
        }
        participants[id.slot] = nil
        freeSlots.append(id.slot)
        updateLayersWanted()
        if currentSpeaker[p.room] == id { currentSpeaker[p.room] = nil }
        if participants.allSatisfy({ $0 == nil }) { nextReport = nil }
        if !p.tracks.isEmpty {
            for i in participants.indices { renegotiateSubscriber(i) }
        }
        timeoutDirty = true
    }

    public var participantIDs: [SFUParticipantID] { participants.compactMap { $0?.id } }

    /// The tracks a participant publishes.
    public func tracks(of id: SFUParticipantID) -> [SFUTrackInfo] { participant(id)?.tracks.map(\.info) ?? [] }

    /// The publisher or subscriber connection of a participant (for stats and tests).
    public func connection(_ id: SFUConnectionID) -> PeerConnection? {
        guard let p = participant(id.participant) else { return nil }
        return id.role == .publisher ? p.publisher?.peer : p.subscriber?.peer
    }

    /// The subscription carrying `track` to `subscriber`, once it exists.
    public func subscription(of track: SFUTrackID, to subscriber: SFUParticipantID) -> Subscription? {
        participant(subscriber)?.sections.first { $0.track?.id == track }?.subscription
    }

    /// The publication of `track`.
    public func publication(of track: SFUTrackID) -> Publication? { findTrack(track)?.publication }

    // MARK: - Helpers

    func participant(_ id: SFUParticipantID) -> SFUParticipant? {
        guard id.slot >= 0, id.slot < participants.count, let p = participants[id.slot], p.id == id else { return nil }
        return p
    }

    func connectionObject(_ id: SFUConnectionID) -> SFUConnection? {
        guard let p = participant(id.participant) else { return nil }
        return id.role == .publisher ? p.publisher : p.subscriber
    }

    func findTrack(_ id: SFUTrackID) -> SFUTrack? {
        for p in participants.compactMap({ $0 }) {
            if let t = p.tracks.first(where: { $0.id == id }) { return t }
        }
        return nil
    }

    func randomSSRC() -> SSRC { SSRC(UInt32(truncatingIfNeeded: rng.next()) | 1) }

    func peerConfiguration(_ credentials: ICECredentials, _ p: SFUParticipant) -> PeerConnection.Configuration {
        let ice = ICELiteAgent.Configuration(localCredentials: credentials, hostAddresses: hostAddresses)
        return PeerConnection.Configuration(ice: .lite(ice), certificate: configuration.certificate,
                                            dtls: DTLSConfiguration(), sessionID: String(p.rtcpSSRC.rawValue),
                                            srtpBackend: configuration.srtpBackend)
    }

    static func trackCodec(_ c: NegotiatedCodec) -> TrackCodec {
        switch c.type {
        case .opus: return .opus
        case .vp8: return .vp8
        case .vp9: return .vp9
        case .h264: return .h264
        case .av1: return .av1
        default: return .other(clockRate: c.clockRate)
        }
    }

    /// The codec line subscriber offers carry: the router's capability with the publisher's
    /// fmtp (e.g. the H.264 profile it sends).
    static func subscriberCapability(_ c: NegotiatedCodec, kind: TrackKind) -> SDPCodecCapability {
        var cap: SDPCodecCapability
        switch c.type {
        case .opus: cap = .opus
        case .vp8: cap = .vp8
        case .vp9: cap = .vp9
        case .h264: cap = .h264
        case .av1: cap = .av1
        default:
            cap = SDPCodecCapability(kind: kind == .audio ? .audio : .video, encodingName: c.encodingName,
                                     clockRate: c.clockRate, channels: c.channels, payloadType: c.payloadType)
        }
        if !c.parameters.isEmpty { cap.parameters = c.parameters }
        return cap
    }
}
