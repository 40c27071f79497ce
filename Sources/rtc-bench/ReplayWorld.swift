import RTCCore

/// The server side of one replay, set up as sfu-server sets it up (RoomMedia.swift): one
/// publisher connection answered as ICE-lite with the chosen SRTP profile, one
/// ``Publication`` per published track (layers = rids), an ``IncomingStreamTable`` by mid/rid,
/// and N subscriber connections the server offered `sendonly` sections on, each with one
/// ``Subscription`` per track (fresh SSRC, the subscriber connection's extension map).
///
/// ```
///  publisher client ──(real ICE+DTLS, virtual time)──▶ server publisher PeerConnection
///  server subscriber PeerConnection i ◀──(real ICE+DTLS)──▶ subscriber client i   (i < N)
/// ```
final class ReplayWorld {
    static let serverAddress = TransportAddress("127.0.0.1:40000")!

    let sidecar: ReplaySidecar
    let publisher: InProcessPeerPair
    let subscribers: [InProcessPeerPair]
    /// Server-side transports of the subscribers, by slot.
    let subscriberTransports: [PeerTransport]
    let publisherTransport: PeerTransport
    /// One per sidecar track, in order.
    let publications: [Publication]
    /// subscriptions[track][slot]
    let subscriptions: [[Subscription]]
    var streams = IncomingStreamTable()
    /// RTX payload types of the publisher (indexed by payload type, no set lookup per packet).
    var isRTXPayloadType = [Bool](repeating: false, count: 128)
    /// The publisher's negotiated inbound extension map (for classifying fixture packets).
    let publisherMap: RTPExtensionMap

    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    init(sidecar: ReplaySidecar, subscriberCount: Int, profile: SRTPProfile, serverCertificate: DTLSCertificate,
         clientCertificate: DTLSCertificate, publisherAddress: TransportAddress) throws {
        self.sidecar = sidecar
        var now = Instant(nanoseconds: 1_000_000_000)

        // The publisher: the client offers (full ICE agent, sendonly sections with rids), the
        // server answers as ICE-lite, DTLS passive, recvonly.
        let pubClient = PeerConnection(configuration: Self.clientConfiguration(
            certificate: clientCertificate, address: publisherAddress, ufrag: "pubC", seed: 1))
        var sections: [SDPOfferSection] = []
        for t in sidecar.tracks {
            guard let mid = Mid(t.mid), let cap = t.capability else {
                throw SetupError(description: "track \(t.mid): unsupported codec \(t.codec)")
            }
            sections.append(SDPOfferSection(
                mid: mid, kind: t.mediaKind, direction: .sendonly, codecs: [cap],
                headerExtensions: sidecar.extMaps(for: t.mediaKind), sendRids: t.rids.compactMap { Rid($0) }))
        }
        let offer = try SessionDescription.parse(pubClient.createOffer(sections: sections).serialized())
        var options = SDPAnswerOptions(sessionID: "1")
        options.audioDirection = .recvonly
        options.videoDirection = .recvonly
        options.preferredSetup = .passive
        let (pubServer, answer) = try PeerConnection.answer(
            offer: offer, configuration: Self.serverConfiguration(certificate: serverCertificate, profile: profile,
                                                                  ufrag: "pubS"),
            options: options, now: now)
        try pubClient.setRemoteAnswer(SessionDescription.parse(answer.serialized()), now: now)
        let pub = InProcessPeerPair(client: pubClient, server: pubServer, clientAddress: publisherAddress,
                                    serverAddress: Self.serverAddress, now: now)
        guard pub.connect(), let pubTransport = pubServer.transport, let negotiated = pubServer.negotiated else {
            throw SetupError(description: "publisher connection did not connect (\(pubClient.state), \(pubServer.state))")
        }
        guard pubTransport.srtpProfile == profile else {
            throw SetupError(description: "publisher negotiated \(String(describing: pubTransport.srtpProfile)), not \(profile)")
        }
        now = pub.now
        self.publisher = pub
        self.publisherTransport = pubTransport

        // As RoomRegistry.handlePublishOffer: one publication per accepted track.
        var map = RTPExtensionMap()
        var pubs: [Publication] = []
        for m in negotiated.media where m.accepted {
            for e in m.extMaps where e.id >= 1 && e.id <= 255 { _ = map.register(uri: e.uri, id: UInt8(e.id)) }
            for c in m.codecs { if let r = c.rtxPayloadType, r.rawValue < 128 { isRTXPayloadType[Int(r.rawValue)] = true } }
        }
        for t in sidecar.tracks {
            guard let m = negotiated.media.first(where: { $0.mid.description == t.mid && $0.accepted }),
                  let codec = m.codecs.first else {
                throw SetupError(description: "track \(t.mid) not accepted by the server")
            }
            let rids = m.remoteRids.filter { $0.direction == .send }.map(\.id)
            let kind: TrackKind = t.mediaKind == .audio ? .audio : .video
            let p = Publication(id: UInt32(pubs.count + 1), kind: kind, codec: Self.trackCodec(codec.type, clockRate: codec.clockRate),
                                layerCount: max(1, rids.count), sourceMap: map)
            streams.add(.init(mid: m.mid, rids: rids, ssrcs: m.remoteSsrcs, publication: pubs.count))
            pubs.append(p)
        }
        pubTransport.inboundExtensionMap = map
        self.publisherMap = map
        self.publications = pubs

        // Subscribers: the server offers one sendonly section per track; the client answers
        // active (DTLS client), recvonly.
        var subs: [InProcessPeerPair] = []
        var transports: [PeerTransport] = []
        var subscriptions = [[Subscription]](repeating: [], count: pubs.count)
        var rng = SeededRandom(seed: 0x5B5)
        for slot in 0..<subscriberCount {
            var secs: [SDPOfferSection] = []
            var planned: [(SSRC, SDPCodecCapability, Mid)] = []
            for (i, t) in sidecar.tracks.enumerated() {
                guard let cap = t.capability, let mid = Mid(String(i)) else { continue }
                let ssrc = SSRC(UInt32(truncatingIfNeeded: rng.next()) | 1)
                planned.append((ssrc, cap, mid))
                secs.append(SDPOfferSection(
                    mid: mid, kind: t.mediaKind, direction: .sendonly, codecs: [cap],
                    headerExtensions: Self.subscriberExtMaps(t.mediaKind),
                    sendStream: SDPSendStream(ssrc: ssrc, cname: "pub", msid: SDPMsid(streamID: "pub", trackID: "t\(i)"))))
            }
            let server = PeerConnection(configuration: Self.serverConfiguration(
                certificate: serverCertificate, profile: profile, ufrag: "sub\(slot)S"))
            let subOffer = try SessionDescription.parse(server.createOffer(sections: secs).serialized())
            let clientAddress = TransportAddress(ip: publisherAddress.ip, port: UInt16(20_000 + slot))
            var o = SDPAnswerOptions(sessionID: "2")
            o.audioDirection = .recvonly
            o.videoDirection = .recvonly
            o.preferredSetup = .active
            let (client, subAnswer) = try PeerConnection.answer(
                offer: subOffer, configuration: Self.clientConfiguration(
                    certificate: clientCertificate, address: clientAddress, ufrag: "sub\(slot)C",
                    seed: UInt64(slot) &+ 2),
                options: o, now: now)
            try server.setRemoteAnswer(SessionDescription.parse(subAnswer.serialized()), now: now)
            let pair = InProcessPeerPair(client: client, server: server, clientAddress: clientAddress,
                                         serverAddress: Self.serverAddress, now: now)
            guard pair.connect(), let transport = server.transport, let n = server.negotiated else {
                throw SetupError(description: "subscriber \(slot) did not connect (\(client.state), \(server.state))")
            }
            var dmap = RTPExtensionMap()
            for m in n.media where m.accepted {
                for e in m.extMaps where e.id >= 1 && e.id <= 255 { _ = dmap.register(uri: e.uri, id: UInt8(e.id)) }
            }
            for (i, (ssrc, cap, mid)) in planned.enumerated() {
                let s = Subscription(slot: slot, outSSRC: ssrc, outPayloadType: cap.payloadType, mid: mid,
                                     destinationMap: dmap, clockRate: pubs[i].codec.clockRate)
                pubs[i].add(s)
                subscriptions[i].append(s)
            }
            subs.append(pair)
            transports.append(transport)
        }
        self.subscribers = subs
        self.subscriberTransports = transports
        self.subscriptions = subscriptions
    }

