import Testing
@testable import RTCCore

/// A lost DTLS flight is recovered by retransmission (RFC 6347 §4.2.4) in virtual time.
@Suite("Peer DTLS flight loss")
struct PeerDTLSLossTests {
    struct Loss: Sendable, CustomStringConvertible {
        var side: PeerSide
        /// Which of that side's DTLS datagrams is lost (0 = its first).
        var index: Int
        var description: String { "\(side) DTLS datagram \(index)" }
    }

    static let cases: [Loss] = [
        Loss(side: .a, index: 0), Loss(side: .a, index: 1),
        Loss(side: .b, index: 0), Loss(side: .b, index: 1),
    ]

    @Test("one lost datagram of a flight", arguments: cases, [DTLSRole.client, .server])
    func oneLost(loss: Loss, serverDTLS: DTLSRole) throws {
        let pair = try PeerPair.clientOffers(serverDTLS: serverDTLS)
        let counter = DTLSCounter()
        pair.lose = { side, _, d in
            guard d.isDTLS else { return false }
            let n = counter.next(side)
            return side == loss.side && n == loss.index
        }
        #expect(pair.runUntilConnected(limit: .seconds(5)))
        let dtlsSender = loss.side == .a ? pair.a : pair.b
        let retransmissions = (dtlsSender.transport?.dtlsStats.retransmissions ?? 0)
            + (pair.peer(loss.side.other).transport?.dtlsStats.retransmissions ?? 0)
        #expect(retransmissions >= 1)
        // One lost flight costs one retransmission timeout (250 ms), not more.
        #expect(pair.now < .ms(600), "connected at \(pair.now)")
        let sent = pair.exchangeMedia(count: 5)
        pair.run(for: .milliseconds(50))
        #expect(pair.rtp[.b]! == sent.rtp[.a]!)
        #expect(pair.rtp[.a]! == sent.rtp[.b]!)
    }

    @Test("every DTLS datagram lost for 1.5 s", arguments: [DTLSRole.client, .server])
    func burst(serverDTLS: DTLSRole) throws {
        let pair = try PeerPair.clientOffers(serverDTLS: serverDTLS)
        pair.lose = { [unowned pair] _, _, d in d.isDTLS && pair.now < .ms(1_500) }
        #expect(pair.runUntilConnected(limit: .seconds(10)))
        #expect(pair.now >= .ms(1_500))
        // The doubling schedule (250, 500, 1000, 2000 ms ...) resends by ~3.75 s.
        #expect(pair.now < .ms(4_000), "connected at \(pair.now)")
    }

    @Test("the handshake gives up when every DTLS datagram is lost")
    func gaveUp() throws {
        let pair = try PeerPair.clientOffers(serverDTLS: .server)
        pair.lose = { _, _, d in d.isDTLS }
        pair.run(for: .seconds(35))
        #expect(pair.a.state.dtlsFailure == .handshakeTimeout)
        #expect(pair.a.transport?.dtlsStats.retransmissions == 10)
        // Final: ICE stopped with the handshake (no later ICE failure replaces the reason).
        #expect(pair.states(.a).count == 2)
        #expect(pair.a.nextTimeout() == nil)
        // The server never heard a ClientHello; it learns of the end when the client's
        // consent checks stop (RFC 7675: 30 s).
        #expect(pair.b.state == .connecting)
        pair.run(for: .seconds(40))
        #expect(pair.b.state == .failed(.iceFailed))
    }
}

/// Counts DTLS datagrams per side for loss filters.
final class DTLSCounter {
    private var counts: [PeerSide: Int] = [.a: 0, .b: 0]
    func next(_ side: PeerSide) -> Int {
        defer { counts[side]! += 1 }
        return counts[side]!
    }
}

extension PeerDatagram {
    var isDTLS: Bool { bytes.withUnsafeBytes { Demux.classify($0) } == .dtls }
    var isSTUN: Bool { bytes.withUnsafeBytes { Demux.classify($0) } == .stun }
    var isRTP: Bool { bytes.withUnsafeBytes { Demux.classify($0) } == .rtp }
    var isRTCP: Bool { bytes.withUnsafeBytes { Demux.classify($0) } == .rtcp }
}
