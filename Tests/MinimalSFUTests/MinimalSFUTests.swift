#if canImport(Glibc)
import Glibc
#endif
import MinimalSFU
import RTCCore
import Testing

/// A client peer connection on its own UDP socket on 127.0.0.1 (what a browser would be).
final class SocketPeer {
    let fd: Int32
    let address: TransportAddress
    var peer: PeerConnection!
    var rtpReceived = 0
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 16)

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &sin) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        try #require(fd >= 0 && ok)
        address = TransportAddress(ip: .loopbackV4, port: UInt16(bigEndian: sin.sin_port))
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    func configuration(_ ufrag: String) -> PeerConnection.Configuration {
        let ice = ICEAgent.Configuration(localCredentials: ICECredentials(ufrag: ufrag, pwd: "socketPeerPassword0123456"),
                                         hostAddresses: [ICEHostAddress(base: address)], seed: 3)
        // swiftlint:disable:next force_try
        return PeerConnection.Configuration(ice: .full(ice), certificate: try! DTLSCertificate(generatingAt: 1_735_689_600))
    }

    /// Handles what arrived, runs due timers, sends what is queued.
    func runOnce() {
        let now = MinimalSFU.now()
        while true {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 0) > 0 else { break }
            var from = sockaddr_in()
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            let n = withUnsafeMutablePointer(to: &from) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, buffer.baseAddress, 1500, 0, $0, &len) }
            }
            guard n > 0, let peer else { break }
            let source = TransportAddress(ip: .v4(UInt32(bigEndian: from.sin_addr.s_addr)), port: UInt16(bigEndian: from.sin_port))
            if case .rtp = peer.handle(datagram: buffer, length: n, from: source, local: address, now: now) { rtpReceived += 1 }
        }
        guard let peer else { return }
        if let (t, _) = peer.nextTimeout(), t <= now { peer.handleTimeout(now: now) }
        while let o = peer.pollOutput() {
            guard case .transmit(let bytes, let to, _) = o, case .v4(let ip) = to.ip else { continue }
            var dst = sockaddr_in()
            dst.sin_family = sa_family_t(AF_INET)
            dst.sin_port = to.port.bigEndian
            dst.sin_addr.s_addr = ip.bigEndian
            _ = withUnsafePointer(to: &dst) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }
}

/// The README's embedding example runs: two clients on real loopback sockets, one publishes
/// audio, the other receives it through the example SFU (bounded: at most 10 s of wall time).
@Suite struct MinimalSFUTests {
    @Test func aPublisherReachesASubscriberThroughTheExample() throws {
        let sfu = try MinimalSFU()
        var offers: [(SFUParticipantID, SessionDescription)] = []
        sfu.onSubscribeOffer = { offers.append(($0, $1)) }
        let alice = sfu.join(room: 1)
        let bob = sfu.join(room: 1)
        let publisher = try SocketPeer()
        let subscriber = try SocketPeer()
        publisher.peer = PeerConnection(configuration: publisher.configuration("alic"))
        let offer = try SessionDescription.parse(publisher.peer.createOffer(sections: [
            SDPOfferSection(mid: Mid("0")!, kind: .audio, direction: .sendonly)]).serialized())
        let answer = try sfu.publish(offer, from: alice)
        try publisher.peer.setRemoteAnswer(SessionDescription.parse(answer.serialized()), now: MinimalSFU.now())
        let midID = publisher.peer.negotiated?.media.first?.extMaps.first { $0.uri == SDPExtensionURI.mid }
            .flatMap { SDPHeaderExtensionIDs.wireID($0.id) } ?? 0
        let deadline = MinimalSFU.now() + .seconds(10)
        var sequence: UInt16 = 1
        var lastSend = MinimalSFU.now()
        while MinimalSFU.now() < deadline, subscriber.rtpReceived < 25 {
            sfu.runOnce(maxWait: .milliseconds(2))
            for (id, sdp) in offers where id == bob {
                var o = SDPAnswerOptions(sessionID: "1")
                o.audioDirection = .recvonly
                o.preferredSetup = .active
                let offer = try SessionDescription.parse(sdp.serialized())
                let answer: SessionDescription
                if let p = subscriber.peer { answer = try p.answer(offer: offer, options: o, now: MinimalSFU.now()) } else {
                    let (p, a) = try PeerConnection.answer(offer: offer, configuration: subscriber.configuration("bobb"),
                                                           options: o, now: MinimalSFU.now())
                    subscriber.peer = p
                    answer = a
                }
                try sfu.subscribeAnswer(SessionDescription.parse(answer.serialized()), from: bob)
            }
            offers.removeAll()
            publisher.runOnce()
            subscriber.runOnce()
            // 20 ms Opus-like packets with the mid extension, once the publisher is secure.
            if publisher.peer.isSecure, MinimalSFU.now() - lastSend >= .milliseconds(20) {
                lastSend = MinimalSFU.now()
                sequence &+= 1
                let ts = UInt32(sequence) &* 960
                let packet: [UInt8] = [0x90, 111, UInt8(sequence >> 8), UInt8(sequence & 0xFF),
                                       UInt8(ts >> 24), UInt8((ts >> 16) & 0xFF), UInt8((ts >> 8) & 0xFF), UInt8(ts & 0xFF),
                                       0xA1, 0xB2, 0xC3, 0xD4, 0xBE, 0xDE, 0x00, 0x01, midID << 4, 0x30, 0, 0]
                    + [UInt8](repeating: 0x55, count: 80)
                _ = publisher.peer.sendRTP(packet)
            }
        }
        #expect(subscriber.rtpReceived >= 25, "bob received \(subscriber.rtpReceived) packets of alice")
        sfu.leave(alice)
        sfu.leave(bob)
        #expect(sfu.router.participantIDs.isEmpty)
    }
}
