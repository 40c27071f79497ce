import Testing
@testable import RTCCore

/// A datagram on the emulated network between a client and the router.
struct RouterDatagram: Sendable {
    var bytes: [UInt8]
    var from: TransportAddress
    var to: TransportAddress
}

/// A packet a client received on its subscriber connection, decrypted.
struct ReceivedRTP {
    var at: Instant
    var ssrc: UInt32
    var sequence: UInt16
    var timestamp: UInt32
    var payloadType: UInt8
    var keyframe: Bool
    /// The publisher's (participant index, kind, frame number) carried in the payload.
    var origin: Int
    var kind: TrackKind
    var frame: Int
}

/// One participant's browser-like client: a publisher connection (full ICE agent, offers
/// audio + VP8 video) and a subscriber connection (answers the router's offers).
final class RouterTestClient {
    let index: Int
    var publisherAddress: TransportAddress
    let subscriberAddress: TransportAddress
    var id: SFUParticipantID!
    var publisher: PeerConnection?
    var subscriber: PeerConnection?
    var uplink: NetworkEmulator<RouterDatagram>
    var downlink: NetworkEmulator<RouterDatagram>
    var received: [ReceivedRTP] = []
    var rtcpReceivedOnPublisher: [[UInt8]] = []
    var offersAnswered = 0
    var offeredTracks: [SFUOfferedTrack] = []
    var keyframeRequested = true
    var audioSequence: UInt16 = 100
    var videoSequence: UInt16 = 5_000
    var frame = 0
    var audioSSRC: UInt32 { 0xA000_0000 | UInt32(index) }
    var videoSSRC: UInt32 { 0xB000_0000 | UInt32(index) }
    var midExtensionID: UInt8 = 0
    var audioLevelExtensionID: UInt8 = 0
    /// RFC 6464 level of the audio sent (0 loudest, 127 silence).
    var audioLevel: UInt8 = 127
    var publishing = true
    /// Sent video packets by sequence number (timestamp, marker, payload), to answer NACKs.
    var videoHistory: [UInt16: (ts: UInt32, marker: Bool, payload: [UInt8])] = [:]
    var rtxPayloadType: UInt8?
    var rtxSequence: UInt16 = 9_000
    var rtxSent = 0
    /// Loss recovery on the subscriber side: a NACK generator per received video SSRC.
    var nackGenerators: [UInt32: NackGenerator] = [:]
    var nacksSent = 0
    var rtxReceived = 0
    var senderReports: [(report: SenderReport, at: Instant)] = []
    /// Simulcast publisher with real VP8 (libvpx): q/h/f senders, one video section.
    var simulcast = false
    /// Non-simulcast video from libvpx (L1T3) instead of synthetic payloads, answering NACKs
    /// with RTX from its history.
    var realVideo = false
    var realSender: SyntheticVP8Sender?
    var simulcastSenders: [SyntheticVP8Sender] = []
    var twcc: UInt16 = 1
    /// Its subscriber answer keeps RTX (RFC 4588); without it NACKs are answered with originals.
    var acceptsRTX = true
    /// The synthetic audio/video packets carry abs-send-time (a publisher without
    /// transport-cc, like aiortc): the router estimates its uplink for REMB.
    var sendsAbsSendTime = false
    var absSendTimeExtensionID: UInt8 = 0
    /// Virtual send time of the next synthetic packet (for abs-send-time).
    var sendClock = Instant.zero
    /// Decoding what arrives (libvpx): per SSRC a depacketizer and a decoder.
    var decodes = false
    var depacketizers: [UInt32: VP8Depacketizer] = [:]
    var decoders: [UInt32: VP8Decoder] = [:]
    var framesDecoded = 0
    var decodeErrors = 0
    var decodedWidths: [Int] = []
    var lastPictureID: UInt16?
    var pictureIDGaps = 0
    /// A small jitter buffer in front of the depacketizer (as a browser has): packets are
    /// released in sequence order, a missing one is waited for up to `jitterDelay` (time for
    /// its retransmission), then skipped.
    var jitter: [UInt32: [UInt16: (bytes: [UInt8], at: Instant)]] = [:]
    var nextJitterSequence: [UInt32: UInt16] = [:]
    let jitterDelay: Duration = .milliseconds(500)
    var keyframeRequestsSent = 0

