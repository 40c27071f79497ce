import Testing
@testable import RTCCore

/// A datagram on the emulated network between the two peers.
struct PeerDatagram: Sendable {
    var bytes: [UInt8]
    var from: TransportAddress
    var to: TransportAddress
}

/// Which peer of a ``PeerPair``: A is the client (full ICE agent), B the server (ICE-lite).
enum PeerSide: Hashable, Sendable, CustomStringConvertible {
    case a, b
    var other: PeerSide { self == .a ? .b : .a }
    var description: String { self == .a ? "A(client)" : "B(server)" }
}

/// Two ``PeerConnection``s in one process, joined by two seeded ``NetworkEmulator`` links, in
/// virtual time.
///
/// ``run(until:)`` advances time to the earliest of {A's timeout, B's timeout, the A→B link's
/// next delivery, the B→A link's}; nothing sleeps. A timer that fires and is still due
/// afterwards (no progress) is recorded as a test failure, and so is a loop that spins at one
/// instant.
final class PeerPair {
    static let addressA = TransportAddress("10.0.0.1:5000")!
    static let addressB = TransportAddress("10.0.0.2:40000")!
    static let credentialsA = ICECredentials(ufrag: "CliA", pwd: "clientPasswordOf24Chars+")
    static let credentialsB = ICECredentials(ufrag: "SrvB", pwd: "serverPasswordOf24Chars/")

    let a: PeerConnection
    let b: PeerConnection
    var linkAB: NetworkEmulator<PeerDatagram>
    var linkBA: NetworkEmulator<PeerDatagram>
    var now: Instant

    /// Everything each side transmitted, in order (before loss).
    var wire: [PeerSide: [PeerDatagram]] = [.a: [], .b: []]
    var events: [PeerSide: [(Instant, PeerEvent)]] = [.a: [], .b: []]
    /// Decrypted RTP and RTCP each side received, byte for byte.
    var rtp: [PeerSide: [[UInt8]]] = [.a: [], .b: []]
    var rtpHeaders: [PeerSide: [(RTPHeader, RTPExtensionValues)]] = [.a: [], .b: []]
    var rtcp: [PeerSide: [[UInt8]]] = [.a: [], .b: []]
    var drops: [PeerSide: [PeerDropReason]] = [.a: [], .b: []]
    /// Returns true to lose a datagram a side transmits: (sender, index in its send order,
    /// datagram). Applied before the link's own conditions.
    var lose: (PeerSide, Int, PeerDatagram) -> Bool = { _, _, _ in false }
    /// Datagrams addressed to neither peer.
    var misrouted = 0
    /// The next RTP sequence number ``exchangeMedia(count:interval:firstSequence:expectSent:)`` uses.
    var nextSequence: UInt16 = 1
    /// Timer expiries handled, by side.
    var timeouts: [PeerSide: Int] = [.a: 0, .b: 0]

    init(a: PeerConnection, b: PeerConnection, conditions: LinkConditions = LinkConditions(),
         conditionsBA: LinkConditions? = nil, seed: UInt64 = 1, now: Instant = .zero) {
        self.a = a
        self.b = b
        self.linkAB = NetworkEmulator(conditions: conditions, seed: seed)
        self.linkBA = NetworkEmulator(conditions: conditionsBA ?? conditions, seed: seed &+ 0x9E37)
        self.now = now
    }

    func peer(_ side: PeerSide) -> PeerConnection { side == .a ? a : b }
    func transport(_ side: PeerSide) -> PeerTransport? { peer(side).transport }

    // MARK: - Building the two peers

    static func clientConfiguration(
        srtpProfiles: [SRTPProfile]? = nil, tune: (inout ICEAgent.Configuration) -> Void = { _ in }
    ) -> PeerConnection.Configuration {
        var ice = ICEAgent.Configuration(localCredentials: credentialsA,
                                         hostAddresses: [ICEHostAddress(base: addressA)], seed: 0xC11E)
        tune(&ice)
        var dtls = DTLSConfiguration()
        if let p = srtpProfiles { dtls.srtpProfiles = p }
        return PeerConnection.Configuration(ice: .full(ice), certificate: DTLSTestCertificates.alice, dtls: dtls,
                                            sessionID: "1111")
    }

