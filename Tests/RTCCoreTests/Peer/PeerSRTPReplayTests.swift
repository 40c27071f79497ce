import Testing
@testable import RTCCore

/// SRTP/SRTCP replays (RFC 3711 §3.3.2) and tampered packets (§3.3, RFC 7714 §10) are dropped
/// and counted by reason, while good packets keep passing.
@Suite("Peer SRTP replay and tampering")
struct PeerSRTPReplayTests {
    @Test("replayed and tampered packets dropped, good ones pass", arguments: SRTPProfile.allCases)
    func replayAndTamper(profile: SRTPProfile) throws {
        let pair = try PeerPair.clientOffers(
            client: PeerPair.clientConfiguration(srtpProfiles: [profile]),
            server: PeerPair.serverConfiguration(srtpProfiles: [profile]))
        #expect(pair.runUntilConnected())
        let first = pair.exchangeMedia(count: 20)
        pair.run(for: .milliseconds(50))
        #expect(pair.rtp[.b]! == first.rtp[.a]!)

        // Replays: every SRTP and SRTCP datagram A sent so far, again.
        let replayed = pair.sent(.rtp, by: .a) + pair.sent(.rtcp, by: .a)
        #expect(replayed.count == 22)
        for d in replayed { pair.inject(d.bytes, to: .b, from: PeerPair.addressA) }
        let stats = { try #require(pair.b.transport?.stats) }
        #expect(try stats().dropped(.srtpReplay) == 22)
        #expect(pair.rtp[.b]!.count == 20)

        // Tampering: hold A's next media back, deliver altered copies first, then the originals.
        pair.lose = { side, _, d in side == .a && (d.isRTP || d.isRTCP) }
        let wireBefore = pair.wire[.a]!.count
        let second = pair.exchangeMedia(count: 10, firstSequence: 21)
        let held = pair.wire[.a]![wireBefore...].filter { $0.isRTP || $0.isRTCP }
        #expect(held.count == 11)
        var tampered = 0
        for d in held {
            let n = d.bytes.count
            let tagByte = d.isRTP ? n - 1 : n - 5  // inside the tag for every profile
            let payloadByte = d.isRTP ? 24 : 9     // encrypted payload
            for position in [payloadByte, tagByte] {
                var t = d.bytes
                t[position] ^= 0x01
                pair.inject(t, to: .b, from: PeerPair.addressA)
                tampered += 1
            }
            // A truncated packet is refused too (whatever libsrtp2 calls it).
            pair.inject(Array(d.bytes.dropLast(3)), to: .b, from: PeerPair.addressA)
        }
        #expect(try stats().dropped(.srtpAuthenticationFailed) >= tampered)
        #expect(pair.rtp[.b]!.count == 20)
        for d in held { pair.inject(d.bytes, to: .b, from: PeerPair.addressA) }
        #expect(pair.rtp[.b]! == first.rtp[.a]! + second.rtp[.a]!)
        #expect(pair.rtcp[.b]! == first.rtcp[.a]! + second.rtcp[.a]!)

        // And media keeps flowing both ways.
        pair.lose = { _, _, _ in false }
        let third = pair.exchangeMedia(count: 10, firstSequence: 31)
        pair.run(for: .milliseconds(50))
        #expect(pair.rtp[.b]!.suffix(10) == third.rtp[.a]![...])
        #expect(pair.rtp[.a]! == first.rtp[.b]! + second.rtp[.b]! + third.rtp[.b]!)
        #expect(pair.drops[.a]!.isEmpty)
        #expect(try stats().dropped(.srtpReplay) == 22)
        #expect(pair.b.state == .connected)
    }
}