    init(index: Int, conditions: LinkConditions, seed: UInt64) {
        self.index = index
        publisherAddress = TransportAddress("10.0.1.\(index + 1):5000")!
        subscriberAddress = TransportAddress("10.0.1.\(index + 1):5001")!
        uplink = NetworkEmulator(conditions: conditions, seed: seed &+ UInt64(index) &* 2)
        downlink = NetworkEmulator(conditions: conditions, seed: seed &+ UInt64(index) &* 2 &+ 1)
    }

    func configuration(_ address: TransportAddress, ufrag: String,
                       certificate: DTLSCertificate = DTLSTestCertificates.alice) -> PeerConnection.Configuration {
        let ice = ICEAgent.Configuration(
            localCredentials: ICECredentials(ufrag: ufrag, pwd: "clientPasswordOf24Chars+\(index)"),
            hostAddresses: [ICEHostAddress(base: address)], seed: UInt64(index) &+ 77)
        return PeerConnection.Configuration(ice: .full(ice), certificate: certificate,
                                            sessionID: String(1000 + index))
    }

    var connections: [PeerConnection] { [publisher, subscriber].compactMap { $0 } }

    /// Sends one 20 ms audio packet and, every other call, one video frame (a keyframe when
    /// one was asked for).
    func sendMedia(tick: Int) {
        guard publishing, let pub = publisher, pub.isSecure else { return }
        if simulcast {
            // 1 frame per 60 ms on every layer, low to high.
            guard tick % 3 == 0 else { return }
            for sender in simulcastSenders {
                _ = try? sender.sendNextFrame(now: .zero, transportSequence: &twcc) { bytes in
                    _ = pub.sendRTP(Array(bytes))
                }
            }
            return
        }
        audioSequence &+= 1
        _ = pub.sendRTP(packet(pt: 111, seq: audioSequence, ts: UInt32(tick) &* 960, ssrc: audioSSRC,
                               mid: "0", payload: [0xFC, UInt8(index), 0, 0] + [UInt8](repeating: 1, count: 60),
                               audioLevel: audioLevel))
        guard tick % 2 == 0 else { return }
        if let sender = realSender {
            _ = try? sender.sendNextFrame(now: .zero, transportSequence: &twcc) { bytes in
                guard let h = try? RTPHeader.parse(bytes) else { return }
                let seq = h.sequenceNumber.rawValue
                videoHistory[seq] = (h.timestamp, h.marker, Array(h.payload(in: bytes)))
                videoHistory[seq &- 600] = nil
                _ = pub.sendRTP(Array(bytes))
            }
            return
        }
        frame += 1
        let key = keyframeRequested
        keyframeRequested = false
        let f = UInt8(truncatingIfNeeded: frame)
        let fh = UInt8(truncatingIfNeeded: frame >> 8)
        // Two packets per frame: the first starts it (S bit), the second ends it (marker).
        for part in 0..<2 {
            videoSequence &+= 1
            var vp8: [UInt8] = [part == 0 ? 0x10 : 0x00]
            if part == 0 {
                vp8 += key ? [0x50, 0x42, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0x68, 0x01]
                    : [0x51, 0x42, 0x00, 0, 0, 0, 0, 0, 0, 0]
            }
            vp8 += [0xEE, UInt8(index), fh, f] + [UInt8](repeating: 2, count: 400)
            let ts = UInt32(frame) &* 3_000
            videoHistory[videoSequence] = (ts, part == 1, vp8)
            videoHistory[videoSequence &- 600] = nil
            _ = pub.sendRTP(packet(pt: 96, seq: videoSequence, ts: ts, ssrc: videoSSRC,
                                   mid: "1", payload: vp8, marker: part == 1))
        }
    }