    static func trackCodec(_ type: SDPCodecType, clockRate: UInt32) -> TrackCodec {
        switch type {
        case .opus: return .opus
        case .vp8: return .vp8
        case .vp9: return .vp9
        case .h264: return .h264
        case .av1: return .av1
        default: return .other(clockRate: clockRate)
        }
    }

    /// As RoomRegistry.subscriberExtMaps: what the router writes on subscriber connections.
    static func subscriberExtMaps(_ kind: SDPMediaKind) -> [SDPExtMap] {
        switch kind {
        case .audio:
            return [SDPExtMap(id: 1, uri: SDPExtensionURI.audioLevel), SDPExtMap(id: 2, uri: SDPExtensionURI.absSendTime),
                    SDPExtMap(id: 4, uri: SDPExtensionURI.mid)]
        default:
            return [SDPExtMap(id: 2, uri: SDPExtensionURI.absSendTime), SDPExtMap(id: 4, uri: SDPExtensionURI.mid)]
        }
    }

    static func clientConfiguration(certificate: DTLSCertificate, address: TransportAddress, ufrag: String,
                                    seed: UInt64) -> PeerConnection.Configuration {
        let ice = ICEAgent.Configuration(
            localCredentials: ICECredentials(ufrag: ufrag, pwd: "replayClientPassword0123456"),
            hostAddresses: [ICEHostAddress(base: address)], seed: seed)
        return PeerConnection.Configuration(ice: .full(ice), certificate: certificate, sessionID: "3")
    }

    static func serverConfiguration(certificate: DTLSCertificate, profile: SRTPProfile, ufrag: String)
        -> PeerConnection.Configuration
    {
        let ice = ICELiteAgent.Configuration(
            localCredentials: ICECredentials(ufrag: ufrag, pwd: "replayServerPassword0123456"),
            hostAddresses: [ICEHostAddress(base: serverAddress)])
        return PeerConnection.Configuration(ice: .lite(ice), certificate: certificate,
                                            dtls: DTLSConfiguration(srtpProfiles: [profile]), sessionID: "4")
    }
}
