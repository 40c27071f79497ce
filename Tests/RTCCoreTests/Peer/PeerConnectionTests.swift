import Testing
@testable import RTCCore

/// The offer/answer side of ``PeerConnection``: what its descriptions say and what it refuses.
@Suite("PeerConnection offer/answer")
struct PeerConnectionTests {
    @Test("an ICE-lite answer carries the server's ufrag, candidates and fingerprint")
    func answerContents() throws {
        let client = PeerConnection(configuration: PeerPair.clientConfiguration())
        let offer = try PeerPair.reparse(client.createOffer(sections: PeerPair.sections))
        #expect(!offer.iceLite)
        #expect(offer.media.allSatisfy { offer.setup(for: $0) == .actpass })
        let (server, answer) = try PeerConnection.answer(
            offer: offer, configuration: PeerPair.serverConfiguration(),
            options: PeerPair.answerOptions(setup: .passive), now: .zero)
        let text = answer.serialized()
        #expect(answer.iceLite)
        #expect(text.contains("a=ice-ufrag:SrvB\r\n"))
        #expect(text.contains("a=candidate:"))
        #expect(text.contains(" 10.0.0.2 40000 typ host"))
        #expect(text.contains("a=end-of-candidates"))
        #expect(text.contains("a=fingerprint:" + DTLSTestCertificates.bob.fingerprint.sdpValue))
        #expect(answer.media.allSatisfy { answer.setup(for: $0) == .passive })
        #expect(answer.origin.sessionID == "2222")
        #expect(server.transport?.dtlsRole == .server)
        #expect(server.remoteFingerprints == [DTLSTestCertificates.alice.fingerprint])
        #expect(server.remoteCredentials == PeerPair.credentialsA)
        #expect(server.transport?.isFullICE == false)
        // Inbound extension ids from the negotiated extmaps.
        let map = try #require(server.transport?.inboundExtensionMap)
        #expect(map.id(for: .mid) == 4)
        #expect(map.id(for: .transportWideCC) == 3)
        #expect(map.id(for: .absSendTime) == 2)
        #expect(server.signalingState == .stable)
    }

    @Test("the client's transport is created by the answer, with the negotiated role")
    func offererTransport() throws {
        let client = PeerConnection(configuration: PeerPair.clientConfiguration())
        _ = client.createOffer(sections: PeerPair.sections)
        #expect(client.transport == nil)
        #expect(client.state == .new)
        #expect(client.nextTimeout() == nil)
        #expect(client.pollOutput() == nil)
        #expect(!client.sendRTP(PeerTestMedia.rtp(ssrc: 1, sequence: 1)))
        let (_, answer) = try PeerConnection.answer(
            offer: try PeerPair.reparse(try #require(client.localDescription)),
            configuration: PeerPair.serverConfiguration(), options: PeerPair.answerOptions(setup: .active), now: .zero)
        try client.setRemoteAnswer(try PeerPair.reparse(answer), now: .zero)
        #expect(client.transport?.dtlsRole == .server)
        #expect(client.transport?.isFullICE == true)
        #expect(client.negotiated?.remoteIceLite == true)
        // The full agent starts checking at once.
        #expect(client.nextTimeout() != nil)
    }

    @Test("state errors: no offer to answer, glare, closed")
    func stateErrors() throws {
        let client = PeerConnection(configuration: PeerPair.clientConfiguration())
        let other = PeerConnection(configuration: PeerPair.serverConfiguration())
        let offer = try PeerPair.reparse(other.createOffer(sections: PeerPair.sections))
        #expect(throws: PeerConnectionError.noPendingOffer) { try client.setRemoteAnswer(offer, now: .zero) }
        _ = client.createOffer(sections: PeerPair.sections)
        #expect(throws: PeerConnectionError.offerPending) {
            try client.answer(offer: offer, options: PeerPair.answerOptions(setup: .active), now: .zero)
        }
        client.close(now: .zero)
        #expect(client.state == .closed)
        #expect(throws: PeerConnectionError.closed) { try client.setRemoteAnswer(offer, now: .zero) }
    }

    @Test("two ICE-lite sides cannot connect")
    func bothLite() throws {
        let a = PeerConnection(configuration: PeerPair.serverConfiguration())
        let offer = try PeerPair.reparse(a.createOffer(sections: PeerPair.sections))
        #expect(throws: PeerConnectionError.bothIceLite) {
            try PeerConnection.answer(offer: offer, configuration: PeerPair.serverConfiguration(),
                                      options: PeerPair.answerOptions(setup: .active), now: .zero)
        }
    }

    @Test("an offer the negotiator refuses surfaces its error")
    func negotiationError() throws {
        let client = PeerConnection(configuration: PeerPair.clientConfiguration())
        var offer = try PeerPair.reparse(client.createOffer(sections: PeerPair.sections))
        for i in offer.media.indices {
            offer.media[i].attributes.removeAll { if case .fingerprint = $0 { true } else { false } }
        }
        offer.attributes.removeAll { if case .fingerprint = $0 { true } else { false } }
        #expect {
            try PeerConnection.answer(offer: offer, configuration: PeerPair.serverConfiguration(),
                                      options: PeerPair.answerOptions(setup: .passive), now: .zero)
        } throws: { error in
            guard case PeerConnectionError.negotiation(let e) = error else { return false }
            return e.kind == .missingFingerprint
        }
    }

    @Test("only STUN is held before the transport exists, and only a few")
    func earlyBounds() throws {
        let server = PeerConnection(configuration: PeerPair.serverConfiguration())
        _ = server.createOffer(sections: PeerPair.sections)
        var buffer = [UInt8](repeating: 0, count: 2_048)
        let from = PeerPair.addressA, local = PeerPair.addressB
        buffer[0] = 0x80
        let rtp = buffer.withUnsafeMutableBytes { server.handle(datagram: $0, length: 100, from: from, local: local, now: .zero) }
        guard case .dropped(.notConnected) = rtp else { Issue.record("\(rtp)"); return }
        buffer[0] = 0x00
        buffer[1] = 0x01
        for _ in 0..<(PeerConnection.maximumEarlyDatagrams + 5) {
            _ = buffer.withUnsafeMutableBytes { server.handle(datagram: $0, length: 100, from: from, local: local, now: .zero) }
        }
        #expect(server.earlyDatagramsDropped == 6)
        let empty = buffer.withUnsafeMutableBytes { server.handle(datagram: $0, length: 0, from: from, local: local, now: .zero) }
        guard case .dropped(.tooLarge) = empty else { Issue.record("\(empty)"); return }
    }
}