    /// An RTP packet with the mid header extension (one-byte form).
    func packet(pt: UInt8, seq: UInt16, ts: UInt32, ssrc: UInt32, mid: String, payload: [UInt8],
                marker: Bool = false, audioLevel: UInt8? = nil) -> [UInt8] {
        let level: [UInt8] = audioLevel.map { [audioLevelExtensionID << 4, $0 & 0x7F] } ?? [0, 0]
        var ast: [UInt8] = []
        if sendsAbsSendTime, absSendTimeExtensionID != 0 {
            // 6.18 fixed-point seconds, 24 bits.
            let v = UInt32(truncatingIfNeeded: (sendClock.nanoseconds << 18) / 1_000_000_000) & 0xFF_FFFF
            ast = [absSendTimeExtensionID << 4 | 2, UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
        }
        var p: [UInt8] = [0x90, (marker ? 0x80 : 0) | pt, UInt8(seq >> 8), UInt8(seq & 0xFF),
                          UInt8(ts >> 24), UInt8((ts >> 16) & 0xFF), UInt8((ts >> 8) & 0xFF), UInt8(ts & 0xFF),
                          UInt8(ssrc >> 24), UInt8((ssrc >> 16) & 0xFF), UInt8((ssrc >> 8) & 0xFF), UInt8(ssrc & 0xFF),
                          0xBE, 0xDE, 0x00, ast.isEmpty ? 0x01 : 0x02, midExtensionID << 4, mid.utf8.first ?? 0x30] + level + ast
        p += payload
        return p
    }

    /// Records what arrived on the subscriber connection; PLIs on the publisher connection
    /// make the next frame a keyframe.
    func handle(_ result: PeerReceive, buffer: UnsafeMutableRawBufferPointer, onPublisher: Bool, now: Instant) {
        switch result {
        case .rtp(let h0, _, let length) where !onPublisher:
            var h = h0
            var payload = h.payload(in: UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
            // RTX from the router (RFC 4588): the original sequence number, then its payload.
            var isRTX = false
            if let media = subscriber?.negotiated?.media.first(where: { m in
                m.codecs.contains { $0.rtxPayloadType == h.payloadType } && m.remoteRtxSsrcs.values.contains(h.ssrc) }),
               let (mediaSSRC, _) = media.remoteRtxSsrcs.first(where: { $0.value == h.ssrc }),
               let (osn, original) = RTXPacketizer.originalSequenceNumber(rtxPayload: payload) {
                h.ssrc = mediaSSRC
                h.sequenceNumber = osn
                h.payloadType = media.codecs.first?.payloadType ?? h.payloadType
                payload = original
                isRTX = true
                rtxReceived += 1
            }
            if decodes, h.payloadType.rawValue != 111 {
                let ssrc = h.ssrc.rawValue
                if nackGenerators[ssrc] == nil {
                    nackGenerators[ssrc] = NackGenerator(senderSSRC: SSRC(0x5500_0000 | UInt32(index)), mediaSSRC: h.ssrc,
                                                         configuration: NackGeneratorConfiguration(defaultRTT: .milliseconds(40)))
                }
                nackGenerators[ssrc]?.handlePacket(h.sequenceNumber, isRetransmission: isRTX, now: now)
                sendNacks(now: now)
                if depacketizers[ssrc] == nil {
                    depacketizers[ssrc] = VP8Depacketizer()
                    decoders[ssrc] = try? VP8Decoder()
                }
                if let d = try? VP8PayloadDescriptor.parse(payload), d.isStartOfFrame, let pid = d.pictureID {
                    if let last = lastPictureID, pid != (last &+ 1) & 0x7FFF { pictureIDGaps += 1 }
                    lastPictureID = pid
                }
                let bytes: [UInt8]
                if isRTX {
                    // The original packet back: a plain 12-byte header, then the payload.
                    bytes = [0x80, (h.marker ? 0x80 : 0) | (h.payloadType.rawValue & 0x7F),
                             UInt8(h.sequenceNumber.rawValue >> 8), UInt8(h.sequenceNumber.rawValue & 0xFF),
                             UInt8(h.timestamp >> 24), UInt8((h.timestamp >> 16) & 0xFF),
                             UInt8((h.timestamp >> 8) & 0xFF), UInt8(h.timestamp & 0xFF),
                             UInt8(ssrc >> 24), UInt8((ssrc >> 16) & 0xFF), UInt8((ssrc >> 8) & 0xFF),
                             UInt8(ssrc & 0xFF)] + Array(payload)
                } else {
                    bytes = Array(UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
                }
                let seq = h.sequenceNumber.rawValue
                if nextJitterSequence[ssrc] == nil { nextJitterSequence[ssrc] = seq }
                if let next = nextJitterSequence[ssrc], Int16(bitPattern: seq &- next) >= 0 {
                    jitter[ssrc, default: [:]][seq] = (bytes, now)
                }
                releaseJitter(now: now)
                return
            }
            if h.payloadType.rawValue == 111, payload.count >= 2 {
                received.append(ReceivedRTP(at: now, ssrc: h.ssrc.rawValue, sequence: h.sequenceNumber.rawValue,
                                            timestamp: h.timestamp, payloadType: 111, keyframe: false,
                                            origin: Int(payload[1]), kind: .audio, frame: 0))
            } else if let d = try? VP8PayloadDescriptor.parse(payload) {
                if nackGenerators[h.ssrc.rawValue] == nil {
                    nackGenerators[h.ssrc.rawValue] = NackGenerator(senderSSRC: SSRC(0x5500_0000 | UInt32(index)), mediaSSRC: h.ssrc)
                }
                nackGenerators[h.ssrc.rawValue]?.handlePacket(h.sequenceNumber, isRetransmission: isRTX, now: now)
                sendNacks(now: now)
                let body = Array(payload[d.length...])
                let marker = body.firstIndex(of: 0xEE)
                var origin = -1, frame = -1
                if let m = marker, m + 3 < body.count {
                    origin = Int(body[m + 1])
                    frame = Int(body[m + 2]) << 8 | Int(body[m + 3])
                }
                received.append(ReceivedRTP(at: now, ssrc: h.ssrc.rawValue, sequence: h.sequenceNumber.rawValue,
                                            timestamp: h.timestamp, payloadType: h.payloadType.rawValue,
                                            keyframe: d.isKeyframe && d.isStartOfFrame, origin: origin,
                                            kind: .video, frame: frame))
            }
        case .rtcp(let length) where !onPublisher:
            var it = RTCPCompoundIterator(UnsafeRawBufferPointer(rebasing: buffer[0..<length]), paddingPolicy: .anyPacket)
            while let slice = try? it.next() {
                if case .senderReport(let sr)? = try? RTCPPacket.parse(slice) {
                    senderReports.append((sr, now))
                    // Answered at once (DLSR 0) with a Receiver Report naming it (LSR), as a
                    // receiver's next report would: the router measures the RTT from it.
                    let rr = ReceiverReport(ssrc: SSRC(0x5500_0000 | UInt32(index)), reports: [
                        ReceptionReport(ssrc: sr.ssrc, lastSenderReport: UInt32(truncatingIfNeeded: sr.ntpTime >> 16))])
                    var bytes = [UInt8](repeating: 0, count: rr.marshalSize)
                    let ok = bytes.withUnsafeMutableBytes { raw -> Bool in
                        var w = ByteWriter(raw, format: .rtcp)
                        return (try? rr.write(to: &w)) != nil
                    }
                    if ok { _ = subscriber?.sendRTCP(bytes) }
                }
            }
        case .rtcp(let length) where onPublisher:
            let bytes = Array(UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
            rtcpReceivedOnPublisher.append(bytes)
            var it = RTCPCompoundIterator(UnsafeRawBufferPointer(rebasing: buffer[0..<length]), paddingPolicy: .anyPacket)
            while let slice = try? it.next() {
                switch try? RTCPPacket.parse(slice) {
                case .pictureLossIndication(let pli) where pli.mediaSSRC.rawValue == videoSSRC: keyframeRequested = true
                case .pictureLossIndication(let pli):
                    for s in simulcastSenders where s.packetizer.stream.parameters.ssrc == pli.mediaSSRC { s.forceKeyframe() }
                    if realSender?.packetizer.stream.parameters.ssrc == pli.mediaSSRC { realSender?.forceKeyframe() }
                case .fullIntraRequest: keyframeRequested = true
                case .transportLayerNack(let nack) where nack.mediaSSRC.rawValue == videoSSRC:
                    // Answer with RTX (RFC 4588): the original payload after its sequence number.
                    for seq in nack.lostSequenceNumbers { sendRTX(seq.rawValue) }
                default: break
                }
            }
        default:
            break
        }
    }

    /// Sends the video packet `seq` again as RTX (RFC 4588), if still in the history.
    func sendRTX(_ seq: UInt16) {
        guard let pt = rtxPayloadType, let pub = publisher, let h = videoHistory[seq] else { return }
        rtxSequence &+= 1
        if pub.sendRTP(packet(pt: pt, seq: rtxSequence, ts: h.ts, ssrc: videoSSRC | 0x0100_0000, mid: "1",
                              payload: [UInt8(seq >> 8), UInt8(seq & 0xFF)] + h.payload, marker: h.marker)) {
            rtxSent += 1
        }
    }

    /// Sends what the subscriber's NACK generators ask for.
    func sendNacks(now: Instant) {
        guard let sub = subscriber else { return }
        for key in nackGenerators.keys.sorted() {
            while let o = nackGenerators[key]?.pollOutput() {
                guard case .nack(let nack) = o else { continue }
                var bytes = [UInt8](repeating: 0, count: nack.marshalSize)
                let ok = bytes.withUnsafeMutableBytes { raw -> Bool in
                    var w = ByteWriter(raw, format: .rtcp)
                    return (try? nack.write(to: &w)) != nil
                }
                if ok, sub.sendRTCP(bytes) { nacksSent += 1 }
            }
        }
    }

    /// Moves packets from the jitter buffer into the depacketizers in order and decodes.
    func releaseJitter(now: Instant) {
        for ssrc in jitter.keys.sorted() {
            guard var next = nextJitterSequence[ssrc] else { continue }
            while true {
                if let p = jitter[ssrc]?.removeValue(forKey: next) {
                    try? depacketizers[ssrc]?.push(p.bytes)
                    next &+= 1
                    continue
                }
                // Missing: wait for its retransmission, then give it up.
                guard let held = jitter[ssrc], !held.isEmpty,
                      let oldest = held.values.map(\.at).min(), now - oldest >= jitterDelay else { break }
                next &+= 1
            }
            nextJitterSequence[ssrc] = next
            while let o = depacketizers[ssrc]?.pollOutput() {
                switch o {
                case .frame(let f):
                    do {
                        if let picture = try decoders[ssrc]?.decode(f.bytes) {
                            framesDecoded += 1
                            if decodedWidths.last != picture.width { decodedWidths.append(picture.width) }
                        }
                    } catch {
                        decodeErrors += 1
                    }
                case .keyframeNeeded:
                    // As a browser does: a PLI when the picture cannot be repaired.
                    let pli = PictureLossIndication(senderSSRC: SSRC(0x5500_0000 | UInt32(index)), mediaSSRC: SSRC(ssrc))
                    var bytes = [UInt8](repeating: 0, count: 12)
                    let ok = bytes.withUnsafeMutableBytes { raw -> Bool in
                        var w = ByteWriter(raw, format: .rtcp)
                        return (try? pli.write(to: &w)) != nil
                    }
                    if ok, subscriber?.sendRTCP(bytes) == true { keyframeRequestsSent += 1 }
                default:
                    break
                }
            }
        }
    }

    func jitterTimeout() -> Instant? {
        jitter.values.compactMap { $0.values.map(\.at).min() }.min().map { $0 + jitterDelay }
    }

    func nackTimeout() -> Instant? { nackGenerators.values.compactMap { $0.nextTimeout()?.0 }.min() }

    func handleNackTimeouts(now: Instant) {
        for key in nackGenerators.keys {
            if let (t, _) = nackGenerators[key]?.nextTimeout(), t <= now { nackGenerators[key]?.handleTimeout(now: now) }
        }
        sendNacks(now: now)
    }

    func received(from origin: Int, kind: TrackKind) -> [ReceivedRTP] {
        received.filter { $0.origin == origin && $0.kind == kind }
    }
}

/// An ``SFURouter`` and its clients in one process, in virtual time over seeded
/// ``NetworkEmulator`` links; ``run(for:)`` advances to the earliest timer or delivery.
final class RouterTestWorld {
    static let routerAddress = TransportAddress("10.0.0.100:40000")!
    let router: SFURouter
    var clients: [RouterTestClient] = []
    var now = Instant(nanoseconds: 1_000_000_000)
    var events: [(Instant, SFUEvent)] = []
    let conditions: LinkConditions
    let seed: UInt64
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
    var tick = 0

    init(conditions: LinkConditions = LinkConditions(delay: .milliseconds(10)), seed: UInt64 = 7) {
        self.conditions = conditions
        self.seed = seed
        router = SFURouter(configuration: .init(certificate: DTLSTestCertificates.bob,
                                                hostAddresses: [ICEHostAddress(base: Self.routerAddress)], seed: seed))
    }

    deinit { buffer.deallocate() }

    static func credentials(_ ufrag: String) -> ICECredentials {
        ICECredentials(ufrag: ufrag, pwd: "routerPasswordOf24Chars+\(ufrag)")
    }

    /// A participant joins and publishes audio + video.
    @discardableResult
    func join(publish: Bool = true, room: SFURoomID = SFURoomID(1), simulcast: Bool = false,
              decodes: Bool = false, realVideo: Bool = false, acceptsRTX: Bool = true) throws -> RouterTestClient {
        let c = RouterTestClient(index: clients.count, conditions: conditions, seed: seed)
        c.acceptsRTX = acceptsRTX
        c.simulcast = simulcast
        c.realVideo = realVideo
        c.decodes = decodes
        clients.append(c)
        c.id = router.addParticipant(room: room, publisherCredentials: Self.credentials("pub\(c.index)"),
                                     subscriberCredentials: Self.credentials("sub\(c.index)"), now: now)
        collect()
        if publish { try self.publish(c) }
        return c
    }

    func publish(_ c: RouterTestClient, fresh: Bool = false) throws {
        if fresh {
            // A reloaded page: the old connection goes, the new one comes from a new port.
            c.publisher?.close(now: now)
            c.publisher = nil
            c.publisherAddress = TransportAddress(ip: c.publisherAddress.ip, port: c.publisherAddress.port &+ 10)
        }
        // A new page has a new DTLS certificate (browsers make one per peer connection).
        let pub = PeerConnection(configuration: c.configuration(
            c.publisherAddress, ufrag: "cpub\(c.index)\(fresh ? "r" : "")",
            certificate: fresh ? DTLSTestCertificates.mallory : DTLSTestCertificates.alice))
        let sections = c.simulcast
            ? [SDPOfferSection(mid: Mid("0")!, kind: .video, direction: .sendonly, sendRids: ["q", "h", "f"].map { Rid($0)! })]
            : [SDPOfferSection(mid: Mid("0")!, kind: .audio, direction: .sendonly),
               SDPOfferSection(mid: Mid("1")!, kind: .video, direction: .sendonly)]
        let offer = try PeerPair.reparse(pub.createOffer(sections: sections))
        let answer = try router.publish(offer: offer, from: c.id,
                                        restartCredentials: fresh ? Self.credentials("pub\(c.index)r") : nil, now: now)
        try pub.setRemoteAnswer(PeerPair.reparse(answer), now: now)
        if let n = pub.negotiated,
           let e = n.media.first?.extMaps.first(where: { $0.uri == SDPExtensionURI.mid }),
           let id = SDPHeaderExtensionIDs.wireID(e.id) {
            c.midExtensionID = id
        }
        if let n = pub.negotiated,
           let e = n.media.first?.extMaps.first(where: { $0.uri == SDPExtensionURI.audioLevel }),
           let id = SDPHeaderExtensionIDs.wireID(e.id) {
            c.audioLevelExtensionID = id
        }
        if let n = pub.negotiated,
           let e = n.media.first?.extMaps.first(where: { $0.uri == SDPExtensionURI.absSendTime }),
           let id = SDPHeaderExtensionIDs.wireID(e.id) {
            c.absSendTimeExtensionID = id
        }
        if c.simulcast, let video = pub.negotiated?.media.first(where: { $0.kind == .video }) {
            var map = RTPExtensionMap()
            for e in video.extMaps { if let id = SDPHeaderExtensionIDs.wireID(e.id) { map.register(uri: e.uri, id: id) } }
            var rng = SeededRandom(seed: UInt64(c.index) &+ 99)
            let sizes = [(160, 96), (320, 192), (640, 384)]
            c.simulcastSenders = try ["q", "h", "f"].enumerated().map { i, rid in
                let params = RTPStreamParameters.random(payloadType: video.codecs.first?.payloadType ?? PayloadType(96),
                                                        clockRate: 90_000, mid: Mid("0"), rid: Rid(rid),
                                                        extensionMap: map, maxPacketSize: 1100, using: &rng)
                let config = VP8EncoderConfiguration(width: sizes[i].0, height: sizes[i].1, framesPerSecond: 16,
                                                     targetBitrate: [150, 400, 900][i] * 1000, keyframeInterval: 0,
                                                     temporalLayers: 3)
                return try SyntheticVP8Sender(configuration: config, parameters: params)
            }
        }
        if c.realVideo, let video = pub.negotiated?.media.first(where: { $0.kind == .video }) {
            var map = RTPExtensionMap()
            for e in video.extMaps { if let id = SDPHeaderExtensionIDs.wireID(e.id) { map.register(uri: e.uri, id: id) } }
            let params = RTPStreamParameters(ssrc: SSRC(c.videoSSRC), payloadType: video.codecs.first?.payloadType ?? PayloadType(96),
                                             clockRate: 90_000, mid: video.mid, extensionMap: map, maxPacketSize: 1100,
                                             initialSequenceNumber: SequenceNumber(c.videoSequence))
            c.realSender = try SyntheticVP8Sender(
                configuration: VP8EncoderConfiguration(width: 320, height: 192, framesPerSecond: 25, targetBitrate: 500_000,
                                                       keyframeInterval: 0, temporalLayers: 3),
                parameters: params)
        }
        c.publisher = pub
        c.rtxPayloadType = pub.negotiated?.media.first { $0.kind == .video }?.codecs.first?.rtxPayloadType?.rawValue
        c.keyframeRequested = true
        collect()
    }

    /// Takes the router's outputs: datagrams onto the downlinks, offers answered by clients.
    func collect() {
        var pendingOffers: [(SFUParticipantID, SessionDescription, [SFUOfferedTrack])] = []
        while let o = router.pollOutput() {
            switch o {
            case .transmit(let t):
                guard let c = clients.first(where: { $0.publisherAddress == t.to || $0.subscriberAddress == t.to }) else {
                    continue
                }
                c.downlink.send(RouterDatagram(bytes: Array(t.bytes), from: t.from, to: t.to), size: t.bytes.count, now: now)
            case .event(let e):
                events.append((now, e))
                if case .subscribeOffer(let id, let sdp, let tracks) = e { pendingOffers.append((id, sdp, tracks)) }
            }
        }
        for (id, sdp, tracks) in pendingOffers {
            guard let c = clients.first(where: { $0.id == id }) else { continue }
            do {
                let offer = try PeerPair.reparse(sdp)
                var o = SDPAnswerOptions(sessionID: "0")
                o.audioDirection = .recvonly
                o.videoDirection = .recvonly
                o.preferredSetup = .active
                if !c.acceptsRTX {
                    o.codecs = SDPCodecCapability.defaults.map { var codec = $0; codec.rtx = false; return codec }
                }
                let answer: SessionDescription
                if let sub = c.subscriber {
                    answer = try sub.answer(offer: offer, options: o, now: now)
                } else {
                    let (sub, a) = try PeerConnection.answer(
                        offer: offer, configuration: c.configuration(c.subscriberAddress, ufrag: "csub\(c.index)"),
                        options: o, now: now)
                    c.subscriber = sub
                    answer = a
                }
                c.offersAnswered += 1
                c.offeredTracks = tracks
                try router.subscribeAnswer(PeerPair.reparse(answer), from: id, now: now)
            } catch {
                Issue.record("client \(c.index) could not answer: \(error)")
            }
            collect()
        }
    }

    /// Moves client transmits onto the uplinks.
    private func shuttleClients() {
        for c in clients {
            for pc in c.connections {
                while let o = pc.pollOutput() {
                    if case .transmit(let bytes, let to, let from) = o {
                        c.uplink.send(RouterDatagram(bytes: bytes, from: from, to: to), size: bytes.count, now: now)
                    }
                }
            }
        }
    }

    private func deliver() -> Bool {
        var moved = false
        for c in clients {
            while let d = c.uplink.poll(now: now) {
                moved = true
                guard d.bytes.count + SRTPSession.rtcpTrailerRoom <= buffer.count else { continue }
                d.bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
                router.handle(.datagram(buffer, length: d.bytes.count, from: d.from, local: d.to), now: now)
                collect()
            }
            while let d = c.downlink.poll(now: now) {
                moved = true
                guard d.bytes.count + SRTPSession.rtcpTrailerRoom <= buffer.count else { continue }
                d.bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
                let onPublisher = d.to == c.publisherAddress
                guard let pc = onPublisher ? c.publisher : c.subscriber else { continue }
                let r = pc.handle(datagram: buffer, length: d.bytes.count, from: d.from, local: d.to, now: now)
                c.handle(r, buffer: buffer, onPublisher: onPublisher, now: now)
            }
        }
        return moved
    }

    /// Advances virtual time; with `media`, every client sends audio each 20 ms and video
    /// each 40 ms.
    func run(for duration: Duration, media: Bool = false) {
        let end = now + duration
        var nextMedia = now
        var spins = 0
        while now <= end {
            shuttleClients()
            if deliver() { continue }
            if media, now >= nextMedia {
                tick += 1
                for c in clients {
                    c.sendClock = now
                    c.sendMedia(tick: tick)
                }
                nextMedia = now + .milliseconds(20)
                continue
            }
            var next: Instant? = media ? nextMedia : nil
            func consider(_ t: Instant?) { if let t, next.map({ t < $0 }) ?? true { next = t } }
            consider(router.nextTimeout()?.0)
            for c in clients {
                for pc in c.connections { consider(pc.nextTimeout()?.0) }
                consider(c.uplink.nextTimeout())
                consider(c.nackTimeout())
                consider(c.jitterTimeout())
                consider(c.downlink.nextTimeout())
            }
            guard let t = next, t <= end else { break }
            if t > now {
                now = t
                spins = 0
            } else {
                spins += 1
                if spins > 100_000 {
                    Issue.record("virtual time does not advance at \(now)")
                    return
                }
            }
            if let (rt, _) = router.nextTimeout(), rt <= now {
                router.handle(.timeout, now: now)
                collect()
            }
            for c in clients {
                for pc in c.connections {
                    if let (pt, _) = pc.nextTimeout(), pt <= now { pc.handleTimeout(now: now) }
                }
                c.handleNackTimeouts(now: now)
                if c.decodes { c.releaseJitter(now: now) }
            }
        }
        now = max(now, end)
    }

    func allConnected() -> Bool {
        clients.allSatisfy { c in
            c.connections.allSatisfy { $0.state == .connected }
                && (c.publisher == nil
                    || router.connection(SFUConnectionID(participant: c.id, role: .publisher))?.state == .connected)
        }
    }
}
