// A complete SFU on plain POSIX sockets: one UDP socket, one thread, RTCCore's SFURouter.
// Signaling (how offers and answers travel) is the embedder's: call `join`, `publish` and
// `subscribeAnswer`, and send on the offers `onSubscribeOffer` hands you. README "Embedding".
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RTCCore

public final class MinimalSFU {
    public let router: SFURouter
    public let address: TransportAddress
    /// Called with each subscriber offer to deliver to that participant.
    public var onSubscribeOffer: (SFUParticipantID, SessionDescription) -> Void = { _, _ in }
    private let fd: Int32
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 16)
    private var rng = SystemRandomNumberGenerator()

    public struct SocketError: Error { public let call: String; public let errno: Int32 }

    /// Binds a UDP socket on 127.0.0.1 (`port` 0: any free port).
    public init(port: UInt16 = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError(call: "socket", errno: errno) }
        self.fd = fd
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        sin.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &sin) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw SocketError(call: "bind", errno: errno) }
        address = TransportAddress("127.0.0.1:\(UInt16(bigEndian: sin.sin_port))")!
        // A fresh self-signed DTLS identity; a real server keeps one for its lifetime.
        let certificate = try DTLSCertificate(generatingAt: Int64(time(nil)))
        router = SFURouter(configuration: .init(certificate: certificate,
                                                hostAddresses: [ICEHostAddress(base: address)],
                                                seed: rng.next()))
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    /// Monotonic time, the router's only clock.
    public static func now() -> Instant {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Instant(nanoseconds: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
    }

    // MARK: Signaling API (wire it to your WebSocket / HTTP handlers)

    public func join(room: UInt64) -> SFUParticipantID {
        defer { drain() }
        return router.addParticipant(room: SFURoomID(room), publisherCredentials: .random(using: &rng),
                                     subscriberCredentials: .random(using: &rng), now: Self.now())
    }

    public func publish(_ offer: SessionDescription, from id: SFUParticipantID) throws -> SessionDescription {
        defer { drain() }
        return try router.publish(offer: offer, from: id, restartCredentials: .random(using: &rng), now: Self.now())
    }

    public func subscribeAnswer(_ answer: SessionDescription, from id: SFUParticipantID) throws {
        defer { drain() }
        try router.subscribeAnswer(answer, from: id, now: Self.now())
    }

    public func leave(_ id: SFUParticipantID) {
        defer { drain() }
        router.removeParticipant(id, now: Self.now())
    }

    // MARK: The I/O loop

    /// Waits up to `maxWait` for a datagram or the router's next deadline, and handles it.
    public func runOnce(maxWait: Duration = .milliseconds(20)) {
        let now = Self.now()
        var wait = maxWait
        if let (deadline, _) = router.nextTimeout() { wait = max(.zero, min(wait, deadline - now)) }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ms = Int32(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)
        if poll(&pfd, 1, ms) > 0 { receive() }
        if let (deadline, _) = router.nextTimeout(), deadline <= Self.now() { router.handle(.timeout, now: Self.now()) }
        drain()
    }

    private func receive() {
        var from = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        // Leave room for SRTP to decrypt in place.
        let room = buffer.count - SRTPSession.rtcpTrailerRoom
        let n = withUnsafeMutablePointer(to: &from) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, buffer.baseAddress, room, 0, $0, &len) }
        }
        guard n > 0 else { return }
        let source = TransportAddress(ip: .v4(UInt32(bigEndian: from.sin_addr.s_addr)),
                                      port: UInt16(bigEndian: from.sin_port))
        router.handle(.datagram(buffer, length: n, from: source, local: address), now: Self.now())
    }

    /// Sends every datagram the router produced and acts on its events.
    private func drain() {
        while let output = router.pollOutput() {
            switch output {
            case .transmit(let t):
                guard case .v4(let ip) = t.to.ip else { continue }  // this example binds IPv4 only
                var to = sockaddr_in()
                to.sin_family = sa_family_t(AF_INET)
                to.sin_port = t.to.port.bigEndian
                to.sin_addr.s_addr = ip.bigEndian
                _ = withUnsafePointer(to: &to) { p in
                    p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, t.bytes.baseAddress, t.bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            case .event(.subscribeOffer(let id, let offer, _)):
                onSubscribeOffer(id, offer)
            case .event:
                break  // track-published, quality, active speaker...: forward to your clients
            }
        }
    }
}