    static func serverConfiguration(
        srtpProfiles: [SRTPProfile]? = nil, tune: (inout ICELiteAgent.Configuration) -> Void = { _ in }
    ) -> PeerConnection.Configuration {
        var ice = ICELiteAgent.Configuration(localCredentials: credentialsB,
                                             hostAddresses: [ICEHostAddress(base: addressB)])
        tune(&ice)
        var dtls = DTLSConfiguration()
        if let p = srtpProfiles { dtls.srtpProfiles = p }
        return PeerConnection.Configuration(ice: .lite(ice), certificate: DTLSTestCertificates.bob, dtls: dtls,
                                            sessionID: "2222")
    }

    /// Audio and video, both ways.
    static let sections: [SDPOfferSection] = [
        SDPOfferSection(mid: Mid("0")!, kind: .audio, direction: .sendrecv),
        SDPOfferSection(mid: Mid("1")!, kind: .video, direction: .sendrecv),
    ]

    static func answerOptions(setup: SDPSetupRole) -> SDPAnswerOptions {
        var o = SDPAnswerOptions(sessionID: "0")
        o.audioDirection = .sendrecv
        o.videoDirection = .sendrecv
        o.preferredSetup = setup
        return o
    }

    /// The publisher flow: the client (A, full agent) offers, the server (B, ICE-lite)
    /// answers taking `serverDTLS` (the offer says actpass).
    static func clientOffers(
        serverDTLS: DTLSRole = .server, client: PeerConnection.Configuration = clientConfiguration(),
        server: PeerConnection.Configuration = serverConfiguration(),
        conditions: LinkConditions = LinkConditions(), seed: UInt64 = 1,
        sections: [SDPOfferSection] = PeerPair.sections,
        editOffer: (inout SessionDescription) -> Void = { _ in },
        editAnswer: (inout SessionDescription) -> Void = { _ in }
    ) throws -> PeerPair {
        let a = PeerConnection(configuration: client)
        var offer = try reparse(a.createOffer(sections: sections))
        editOffer(&offer)
        let (b, answer) = try PeerConnection.answer(
            offer: offer, configuration: server,
            options: answerOptions(setup: serverDTLS == .client ? .active : .passive), now: .zero)
        var edited = try reparse(answer)
        editAnswer(&edited)
        try a.setRemoteAnswer(edited, now: .zero)
        return PeerPair(a: a, b: b, conditions: conditions, seed: seed)
    }

    /// The subscriber flow: the server (B, ICE-lite) offers, the client (A, full agent)
    /// answers taking `clientDTLS`.
    static func serverOffers(
        clientDTLS: DTLSRole = .client, client: PeerConnection.Configuration = clientConfiguration(),
        server: PeerConnection.Configuration = serverConfiguration(),
        conditions: LinkConditions = LinkConditions(), seed: UInt64 = 1,
        sections: [SDPOfferSection] = PeerPair.sections
    ) throws -> PeerPair {
        let b = PeerConnection(configuration: server)
        let offer = b.createOffer(sections: sections)
        let (a, answer) = try PeerConnection.answer(
            offer: try reparse(offer), configuration: client,
            options: answerOptions(setup: clientDTLS == .client ? .active : .passive), now: .zero)
        try b.setRemoteAnswer(try reparse(answer), now: .zero)
        return PeerPair(a: a, b: b, conditions: conditions, seed: seed)
    }

    /// Descriptions cross the signaling channel as text.
    static func reparse(_ sdp: SessionDescription) throws -> SessionDescription {
        try SessionDescription.parse(sdp.serialized())
    }

    // MARK: - Running

    private func drain() {
        for side in [PeerSide.a, .b] {
            let p = peer(side)
            while let o = p.pollOutput() {
                switch o {
                case .transmit(let bytes, let to, let from):
                    let d = PeerDatagram(bytes: bytes, from: from, to: to)
                    let index = wire[side]!.count
                    wire[side]!.append(d)
                    if lose(side, index, d) { continue }
                    if side == .a {
                        linkAB.send(d, size: bytes.count, now: now)
                    } else {
                        linkBA.send(d, size: bytes.count, now: now)
                    }
                case .event(let e):
                    events[side]!.append((now, e))
                }
            }
        }
    }

    func run(for duration: Duration) { run(until: now + duration) }

