@_spi(Benchmark) import RTCCore

/// The server side of one replay: RTCCore's ``SFURouter`` — the same object sfu-server drives —
/// with one publisher and N subscribers in one room, each a real client ``PeerConnection``
/// (full ICE agent, DTLS, SRTP) connected to it in virtual time over a lossless in-process
/// wire. The publisher offers the sidecar's tracks; the router answers, offers each subscriber
/// the tracks, and the subscribers answer.
///
/// ```
///  publisher client ──(real ICE+DTLS, virtual time)──▶ ┌──────────┐
///                                                      │ SFURouter│ ◀──▶ subscriber client i
///                                                      └──────────┘       (i < N)
/// ```
final class ReplayWorld {
    static let serverAddress = TransportAddress("127.0.0.1:40000")!

    let sidecar: ReplaySidecar
    let profile: SRTPProfile
    let srtpBackend: SRTPBackend
    let router: SFURouter
    let publisherClient: PeerConnection
    let publisherAddress: TransportAddress
    let publisherID: SFUParticipantID
    var subscriberClients: [PeerConnection?]
    let subscriberAddresses: [TransportAddress]
    let subscriberIDs: [SFUParticipantID]
    /// The router's tracks, one per sidecar track, in order.
    private(set) var tracks: [SFUTrackID] = []
    var now: Instant
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096 + SRTPSession.rtcpTrailerRoom,
                                                                alignment: 16)

    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    init(sidecar: ReplaySidecar, subscriberCount: Int, profile: SRTPProfile, srtpBackend: SRTPBackend = .default,
         serverCertificate: DTLSCertificate, clientCertificate: DTLSCertificate,
         publisherAddress: TransportAddress) throws {
        self.sidecar = sidecar
        self.profile = profile
        self.srtpBackend = srtpBackend
        self.publisherAddress = publisherAddress
        now = Instant(nanoseconds: 1_000_000_000)
        // No REMB (the fixture's publisher does not listen) and slots for every subscriber's copy.
        router = SFURouter(configuration: .init(
            certificate: serverCertificate, hostAddresses: [ICEHostAddress(base: Self.serverAddress)], seed: 0x5B5,
            egressSlots: max(256, subscriberCount * 4), publisherBitrate: nil, srtpBackend: srtpBackend))
        let room = SFURoomID(1)
        publisherID = router.addParticipant(room: room, publisherCredentials: Self.serverCredentials("pubS"),
                                            subscriberCredentials: Self.serverCredentials("pubX"), now: now)
        var ids: [SFUParticipantID] = []
        var addresses: [TransportAddress] = []
        for slot in 0..<subscriberCount {
            ids.append(router.addParticipant(room: room, publisherCredentials: Self.serverCredentials("sub\(slot)P"),
                                             subscriberCredentials: Self.serverCredentials("sub\(slot)S"), now: now))
            addresses.append(TransportAddress(ip: publisherAddress.ip, port: UInt16(20_000 + slot)))
        }
        subscriberIDs = ids
        subscriberAddresses = addresses
        subscriberClients = Array(repeating: nil, count: subscriberCount)

        // The publisher offers its tracks (sendonly, rids), restricted to the chosen profile.
        publisherClient = PeerConnection(configuration: Self.clientConfiguration(
            certificate: clientCertificate, address: publisherAddress, ufrag: "pubC", seed: 1, profile: profile,
            srtpBackend: srtpBackend))
        var sections: [SDPOfferSection] = []
        for t in sidecar.tracks {
            guard let mid = Mid(t.mid), let cap = t.capability else {
                throw SetupError(description: "track \(t.mid): unsupported codec \(t.codec)")
            }
            sections.append(SDPOfferSection(
                mid: mid, kind: t.mediaKind, direction: .sendonly, codecs: [cap],
                headerExtensions: sidecar.extMaps(for: t.mediaKind), sendRids: t.rids.compactMap { Rid($0) }))
        }
        let offer = try SessionDescription.parse(publisherClient.createOffer(sections: sections).serialized())
        let answer = try router.publish(offer: offer, from: publisherID, now: now)
        try publisherClient.setRemoteAnswer(SessionDescription.parse(answer.serialized()), now: now)
        let published = router.tracks(of: publisherID)
        for t in sidecar.tracks {
            guard let info = published.first(where: { $0.publisherMid.description == t.mid }) else {
                throw SetupError(description: "track \(t.mid) not accepted by the router")
            }
            tracks.append(info.id)
        }
        try pump()
        guard connect(profile: profile) else {
            let states = subscriberClients.map { "\($0?.state as Any)" }
            throw SetupError(description: "did not connect (publisher \(publisherClient.state), subscribers \(states)) \(router.stats) \(publisherClient.transport?.iceStats as Any) \(serverPublisher?.transport?.iceStats as Any)")
        }
    }

    deinit { buffer.deallocate() }

    /// The publisher's negotiated inbound extension map (for classifying fixture packets).
    var publisherMap: RTPExtensionMap {
        router.connection(SFUConnectionID(participant: publisherID, role: .publisher))?.transport?.inboundExtensionMap
            ?? RTPExtensionMap()
    }

    /// subscriptions[track][subscriber], once the subscribers are connected.
    var subscriptions: [[Subscription]] {
        tracks.map { t in subscriberIDs.compactMap { router.subscription(of: t, to: $0) } }
    }

    var publications: [Publication] { tracks.compactMap { router.publication(of: $0) } }

    /// The router's publisher connection.
    var serverPublisher: PeerConnection? {
        router.connection(SFUConnectionID(participant: publisherID, role: .publisher))
    }

    /// Moves every datagram between the clients and the router until nothing moves; answers
    /// subscriber offers. Returns whether anything moved.
    @discardableResult
    func pump() throws -> Bool {
        var movedAny = false
        var moved = true
        while moved {
            moved = false
            while let o = router.pollOutput() {
                switch o {
                case .transmit(let t):
                    moved = true
                    guard let client = client(at: t.to), t.bytes.count + SRTPSession.rtcpTrailerRoom <= buffer.count
                    else { continue }
                    buffer.copyMemory(from: t.bytes)
                    _ = client.handle(datagram: buffer, length: t.bytes.count, from: t.from, local: t.to, now: now)
                case .event(.subscribeOffer(let id, let sdp, _)):
                    moved = true
                    try answer(sdp, for: id)
                case .event:
                    break
                }
            }
            for (client, address) in [(publisherClient, publisherAddress)]
                + zip(subscriberClients, subscriberAddresses).compactMap({ c, a in c.map { ($0, a) } }) {
                while let o = client.pollOutput() {
                    guard case .transmit(let bytes, let to, _) = o,
                          bytes.count + SRTPSession.rtcpTrailerRoom <= buffer.count else { continue }
                    moved = true
                    bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
                    router.handle(.datagram(buffer, length: bytes.count, from: address, local: to), now: now)
                }
            }
            movedAny = movedAny || moved
        }
        return movedAny
    }

    private func client(at address: TransportAddress) -> PeerConnection? {
        if address == publisherAddress { return publisherClient }
        if let i = subscriberAddresses.firstIndex(of: address) { return subscriberClients[i] }
        return nil
    }

    /// A subscriber client answers the router's offer: recvonly, DTLS active.
    private func answer(_ sdp: SessionDescription, for id: SFUParticipantID) throws {
        guard let i = subscriberIDs.firstIndex(of: id) else { return }
        let offer = try SessionDescription.parse(sdp.serialized())
        var o = SDPAnswerOptions(sessionID: "2")
        o.audioDirection = .recvonly
        o.videoDirection = .recvonly
        o.preferredSetup = .active
        let answer: SessionDescription
        if let c = subscriberClients[i] {
            answer = try c.answer(offer: offer, options: o, now: now)
        } else {
            let (c, a) = try PeerConnection.answer(
                offer: offer, configuration: Self.clientConfiguration(
                    certificate: publisherClient.configuration.certificate, address: subscriberAddresses[i],
                    ufrag: "sub\(i)C", seed: UInt64(i) &+ 2, profile: profile,
                    srtpBackend: srtpBackend),
                options: o, now: now)
            subscriberClients[i] = c
            answer = a
        }
        try router.subscribeAnswer(SessionDescription.parse(answer.serialized()), from: id, now: now)
    }

    /// Runs until every connection is up (SRTP keys both ways) and negotiated `profile`, or
    /// 20 s of virtual time pass.
    private func connect(profile: SRTPProfile) -> Bool {
        let end = now + .seconds(20)
        var spins = 0
        while true {
            let up = publisherClient.state == .connected && serverPublisher?.state == .connected
                && subscriberClients.allSatisfy { $0?.state == .connected }
                && subscriberIDs.allSatisfy {
                    router.connection(SFUConnectionID(participant: $0, role: .subscriber))?.state == .connected
                }
            if up { break }
            if (try? pump()) == true { spins = 0; continue }
            var next = router.nextTimeout()?.0
            for c in [publisherClient] + subscriberClients.compactMap({ $0 }) {
                if let t = c.nextTimeout()?.0, next.map({ t < $0 }) ?? true { next = t }
            }
            guard let t = next, t <= end else { return false }
            if t > now { now = t } else {
                spins += 1
                if spins > 10_000 { return false }
            }
            if let (rt, _) = router.nextTimeout(), rt <= now { router.handle(.timeout, now: now) }
            for c in [publisherClient] + subscriberClients.compactMap({ $0 }) {
                if let (ct, _) = c.nextTimeout(), ct <= now { c.handleTimeout(now: now) }
            }
        }
        _ = try? pump()
        return serverPublisher?.transport?.srtpProfile == profile
    }

    static func serverCredentials(_ ufrag: String) -> ICECredentials {
        ICECredentials(ufrag: ufrag, pwd: "replayServerPassword0123456")
    }

    static func clientConfiguration(certificate: DTLSCertificate, address: TransportAddress, ufrag: String,
                                    seed: UInt64, profile: SRTPProfile?,
                                    srtpBackend: SRTPBackend = .default) -> PeerConnection.Configuration {
        let ice = ICEAgent.Configuration(
            localCredentials: ICECredentials(ufrag: ufrag, pwd: "replayClientPassword0123456"),
            hostAddresses: [ICEHostAddress(base: address)], seed: seed)
        var dtls = DTLSConfiguration()
        if let profile { dtls.srtpProfiles = [profile] }
        return PeerConnection.Configuration(ice: .full(ice), certificate: certificate, dtls: dtls, sessionID: "3",
                                            srtpBackend: srtpBackend)
    }
}
