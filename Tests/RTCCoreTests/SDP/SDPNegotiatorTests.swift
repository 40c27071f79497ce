import Foundation
import Testing
@testable import RTCCore

/// Offer/answer against the captured Chromium and aiortc offers, and offers this side makes.
@Suite struct SDPNegotiatorTests {
    // A valid SHA-256 digest length; a failure here is a bug in the test.
    static let serverFingerprint = DTLSFingerprint(hash: .sha256, digest: (0..<32).map { UInt8($0) })!
    static let server = SDPLocalTransport(
        iceUfrag: "srvU", icePwd: "serverpasswordserverpass", fingerprints: [serverFingerprint],
        candidates: [ICECandidate(foundation: "1", priority: 2_130_706_431, address: TransportAddress("127.0.0.1:40000")!,
                                  type: .host)],
        iceLite: true)
    static let options = SDPAnswerOptions(sessionID: "1234", sessionVersion: 1)

    func answer(_ offer: SessionDescription, _ options: SDPAnswerOptions = options)
        throws -> (SessionDescription, NegotiatedSession) {
        let r = try SDPNegotiator.answer(to: offer, local: Self.server, options: options)
        // The answer is valid SDP text that reads back to the same model.
        #expect(try SessionDescription.parse(r.answer.serialized()) == r.answer)
        return (r.answer, r.negotiated)
    }

