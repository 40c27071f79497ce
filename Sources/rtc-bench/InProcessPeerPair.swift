import RTCCore

/// Two ``PeerConnection``s in one process — a client with a full ICE agent and the server
/// (ICE-lite) — joined by a lossless zero-delay wire in virtual time: every transmit of one
/// side is handed to the other at once, and time jumps to the earliest timer when both are
/// idle. Nothing sleeps; a real ICE + DTLS handshake runs in a few milliseconds of CPU.
final class InProcessPeerPair {
    let client: PeerConnection
    let server: PeerConnection
    let clientAddress: TransportAddress
    let serverAddress: TransportAddress
    var now: Instant
    private var buffer: UnsafeMutableRawBufferPointer

    init(client: PeerConnection, server: PeerConnection, clientAddress: TransportAddress,
         serverAddress: TransportAddress, now: Instant) {
        self.client = client
        self.server = server
        self.clientAddress = clientAddress
        self.serverAddress = serverAddress
        self.now = now
        self.buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096 + SRTPSession.rtcpTrailerRoom, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Runs until both sides are connected (SRTP keys both ways) or `limit` of virtual time
    /// passes. Returns whether both are connected.
    func connect(limit: Duration = .seconds(20)) -> Bool {
        let end = now + limit
        var spins = 0
        while !(client.state == .connected && server.state == .connected) {
            if shuttle() { spins = 0; continue }
            let next = [client.nextTimeout()?.0, server.nextTimeout()?.0].compactMap { $0 }.min()
            guard let next, next <= end else { return false }
            if next > now { now = next } else {
                spins += 1
                if spins > 10_000 { return false }
            }
            for p in [client, server] {
                if let (t, _) = p.nextTimeout(), t <= now { p.handleTimeout(now: now) }
            }
        }
        _ = shuttle()
        return true
    }

    /// Moves every queued transmit to the other side; true if anything moved.
    private func shuttle() -> Bool {
        var moved = false
        for (from, to) in [(client, server), (server, client)] {
            while let o = from.pollOutput() {
                guard case .transmit(let bytes, let dst, let src) = o, bytes.count <= 4096 else { continue }
                moved = true
                bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
                _ = to.handle(datagram: buffer, length: bytes.count, from: src, local: dst, now: now)
            }
        }
        return moved
    }
}
