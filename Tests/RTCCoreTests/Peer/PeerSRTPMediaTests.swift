import Testing
@testable import RTCCore

/// SRTP media both ways with each DTLS-SRTP profile: RTP and RTCP arrive decrypted and
/// byte-identical, in both offer/answer directions.
@Suite("Peer SRTP media")
struct PeerSRTPMediaTests {
    @Test("media both ways, client offers", arguments: SRTPProfile.allCases)
    func clientOffers(profile: SRTPProfile) throws {
        let pair = try PeerPair.clientOffers(
            client: PeerPair.clientConfiguration(srtpProfiles: [profile]),
            server: PeerPair.serverConfiguration(srtpProfiles: [profile]))
        try exchange(pair, profile: profile)
    }

    @Test("media both ways, server offers", arguments: SRTPProfile.allCases)
    func serverOffers(profile: SRTPProfile) throws {
        let pair = try PeerPair.serverOffers(
            client: PeerPair.clientConfiguration(srtpProfiles: [profile]),
            server: PeerPair.serverConfiguration(srtpProfiles: [profile]))
        try exchange(pair, profile: profile)
    }

    @Test("media both ways, client on libsrtp2, server on OpenSSL", arguments: SRTPProfile.allCases)
    func mixedBackends(profile: SRTPProfile) throws {
        var client = PeerPair.clientConfiguration(srtpProfiles: [profile])
        client.srtpBackend = .libsrtp
        let server = PeerPair.serverConfiguration(srtpProfiles: [profile])
        #expect(server.srtpBackend == .openssl)
        let pair = try PeerPair.clientOffers(client: client, server: server)
        try exchange(pair, profile: profile)
        #expect(pair.a.transport?.srtpBackend == .libsrtp)
        #expect(pair.b.transport?.srtpBackend == .openssl)
    }

    @Test("the server's profile preference wins when the client offers all three")
    func preference() throws {
        let pair = try PeerPair.clientOffers(
            serverDTLS: .server,
            client: PeerPair.clientConfiguration(srtpProfiles: [.aes128CMHMACSHA1_80, .aeadAES256GCM, .aeadAES128GCM]),
            server: PeerPair.serverConfiguration(srtpProfiles: [.aeadAES256GCM, .aeadAES128GCM]))
        #expect(pair.runUntilConnected())
        #expect(pair.a.transport?.srtpProfile == .aeadAES256GCM)
        #expect(pair.b.transport?.srtpProfile == .aeadAES256GCM)
    }

    func exchange(_ pair: PeerPair, profile: SRTPProfile) throws {
        #expect(pair.runUntilConnected())
        for side in [PeerSide.a, .b] {
            #expect(pair.transport(side)?.srtpProfile == profile)
        }
        let sent = pair.exchangeMedia(count: 50)
        pair.run(for: .milliseconds(100))
        for side in [PeerSide.a, .b] {
            let receiver = side.other
            #expect(pair.rtp[receiver]! == sent.rtp[side]!, "RTP \(side) → \(receiver)")
            #expect(pair.rtcp[receiver]! == sent.rtcp[side]!, "RTCP \(side) → \(receiver)")
            #expect(pair.rtp[receiver]!.count == 50)
            #expect(pair.rtcp[receiver]!.count == 5)
            // The inbound extension map came from the negotiated extmaps.
            #expect(pair.rtpHeaders[receiver]!.allSatisfy { $0.1.mid == Mid("0") })
            #expect(pair.drops[receiver]!.isEmpty, "\(receiver): \(pair.drops[receiver]!)")
            let stats = try #require(pair.transport(receiver)?.stats)
            #expect(stats.rtpReceived == 50)
            #expect(stats.rtcpReceived == 5)
            #expect(pair.transport(side)?.stats.rtpSent == 50)
            // On the wire it is not plaintext: every SRTP packet is longer by the tag.
            let wireRTP = pair.sent(.rtp, by: side)
            #expect(wireRTP.count == 50)
            for (onWire, plain) in zip(wireRTP, sent.rtp[side]!) {
                #expect(onWire.bytes.count == plain.count + profile.rtpTrailerLength)
                // Same 20-byte header (RTP + extension), encrypted payload.
                #expect(Array(onWire.bytes[0..<20]) == Array(plain[0..<20]))
                #expect(Array(onWire.bytes[20..<plain.count]) != Array(plain[20...]))
            }
        }
    }
}