    @Test func answersChromiumSimulcastOffer() throws {
        let offer = try SDPTestSupport.fixture("chromium-offer-simulcast.sdp")
        let (answer, neg) = try answer(offer)
        let text = answer.serialized()

        #expect(answer.iceLite)
        #expect(answer.bundleMids == [.t("0"), .t("1")])
        #expect(answer.extmapAllowMixed)
        for bad in ["red/", "ulpfec", "flexfec", "toffset", "video-orientation", "playout-delay"] {
            #expect(!text.contains(bad), "answer contains \(bad)")
        }

        let audio = answer.media[0]
        #expect(audio.port == 40000)
        #expect(audio.connections == [SDPConnection(address: "127.0.0.1")])
        #expect(audio.formats == ["111"])
        #expect(audio.direction == .recvonly)
        #expect(audio.setup == .passive)
        #expect(audio.iceUfrag == "srvU" && audio.icePwd == "serverpasswordserverpass")
        #expect(audio.fingerprints == [Self.serverFingerprint])
        #expect(audio.rtcpMux && audio.rtcpRsize)
        #expect(audio.candidates.count == 1 && audio.endOfCandidates)
        #expect(audio.rtcpFeedback == [SDPRtcpFeedback(payloadType: PayloadType(111), type: "transport-cc")])
        #expect(audio.formatParameters(for: PayloadType(111))?["useinbandfec"] == "1")
        #expect(audio.extMaps.map(\.uri) == [SDPExtensionURI.audioLevel, SDPExtensionURI.absSendTime,
                                             SDPExtensionURI.transportWideCC, SDPExtensionURI.mid])

        let video = answer.media[1]
        // VP8, VP9 profile 0, H.264 (first offered packetization-mode 1, Baseline family), AV1,
        // each with the offer's RTX payload type.
        #expect(video.formats == ["96", "97", "98", "99", "102", "103", "45", "46"])
        #expect(video.direction == .recvonly)
        #expect(video.rtcpFeedback(for: PayloadType(96)).map(\.attributeValue) ==
            ["96 goog-remb", "96 transport-cc", "96 ccm fir", "96 nack", "96 nack pli"])
        #expect(video.formatParameters(for: PayloadType(97))?.associatedPayloadType == PayloadType(96))
        #expect(video.formatParameters(for: PayloadType(102))?["packetization-mode"] == "1")
        #expect(video.extMaps.map(\.id) == [2, 3, 4, 10, 11, 12])
        #expect(video.rids == ["q", "h", "f"].map { SDPRid(id: Rid($0)!, direction: .recv) })
        #expect(video.simulcast?.attributeValue == "recv q;h;f")
        #expect(video.ssrcs.isEmpty && video.msid == nil)

        // The negotiated result.
        let offerVideo = offer.media[1]
        #expect(neg.remoteIceUfrag == offer.media[0].iceUfrag)
        #expect(neg.remoteIcePwd == offer.media[0].icePwd)
        #expect(neg.remoteFingerprints == offerVideo.fingerprints)
        #expect(neg.localSetup == .passive && !neg.isDTLSClient)
        #expect(!neg.remoteIceLite)
        #expect(neg.remoteIceOptions == ["trickle"])
        #expect(neg.remoteCandidates == offer.media[0].candidates)
        #expect(neg.bundleMids == [.t("0"), .t("1")])
        let nv = try #require(neg.media(withMid: .t("1")))
        #expect(nv.accepted && nv.direction == .recvonly)
        #expect(nv.codecs.map(\.type) == [.vp8, .vp9, .h264, .av1])
        #expect(nv.rtxPayloadTypes == [PayloadType(96): PayloadType(97), PayloadType(98): PayloadType(99),
                                       PayloadType(102): PayloadType(103), PayloadType(45): PayloadType(46)])
        let vp8 = try #require(nv.codec(.vp8))
        #expect(vp8.nack && vp8.pli && vp8.fir && vp8.remb && vp8.transportCC)
        #expect(nv.codec(for: PayloadType(97))?.type == .vp8)
        #expect(nv.extensionIDs == SDPHeaderExtensionIDs(mid: 4, rid: 10, repairedRid: 11, absSendTime: 2,
                                                         transportWideCC: 3, dependencyDescriptor: 12))
        #expect(nv.remoteRids.map(\.id.description) == ["q", "h", "f"])
        #expect(nv.remoteSimulcast?.sendRids.count == 3)
        #expect(nv.rtcpRsize)
        #expect(nv.remoteMsid == offerVideo.msid)
        let na = try #require(neg.media(withMid: .t("0")))
        #expect(na.codecs.map(\.payloadType) == [PayloadType(111)])
        #expect(na.extensionIDs.audioLevel == 1 && na.extensionIDs.mid == 4)
        #expect(na.remoteSsrcs == offer.media[0].ssrcs && na.remoteSsrcs.count == 1)
        #expect(na.remoteCname != nil)
    }

    @Test func answersAiortcOffer() throws {
        let offer = try SDPTestSupport.fixture("aiortc-offer.sdp")
        let (answer, neg) = try answer(offer)
        #expect(answer.media[0].formats == ["96"])
        #expect(answer.media[0].rtpMap(for: PayloadType(96))?.isEncoding("opus") == true)
        // VP8 97 + RTX 98; the first Baseline H.264 with packetization-mode 1 (99) + RTX 100.
        #expect(answer.media[1].formats == ["97", "98", "99", "100"])
        #expect(!answer.media[1].rtcpRsize)  // aiortc does not offer it
        #expect(answer.media[1].extMaps.map(\.uri) == [SDPExtensionURI.mid, SDPExtensionURI.absSendTime])
        #expect(answer.media.allSatisfy { $0.direction == .recvonly })
        #expect(answer.media[1].rtcpFeedback(for: PayloadType(97)).map(\.attributeValue) ==
            ["97 nack", "97 nack pli", "97 goog-remb"])
        #expect(neg.remoteFingerprints.count == 3)
        #expect(neg.remoteCandidates.count == 1 && neg.remoteCandidates[0].connectionAddress == "127.0.0.1")
        let v = try #require(neg.media(withMid: .t("1")))
        let fid = offer.media[1].ssrcGroups[0].ssrcs
        #expect(v.remoteRtxSsrcs == [fid[0]: fid[1]])
        #expect(v.codec(.vp8)?.rtxPayloadType == PayloadType(98))
        #expect(v.extensionIDs.absSendTime == 3 && v.extensionIDs.mid == 1)
        #expect(!v.codec(.vp8)!.transportCC)
    }

    @Test func setupRoles() throws {
        let offer = try SDPTestSupport.fixture("chromium-offer-simulcast.sdp")
        var opts = Self.options
        opts.preferredSetup = .active
        let (a1, n1) = try answer(offer, opts)
        #expect(a1.media.allSatisfy { $0.setup == .active } && n1.isDTLSClient)
        // An offer that says active makes this side passive, and the other way round.
        var activeOffer = offer
        for i in activeOffer.media.indices {
            activeOffer.media[i].attributes = activeOffer.media[i].attributes.map {
                if case .setup = $0 { return .setup(.passive) } else { return $0 }
            }
        }
        let (a2, n2) = try answer(activeOffer)
        #expect(a2.media[0].setup == .active && n2.localSetup == .active)
        var hold = offer
        hold.media[0].attributes = hold.media[0].attributes.map { if case .setup = $0 { return .setup(.holdconn) } else { return $0 } }
        #expect(throws: SDPNegotiationError.self) { try SDPNegotiator.answer(to: hold, local: Self.server, options: Self.options) }
    }

    @Test func directionsPerMid() throws {
        let offer = try SDPTestSupport.fixture("chromium-offer-simulcast.sdp")
        var opts = Self.options
        opts.directions = [.t("0"): .sendrecv]
        opts.sendStreams = [.t("0"): SDPSendStream(ssrc: SSRC(1111), cname: "sfu", msid: SDPMsid(streamID: "s", trackID: "t"))]
        let (answer, neg) = try answer(offer, opts)
        #expect(answer.media[0].direction == .sendrecv)
        #expect(answer.media[0].ssrcs == [SSRC(1111)])
        #expect(answer.media[0].msid == SDPMsid(streamID: "s", trackID: "t"))
        #expect(neg.media[0].direction == .sendrecv)
        // The offer's video is sendonly: whatever this side wants, it can only receive.
        opts.videoDirection = .sendrecv
        let (a2, _) = try self.answer(offer, opts)
        #expect(a2.media[1].direction == .recvonly)
        opts.videoDirection = .sendonly
        let (a3, _) = try self.answer(offer, opts)
        #expect(a3.media[1].direction == .inactive)
        #expect(a3.media[1].rids.isEmpty && a3.media[1].simulcast == nil)
    }

    @Test func rejectsDataChannelAndUnbundledSections() throws {
        let base = try SDPTestSupport.fixture("chromium-offer-simulcast.sdp")
        var offer = base
        var data = MediaDescription(kind: .application, port: 9, proto: "UDP/DTLS/SCTP", formats: ["webrtc-datachannel"])
        data.attributes = [.iceUfrag("x"), .icePwd("y"), .mid(.t("2")), .sctpPort(5000), .maxMessageSize(262144)]
        offer.media.append(data)
        offer.attributes = offer.attributes.map {
            if case .group = $0 { return .group(SDPGroup(semantics: "BUNDLE", mids: [.t("0"), .t("1"), .t("2")])) }
            return $0
        }
        let (answer, neg) = try answer(offer)
        #expect(answer.bundleMids == [.t("0"), .t("1")])
        let rejected = answer.media[2]
        #expect(rejected.port == 0 && rejected.isRejected && rejected.kind == .application)
        #expect(rejected.mid == .t("2") && rejected.formats == ["webrtc-datachannel"])
        #expect(neg.media[2].accepted == false)
        #expect(neg.acceptedMedia.count == 2)

        // Without a BUNDLE group only the first section can share the transport.
        var noBundle = base
        noBundle.attributes.removeAll { if case .group = $0 { return true } else { return false } }
        let (a2, n2) = try self.answer(noBundle)
        #expect(a2.groups.isEmpty)
        #expect(a2.media[0].port == 40000 && a2.media[1].port == 0)
        #expect(n2.acceptedMedia.map(\.mid) == [.t("0")])

        // A section without rtcp-mux, or with only RED, or port 0, is rejected.
        var noMux = base
        noMux.media[1].removeAttributes(named: "rtcp-mux")
        #expect(try self.answer(noMux).0.media[1].port == 0)
        var zero = base
        zero.media[1].port = 0
        #expect(try self.answer(zero).0.media[1].isRejected)
        var opusOnly = SDPAnswerOptions(sessionID: "1", codecs: [.opus])
        opusOnly.videoDirection = .recvonly
        let (a3, n3) = try self.answer(base, opusOnly)
        #expect(a3.media[1].isRejected && a3.bundleMids == [.t("0")])
        #expect(n3.media.map(\.accepted) == [true, false])
        // The tag rejected: the next accepted mid carries the transport.
        let videoOnly = SDPAnswerOptions(sessionID: "1", codecs: [.vp8])
        let (a4, n4) = try self.answer(base, videoOnly)
        #expect(a4.bundleMids == [.t("1")] && n4.acceptedMedia.map(\.mid) == [.t("1")])
        #expect(n4.remoteIceUfrag == base.media[1].iceUfrag)
        #expect(throws: SDPNegotiationError.self) {
            try SDPNegotiator.answer(to: base, local: Self.server, options: SDPAnswerOptions(sessionID: "1", codecs: []))
        }
    }

    @Test func refusesBrokenOffers() throws {
        let base = try SDPTestSupport.fixture("aiortc-offer.sdp")
        func kind(_ offer: SessionDescription) -> SDPNegotiationError.Kind? {
            do {
                _ = try SDPNegotiator.answer(to: offer, local: Self.server, options: Self.options)
                return nil
            } catch {
                return error.kind
            }
        }
        var noMid = base
        noMid.media[1].removeAttributes(named: "mid")
        #expect(kind(noMid) == .invalidMid)
        var dupMid = base
        dupMid.media[1].attributes = dupMid.media[1].attributes.map { if case .mid = $0 { return .mid(.t("0")) } else { return $0 } }
        #expect(kind(dupMid) == .invalidMid)
        var noCreds = base
        for i in noCreds.media.indices { noCreds.media[i].removeAttributes(named: "ice-pwd") }
        #expect(kind(noCreds) == .missingIceCredentials)
        var noFingerprint = base
        for i in noFingerprint.media.indices { noFingerprint.media[i].removeAttributes(named: "fingerprint") }
        #expect(kind(noFingerprint) == .missingFingerprint)
        // Session-level credentials and fingerprint are used when the sections have none.
        var sessionLevel = noFingerprint
        sessionLevel.attributes.append(.fingerprint(Self.serverFingerprint))
        #expect(kind(sessionLevel) == nil)
    }

    /// The SFU's subscriber connection: sendonly audio and video with SSRCs, RTX and msid.
    static func subscriberOffer() -> SessionDescription {
        let audio = SDPOfferSection(
            mid: .t("0"), kind: .audio, direction: .sendonly,
            sendStream: SDPSendStream(ssrc: SSRC(0x1000), cname: "sfu", msid: SDPMsid(streamID: "p1", trackID: "p1-audio")))
        let video = SDPOfferSection(
            mid: .t("1"), kind: .video, direction: .sendonly,
            sendStream: SDPSendStream(ssrc: SSRC(0x2000), rtxSsrc: SSRC(0x2001), cname: "sfu",
                                      msid: SDPMsid(streamID: "p1", trackID: "p1-video")))
        let removed = SDPOfferSection(mid: .t("2"), kind: .video, direction: .inactive, disabled: true)
        return SDPNegotiator.offer(sections: [audio, video, removed], local: server, sessionID: "99", sessionVersion: 3)
    }

    @Test func createsSubscriberOffer() throws {
        let offer = Self.subscriberOffer()
        #expect(try SessionDescription.parse(offer.serialized()) == offer)
        #expect(offer.iceLite && offer.extmapAllowMixed)
        #expect(offer.bundleMids == [.t("0"), .t("1")])
        #expect(offer.origin.sessionVersion == 3)
        let audio = offer.media[0]
        #expect(audio.formats == ["111"] && audio.direction == .sendonly && audio.setup == .actpass)
        #expect(audio.ssrcs == [SSRC(0x1000)])
        let video = offer.media[1]
        #expect(video.formats == ["96", "97", "98", "99", "102", "103", "45", "46"])
        #expect(video.ssrcGroups == [SDPSsrcGroup(semantics: "FID", ssrcs: [SSRC(0x2000), SSRC(0x2001)])])
        #expect(video.ssrcAttributes.filter { $0.attribute == "cname" }.count == 2)
        #expect(video.msid == SDPMsid(streamID: "p1", trackID: "p1-video"))
        #expect(video.extMapID(for: SDPExtensionURI.transportWideCC) == 3)
        #expect(video.formatParameters(for: PayloadType(102))?["profile-level-id"] == "42e01f")
        #expect(offer.media[2].port == 0 && offer.media[2].direction == .inactive)

        // A client answers it (here: this negotiator in the client's place).
        let client = SDPLocalTransport(iceUfrag: "cli1", icePwd: "clientpasswordclientpass",
                                       fingerprints: [DTLSFingerprint(hash: .sha256, digest: [UInt8](repeating: 7, count: 32))!],
                                       iceOptions: ["trickle"])
        var clientOptions = SDPAnswerOptions(sessionID: "5")
        clientOptions.preferredSetup = .active
        let (answer, _) = try SDPNegotiator.answer(to: offer, local: client, options: clientOptions)
        let neg = try SDPNegotiator.negotiate(localOffer: offer, remoteAnswer: answer)
        #expect(neg.localSetup == .passive && !neg.isDTLSClient)
        #expect(neg.remoteIceUfrag == "cli1" && neg.remoteIceOptions == ["trickle"])
        #expect(neg.media.map(\.accepted) == [true, true, false])
        #expect(neg.media[0].direction == .sendonly && neg.media[1].direction == .sendonly)
        #expect(neg.media[1].codec(.vp8)?.rtxPayloadType == PayloadType(97))
        #expect(neg.media[1].extensionIDs.mid == 4)
    }

    /// Chromium 156's answer to ``subscriberOffer()`` (captured by
    /// scripts/capture/check_negotiation.sh, which also checks that Chromium accepts the SFU's
    /// answer to its simulcast offer).
    @Test func readsChromiumAnswerToSubscriberOffer() throws {
        let offer = Self.subscriberOffer()
        let answer = try SDPTestSupport.fixture("chromium-answer-to-sfu-offer.sdp")
        let neg = try SDPNegotiator.negotiate(localOffer: offer, remoteAnswer: answer)
        #expect(neg.localSetup == .passive && !neg.isDTLSClient)  // Chromium answered active
        #expect(neg.remoteIceUfrag == answer.media[0].iceUfrag && neg.remoteIcePwd == answer.media[0].icePwd)
        #expect(neg.remoteIceOptions == ["trickle"] && !neg.remoteIceLite)
        #expect(neg.remoteFingerprints.count == 1 && neg.remoteFingerprints[0].digest.count == 32)
        #expect(neg.remoteCandidates.count == 2)
        #expect(neg.bundleMids == [.t("0"), .t("1")])
        #expect(neg.media.map(\.accepted) == [true, true, false])
        #expect(neg.media[0].direction == .sendonly && neg.media[1].direction == .sendonly)
        let audio = neg.media[0]
        #expect(audio.codecs.map(\.payloadType) == [PayloadType(111)] && audio.codecs[0].transportCC)
        #expect(audio.extensionIDs == SDPHeaderExtensionIDs(mid: 4, absSendTime: 2, transportWideCC: 3, audioLevel: 1))
        let video = neg.media[1]
        #expect(video.codecs.map(\.type) == [.vp8, .vp9, .h264, .av1])
        #expect(video.rtxPayloadTypes[PayloadType(96)] == PayloadType(97))
        #expect(video.codec(.vp8).map { $0.nack && $0.pli && $0.fir && $0.remb && $0.transportCC } == true)
        #expect(video.extensionIDs.rid == 10 && video.extensionIDs.dependencyDescriptor == 12)
        #expect(video.rtcpRsize)
        #expect(video.remoteSsrcs.isEmpty)  // a receive-only answer announces no SSRC
    }

    @Test func createsClientOfferWithSimulcast() throws {
        let client = SDPLocalTransport(iceUfrag: "cli1", icePwd: "clientpasswordclientpass",
                                       fingerprints: [Self.serverFingerprint], iceOptions: ["trickle"])
        let offer = SDPNegotiator.offer(sections: [
            SDPOfferSection(mid: .t("0"), kind: .audio, direction: .sendrecv,
                            sendStream: SDPSendStream(ssrc: SSRC(5), cname: "c", msid: SDPMsid(streamID: "s", trackID: "a"))),
            SDPOfferSection(mid: .t("1"), kind: .video, direction: .sendrecv,
                            sendStream: SDPSendStream(ssrc: SSRC(6), cname: "c", msid: SDPMsid(streamID: "s", trackID: "v")),
                            sendRids: ["q", "h", "f"].compactMap { Rid($0) }),
        ], local: client, sessionID: "7", sessionVersion: 1)
        #expect(!offer.iceLite)
        #expect(offer.media[0].port == 9 && offer.media[0].connections == [SDPConnection(address: "0.0.0.0")])
        #expect(offer.media[1].simulcast?.attributeValue == "send q;h;f")
        #expect(offer.media[1].ssrcs.isEmpty)  // simulcast streams are identified by rid
        // The SFU answers it: rids mirrored, sendrecv narrowed to what the server wants.
        let (answer, neg) = try answer(offer)
        #expect(answer.media[1].simulcast?.attributeValue == "recv q;h;f")
        #expect(answer.media.map(\.direction) == [.recvonly, .recvonly])
        // And the client reads the result.
        let clientSide = try SDPNegotiator.negotiate(localOffer: offer, remoteAnswer: answer)
        #expect(clientSide.remoteIceLite && clientSide.isDTLSClient)
        #expect(clientSide.media.map(\.direction) == [.sendonly, .sendonly])
        #expect(clientSide.remoteCandidates.first?.port == 40000)
        #expect(neg.media[1].remoteRids.count == 3)
    }

    @Test func answerMismatchIsRefused() throws {
        let offer = Self.subscriberOffer()
        let client = SDPLocalTransport(iceUfrag: "c", icePwd: "pwpwpwpwpwpwpwpwpwpwpwpw", fingerprints: [Self.serverFingerprint])
        let (answer, _) = try SDPNegotiator.answer(to: offer, local: client, options: SDPAnswerOptions(sessionID: "1"))
        var fewer = answer
        fewer.media.removeLast()
        #expect(throws: SDPNegotiationError.self) { try SDPNegotiator.negotiate(localOffer: offer, remoteAnswer: fewer) }
        var foreignPT = answer
        foreignPT.media[0].formats.append("100")
        #expect(throws: SDPNegotiationError.self) { try SDPNegotiator.negotiate(localOffer: offer, remoteAnswer: foreignPT) }
        var badSetup = answer
        badSetup.media[0].attributes = badSetup.media[0].attributes.map { if case .setup = $0 { return .setup(.actpass) } else { return $0 } }
        #expect(throws: SDPNegotiationError.self) { try SDPNegotiator.negotiate(localOffer: offer, remoteAnswer: badSetup) }
        var otherMid = answer
        otherMid.media[0].attributes = otherMid.media[0].attributes.map { if case .mid = $0 { return .mid(.t("9")) } else { return $0 } }
        #expect(throws: SDPNegotiationError.self) { try SDPNegotiator.negotiate(localOffer: offer, remoteAnswer: otherMid) }
    }

    @Test func codecMatching() {
        let h264 = SDPCodecCapability.h264
        func fmtp(_ s: String) -> SDPFormatParameters? {
            guard case .fmtp(let f)? = try? SDPAttribute(parsing: "fmtp:100 " + s) else { return nil }
            return f
        }
        let map = SDPRtpMap(payloadType: PayloadType(100), encodingName: "h264", clockRate: 90000)
        #expect(h264.matches(map, fmtp("profile-level-id=42e01f;packetization-mode=1")))
        #expect(h264.matches(map, fmtp("profile-level-id=42001F;packetization-mode=1;level-asymmetry-allowed=1")))
        #expect(!h264.matches(map, fmtp("profile-level-id=42e01f")))  // mode 0
        #expect(!h264.matches(map, fmtp("profile-level-id=4d001f;packetization-mode=1")))
        #expect(!h264.matches(SDPRtpMap(payloadType: PayloadType(100), encodingName: "H264", clockRate: 8000),
                              fmtp("profile-level-id=42e01f;packetization-mode=1")))
        let vp9 = SDPRtpMap(payloadType: PayloadType(98), encodingName: "VP9", clockRate: 90000)
        #expect(SDPCodecCapability.vp9.matches(vp9, nil))
        #expect(!SDPCodecCapability.vp9.matches(vp9, fmtp("profile-id=2")))
        let opus = SDPRtpMap(payloadType: PayloadType(111), encodingName: "OPUS", clockRate: 48000, channels: 2)
        #expect(SDPCodecCapability.opus.matches(opus, nil))
        #expect(!SDPCodecCapability.opus.matches(SDPRtpMap(payloadType: PayloadType(111), encodingName: "opus", clockRate: 48000), nil))
        #expect(SDPCodecType(encodingName: "RTX") == .rtx && SDPCodecType(encodingName: "flexfec-03") == .flexfec)
    }
}
