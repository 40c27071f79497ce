import NIOCore
import RTCCore

/// The echo test (like Janus's EchoTest): every stream a peer sends comes straight back to it
/// on a new SSRC. It exercises the whole secure transport against real browsers and stacks.
final class EchoSession {
    struct Stream {
        let mid: Mid
        let kind: SDPMediaKind
        let outSSRC: UInt32
        /// Payload types of primary codecs (RTX, padding-only and unknown are not echoed).
        let primaryPayloadTypes: Set<UInt8>
        var inSSRC: UInt32?
        var lastKeyframeRequest: Instant?
    }

    private var streams: [Stream]
    private var bySSRC: [UInt32: Int] = [:]
    /// Our RTCP sender SSRC.
    private let rtcpSSRC: UInt32
    static let keyframeRequestInterval: Duration = .milliseconds(500)

    init(streams: [Stream], rtcpSSRC: UInt32) {
        self.streams = streams
        self.rtcpSSRC = rtcpSSRC
    }

    /// Answers `offer` and registers the connection with `engine` (call on the engine's loop).
    /// `dtlsRole` forces our DTLS role when the offer is `actpass`.
    static func start(offer: SessionDescription, dtlsRole: DTLSRole?, engine: MediaEngine)
        throws -> (id: String, answer: String)
    {
        var rng = SystemRandomNumberGenerator()
        let credentials = ICECredentials.random(using: &rng)
        let hosts = engine.hostAddresses
        let iceConfig = ICELiteAgent.Configuration(localCredentials: credentials, hostAddresses: hosts)
        let local = engine.localTransport(credentials: credentials, hosts: hosts)

        var sendStreams: [Mid: SDPSendStream] = [:]
        var planned: [(Mid, SDPMediaKind, UInt32)] = []
        for m in offer.media {
            guard let mid = m.mid, m.kind == .audio || m.kind == .video else { continue }
            let ssrc = UInt32.random(in: 1...UInt32.max, using: &rng)
            sendStreams[mid] = SDPSendStream(ssrc: SSRC(ssrc), cname: "swift-rtc-echo",
                                             msid: SDPMsid(streamID: "echo", trackID: "echo-\(mid)"))
            planned.append((mid, m.kind, ssrc))
        }
        var options = SDPAnswerOptions(sessionID: String(UInt64.random(in: 1...UInt64(Int64.max), using: &rng)))
        options.audioDirection = .sendrecv
        options.videoDirection = .sendrecv
        options.sendStreams = sendStreams
        if let r = dtlsRole { options.preferredSetup = r == .client ? .active : .passive }
        let (answer, negotiated) = try SDPNegotiator.answer(to: offer, local: local, options: options)

        var streams: [Stream] = []
        var map = RTPExtensionMap()
        for (mid, kind, ssrc) in planned {
            guard let n = negotiated.media(withMid: mid), n.accepted else { continue }
            let primary = Set(n.codecs.map { $0.payloadType.rawValue })
            streams.append(Stream(mid: mid, kind: kind, outSSRC: ssrc, primaryPayloadTypes: primary))
            for e in n.extMaps where e.id <= 255 { map.register(uri: e.uri, id: UInt8(e.id)) }
        }
        let remoteFingerprints = negotiated.remoteFingerprints
        let now = MediaEngine.now()
        let role: DTLSRole = negotiated.isDTLSClient ? .client : .server
        let transport = try PeerTransport(
            ice: .lite(iceConfig), dtlsRole: role, certificate: engine.certificate,
            remoteFingerprints: remoteFingerprints, dtlsConfiguration: MediaEngine.dtlsConfiguration(role: role),
            now: now)
        transport.inboundExtensionMap = map
        let session = EchoSession(streams: streams, rtcpSSRC: UInt32.random(in: 1...UInt32.max, using: &rng))
        let id = "echo-" + credentials.ufrag
        let conn = MediaConnection(id: id, localUfrag: credentials.ufrag, transport: transport,
                                   echo: session, now: now)
        engine.add(conn)
        return (id, answer.serialized())
    }

    func connected(conn: MediaConnection, engine: MediaEngine, now: Instant) {
        // Ask every video sender for a keyframe so the echo starts decoding at once.
        for i in streams.indices where streams[i].kind == .video { requestKeyframe(i, conn: conn, engine: engine, now: now) }
    }

    func onRTP(_ h: RTPHeader, _ v: RTPExtensionValues, buffer: UnsafeMutableRawBufferPointer, length: Int,
               conn: MediaConnection, engine: MediaEngine, now: Instant) {
        let ssrc = h.ssrc.rawValue
        var index = bySSRC[ssrc]
        if index == nil, let mid = v.mid, let i = streams.firstIndex(where: { $0.mid == mid }),
           streams[i].primaryPayloadTypes.contains(h.payloadType.rawValue) {
            index = i
            bySSRC[ssrc] = i
            streams[i].inSSRC = ssrc
            if streams[i].kind == .video { requestKeyframe(i, conn: conn, engine: engine, now: now) }
        }
        guard let i = index, h.payloadLength > 0,
              streams[i].primaryPayloadTypes.contains(h.payloadType.rawValue) else { return }
        // New SSRC, same everything else: rewrite bytes 8..<12 in place, protect, send.
        let out = streams[i].outSSRC
        buffer[8] = UInt8(truncatingIfNeeded: out >> 24)
        buffer[9] = UInt8(truncatingIfNeeded: out >> 16)
        buffer[10] = UInt8(truncatingIfNeeded: out >> 8)
        buffer[11] = UInt8(truncatingIfNeeded: out)
        guard let n = try? conn.transport.protectRTP(buffer, length: length),
              let remote = conn.transport.remoteAddress else { return }
        engine.transmit(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), sink: conn.sink, to: remote)
    }

    func onRTCP(buffer: UnsafeMutableRawBufferPointer, length: Int, conn: MediaConnection,
                engine: MediaEngine, now: Instant) {
        var it = RTCPCompoundIterator(UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
        var wanted: [Int] = []
        while let slice = try? it.next() {
            switch try? RTCPPacket.parse(slice) {
            case .pictureLossIndication(let pli):
                if let i = streams.firstIndex(where: { $0.outSSRC == pli.mediaSSRC.rawValue }) { wanted.append(i) }
            case .fullIntraRequest(let fir):
                for e in fir.entries {
                    if let i = streams.firstIndex(where: { $0.outSSRC == e.ssrc.rawValue }) { wanted.append(i) }
                }
            default:
                break
            }
        }
        for i in wanted { requestKeyframe(i, conn: conn, engine: engine, now: now) }
    }

    /// Sends a PLI for the stream's incoming SSRC, at most once per interval.
    private func requestKeyframe(_ i: Int, conn: MediaConnection, engine: MediaEngine, now: Instant) {
        guard let media = streams[i].inSSRC, conn.transport.isSecure else { return }
        if let last = streams[i].lastKeyframeRequest, now - last < Self.keyframeRequestInterval { return }
        streams[i].lastKeyframeRequest = now
        engine.sendPLI(on: conn, sender: rtcpSSRC, media: media)
    }
}