    /// Runs until `end` (or earlier, when `stop` says so after a step).
    func run(until end: Instant, stop: () -> Bool = { false }) {
        var spins = 0
        while true {
            drain()
            if stop() { return }
            let next = [a.nextTimeout()?.0, b.nextTimeout()?.0, linkAB.nextTimeout(), linkBA.nextTimeout()]
                .compactMap { $0 }.min()
            guard let next, next <= end else {
                if now < end { now = end }
                return
            }
            if next > now {
                now = next
                spins = 0
            } else {
                spins += 1
                if spins > 10_000 {
                    Issue.record("no progress at \(now)")
                    return
                }
            }
            while let d = linkAB.poll(now: now) { deliver(d, to: .b) }
            while let d = linkBA.poll(now: now) { deliver(d, to: .a) }
            for side in [PeerSide.a, .b] {
                let p = peer(side)
                guard let (deadline, reason) = p.nextTimeout(), deadline <= now else { continue }
                p.handleTimeout(now: now)
                timeouts[side]! += 1
                if let (again, reason2) = p.nextTimeout(), again <= now {
                    Issue.record("\(side) timer \(reason) fired at \(now) without progress (next \(reason2) at \(again))")
                    return
                }
            }
        }
    }

    /// Runs until both peers are connected (SRTP keys on both sides) or `limit` passes.
    @discardableResult
    func runUntilConnected(limit: Duration = .seconds(10)) -> Bool {
        run(until: now + limit) { self.a.state == .connected && self.b.state == .connected }
        return a.state == .connected && b.state == .connected
    }

    /// Delivers a datagram to `side` as the network would.
    func deliver(_ d: PeerDatagram, to side: PeerSide) {
        let p = peer(side)
        let own = side == .a ? Self.addressA : Self.addressB
        guard d.to == own else {
            misrouted += 1
            return
        }
        var buffer = [UInt8](repeating: 0, count: max(2_048, d.bytes.count + SRTPSession.rtcpTrailerRoom))
        buffer.replaceSubrange(0..<d.bytes.count, with: d.bytes)
        let n = d.bytes.count
        buffer.withUnsafeMutableBytes { raw in
            switch p.handle(datagram: raw, length: n, from: d.from, local: d.to, now: now) {
            case .rtp(let h, let v, let length):
                rtp[side]!.append(Array(raw[0..<length]))
                rtpHeaders[side]!.append((h, v))
            case .rtcp(let length):
                rtcp[side]!.append(Array(raw[0..<length]))
            case .handled:
                break
            case .dropped(let reason):
                drops[side]!.append(reason)
            }
        }
        drain()
    }

    /// Injects raw bytes to `side` from `from` (an attacker, or a replay).
    func inject(_ bytes: [UInt8], to side: PeerSide, from: TransportAddress) {
        deliver(PeerDatagram(bytes: bytes, from: from, to: side == .a ? Self.addressA : Self.addressB), to: side)
    }

