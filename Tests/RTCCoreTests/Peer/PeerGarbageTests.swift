import Testing
@testable import RTCCore

/// Garbage datagrams — random bytes in every RFC 7983 range, mutated and truncated copies of
/// real traffic, from the peer's address and from strangers — never crash a peer, and a
/// connection still forms and carries media.
@Suite("Peer garbage datagrams")
struct PeerGarbageTests {
    static let stranger = TransportAddress("10.0.0.99:9999")!
    /// First bytes covering every demultiplexing range (RFC 7983 §7).
    static let firstBytes: [UInt8] = [0, 1, 2, 3, 16, 19, 20, 22, 23, 63, 64, 79, 80, 127, 128, 0x80, 0x90, 0xBF, 0xC0, 0xFF]

    static func random(_ rng: inout SeededRandom) -> [UInt8] {
        let length = Int(rng.next() % 1_400)
        var b = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        if !b.isEmpty { b[0] = firstBytes[Int(rng.next() % UInt64(firstBytes.count))] }
        if b.count > 1, rng.next() % 2 == 0 { b[1] = UInt8(192 + rng.next() % 32) }  // RTCP types
        return b
    }

    static func mutate(_ bytes: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var b = bytes
        switch rng.next() % 3 {
        case 0:
            b = Array(b.prefix(Int(rng.next() % UInt64(b.count + 1))))
        case 1:
            for _ in 0..<(1 + rng.next() % 4) where !b.isEmpty {
                b[Int(rng.next() % UInt64(b.count))] ^= UInt8(truncatingIfNeeded: 1 + rng.next() % 255)
            }
        default:
            b += (0..<Int(rng.next() % 40)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        }
        return b
    }

    @Test("random garbage from strangers while connecting, then from everyone", arguments: [false, true])
    func garbage(serverOffers: Bool) throws {
        let pair = serverOffers ? try PeerPair.serverOffers() : try PeerPair.clientOffers()
        var rng = SeededRandom(seed: serverOffers ? 77 : 78)
        // Before and during set-up: strangers only (the peer's own address is left alone so
        // the handshake can complete).
        for _ in 0..<200 {
            for side in [PeerSide.a, .b] { pair.inject(Self.random(&rng), to: side, from: Self.stranger) }
        }
        pair.run(until: pair.now + .milliseconds(15))
        for _ in 0..<200 {
            for side in [PeerSide.a, .b] { pair.inject(Self.random(&rng), to: side, from: Self.stranger) }
        }
        #expect(pair.runUntilConnected())
        pair.exchangeMedia(count: 10)

        // Connected: garbage and mutated traffic from strangers and from the validated peer.
        let samples = pair.wire[.a]! + pair.wire[.b]!
        for i in 0..<2_000 {
            let from = i % 3 == 0 ? Self.stranger : nil
            for side in [PeerSide.a, .b] {
                let bytes = i % 2 == 0 ? Self.random(&rng)
                    : Self.mutate(samples[Int(rng.next() % UInt64(samples.count))].bytes, &rng)
                pair.inject(bytes, to: side,
                            from: from ?? (side == .a ? PeerPair.addressB : PeerPair.addressA))
            }
            if i % 100 == 0 { pair.run(for: .milliseconds(5)) }
        }
        // Still connected, and media still passes both ways.
        for side in [PeerSide.a, .b] { #expect(pair.peer(side).state == .connected, "\(side)") }
        let before = (pair.rtp[.a]!.count, pair.rtp[.b]!.count)
        let sent = pair.exchangeMedia(count: 10, firstSequence: 5_000)
        pair.run(for: .milliseconds(50))
        #expect(Array(pair.rtp[.b]!.suffix(10)) == sent.rtp[.a]!)
        #expect(Array(pair.rtp[.a]!.suffix(10)) == sent.rtp[.b]!)
        #expect(pair.rtp[.b]!.count >= before.1 + 10)
        #expect(pair.drops[.a]!.count > 100)
        #expect(pair.drops[.b]!.count > 100)
    }

    @Test("every prefix of every set-up datagram, from a stranger, before the real one")
    func truncations() throws {
        // Record a clean set-up, then replay it into fresh peers with every truncation of
        // each datagram injected from a stranger first.
        let reference = try PeerPair.clientOffers()
        #expect(reference.runUntilConnected())
        let pair = try PeerPair.clientOffers()
        for side in [PeerSide.a, .b] {
            for d in reference.wire[side]! {
                for n in 0..<d.bytes.count {
                    pair.inject(Array(d.bytes.prefix(n)), to: side.other, from: Self.stranger)
                }
            }
        }
        #expect(pair.runUntilConnected())
    }
}