    /// Sends `count` RTP packets from each side (SSRC 0xA000_0001 from A, 0xB000_0002 from B)
    /// with an RTCP compound every 10, `interval` apart, running the network in between.
    /// Returns what each side sent.
    @discardableResult
    func exchangeMedia(count: Int, interval: Duration = .milliseconds(20), firstSequence: UInt16? = nil,
                       expectSent: Bool = true)
        -> (rtp: [PeerSide: [[UInt8]]], rtcp: [PeerSide: [[UInt8]]])
    {
        var sentRTP: [PeerSide: [[UInt8]]] = [.a: [], .b: []]
        var sentRTCP: [PeerSide: [[UInt8]]] = [.a: [], .b: []]
        // SRTP refuses to protect a packet index twice, so every call continues the sequence.
        let firstSequence = firstSequence ?? nextSequence
        nextSequence = firstSequence &+ UInt16(truncatingIfNeeded: count)
        for i in 0..<count {
            for side in [PeerSide.a, .b] {
                let ssrc: UInt32 = side == .a ? 0xA000_0001 : 0xB000_0002
                let packet = PeerTestMedia.rtp(ssrc: ssrc, sequence: firstSequence &+ UInt16(i))
                let ok = peer(side).sendRTP(packet)
                if expectSent { #expect(ok, "\(side) could not send RTP \(i)") }
                if ok { sentRTP[side]!.append(packet) }
                if i % 10 == 9 {
                    let report = PeerTestMedia.rtcp(sender: ssrc, media: side == .a ? 0xB000_0002 : 0xA000_0001)
                    let ok = peer(side).sendRTCP(report)
                    if expectSent { #expect(ok, "\(side) could not send RTCP \(i)") }
                    if ok { sentRTCP[side]!.append(report) }
                }
            }
            run(for: interval)
        }
        return (sentRTP, sentRTCP)
    }

    // MARK: - Queries

    func states(_ side: PeerSide) -> [PeerTransportState] {
        events[side]!.compactMap { if case .stateChanged(let s) = $0.1 { return s } else { return nil } }
    }

    func time(of state: PeerTransportState, _ side: PeerSide) -> Instant? {
        events[side]!.first { $0.1 == .stateChanged(state) }?.0
    }

    func iceStates(_ side: PeerSide) -> [ICEConnectionState] {
        events[side]!.compactMap { if case .iceStateChanged(let s) = $0.1 { return s } else { return nil } }
    }

    func dropCount(_ reason: PeerDropReason, _ side: PeerSide) -> Int {
        drops[side]!.filter { $0 == reason }.count
    }

    /// Datagrams `side` transmitted of one RFC 7983 kind.
    func sent(_ kind: DemuxedKind, by side: PeerSide) -> [PeerDatagram] {
        wire[side]!.filter { d in d.bytes.withUnsafeBytes { Demux.classify($0) } == kind }
    }
}

/// Test media: RTP and RTCP packets with recognisable contents.
enum PeerTestMedia {
    /// An RTP packet with a one-byte-header extension carrying `mid` at extension id 4 (the
    /// id ``SDPHeaderExtensionIDs/defaultExtMaps(for:)`` offers), then a seeded payload.
    static func rtp(ssrc: UInt32, sequence: UInt16, payloadType: UInt8 = 111, mid: String = "0",
                    payloadLength: Int = 160, seed: UInt64 = 7) -> [UInt8] {
        let ts = UInt32(sequence) &* 960
        var p: [UInt8] = [0x90, payloadType & 0x7F, UInt8(sequence >> 8), UInt8(truncatingIfNeeded: sequence),
                          UInt8(ts >> 24), UInt8(truncatingIfNeeded: ts >> 16), UInt8(truncatingIfNeeded: ts >> 8),
                          UInt8(truncatingIfNeeded: ts),
                          UInt8(ssrc >> 24), UInt8(truncatingIfNeeded: ssrc >> 16),
                          UInt8(truncatingIfNeeded: ssrc >> 8), UInt8(truncatingIfNeeded: ssrc)]
        let midBytes = Array(mid.utf8)
        var ext: [UInt8] = [UInt8(4 << 4) | UInt8(midBytes.count - 1)] + midBytes
        while ext.count % 4 != 0 { ext.append(0) }
        p += [0xBE, 0xDE, 0, UInt8(ext.count / 4)] + ext
        var rng = SeededRandom(seed: seed &+ UInt64(sequence))
        for _ in 0..<payloadLength { p.append(UInt8(truncatingIfNeeded: rng.next())) }
        return p
    }

    /// A compound RTCP packet: an empty receiver report and a PLI (RFC 3550 §6.4.2,
    /// RFC 4585 §6.3.1).
    static func rtcp(sender: UInt32, media: UInt32) -> [UInt8] {
        func be(_ v: UInt32) -> [UInt8] {
            [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8),
             UInt8(truncatingIfNeeded: v)]
        }
        return [0x80, 201, 0, 1] + be(sender) + [0x81, 206, 0, 2] + be(sender) + be(media)
    }
}

extension PeerTransportState {
    /// The DTLS error kind when the state is `.failed(.dtls(_))`.
    var dtlsFailure: DTLSError.Kind? {
        if case .failed(.dtls(let e)) = self { return e.kind }
        return nil
    }
}

extension SessionDescription {
    /// Replaces every `a=fingerprint` (session and media level) with `fingerprint`.
    mutating func replaceFingerprints(with fingerprint: DTLSFingerprint) {
        let replacement = SDPAttribute.fingerprint(fingerprint)
        func map(_ a: [SDPAttribute]) -> [SDPAttribute] {
            a.map { if case .fingerprint = $0 { return replacement } else { return $0 } }
        }
        attributes = map(attributes)
        for i in media.indices { media[i].attributes = map(media[i].attributes) }
    }

    /// Removes every `a=candidate` and `a=end-of-candidates` line (for trickle tests).
    mutating func removeCandidates() {
        func keep(_ a: SDPAttribute) -> Bool {
            switch a {
            case .candidate, .endOfCandidates: return false
            default: return true
            }
        }
        attributes = attributes.filter(keep)
        for i in media.indices { media[i].attributes = media[i].attributes.filter(keep) }
    }
}
