import Foundation
import Testing
@testable import RTCCore

/// Real session descriptions captured from Chromium 156 and aiortc 1.16
/// (scripts/capture/capture.sh).
@Suite struct SDPFixtureTests {
    @Test(arguments: SDPTestSupport.fixtureNames)
    func fixtureRoundTrips(name: String) throws {
        let bytes = try SDPTestSupport.fixtureBytes(name)
        let sdp = try SessionDescription.parse(bytes)
        let text = sdp.serialized()
        let again = try SessionDescription.parse(text)
        #expect(again == sdp)
        #expect(again.serialized() == text)
        // Every line of the capture is kept: Chromium and aiortc write in RFC order, so the
        // written text equals the captured text byte for byte.
        #expect(Array(text.utf8) == bytes)
        // LF-only input gives the same model.
        let lf = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        #expect(try SessionDescription.parse(lf) == sdp)
    }

    @Test func chromiumSimulcastOffer() throws {
        let sdp = try SDPTestSupport.fixture("chromium-offer-simulcast.sdp")
        #expect(sdp.origin.username == "-")
        #expect(sdp.origin.sessionVersion == 2)
        #expect(sdp.timing == [SDPTiming(start: 0, stop: 0)])
        #expect(sdp.bundleMids == [.t("0"), .t("1")])
        #expect(sdp.groups == [SDPGroup(semantics: "BUNDLE", mids: [.t("0"), .t("1")])])
        #expect(sdp.extmapAllowMixed)
        #expect(sdp.otherAttributes(named: "msid-semantic").count == 1)
        #expect(sdp.media.count == 2)

        let audio = sdp.media[0]
        #expect(audio.kind == .audio)
        #expect(audio.mid == .t("0"))
        #expect(audio.direction == .sendrecv)
        #expect(audio.rtpMap(for: PayloadType(111)) ==
            SDPRtpMap(payloadType: PayloadType(111), encodingName: "opus", clockRate: 48000, channels: 2))
        #expect(audio.formatParameters(for: PayloadType(111))?["useinbandfec"] == "1")
        #expect(audio.extMapID(for: SDPExtensionURI.audioLevel) == 1)
        #expect(audio.ssrcs.count == 1)

        let video = sdp.media[1]
        #expect(video.kind == .video)
        #expect(video.proto == "UDP/TLS/RTP/SAVPF")
        #expect(video.mid == .t("1"))
        #expect(video.direction == .sendonly)
        #expect(video.rtcpMux && video.rtcpRsize)
        #expect(video.setup == .actpass)
        #expect(sdp.setup(for: video) == .actpass)
        let fp = try #require(sdp.fingerprints(for: video).first)
        #expect(fp.hash == .sha256)
        #expect(fp.digest.count == 32)
        #expect(video.iceUfrag?.isEmpty == false && video.icePwd?.isEmpty == false)
        #expect(video.iceOptions == ["trickle"])

        // Simulcast: three rids and `send q;h;f`.
        #expect(video.rids.map(\.id.description) == ["q", "h", "f"])
        #expect(video.rids.allSatisfy { $0.direction == .send })
        let sim = try #require(video.simulcast)
        #expect(sim.sendRids == [Rid("q"), Rid("h"), Rid("f")].compactMap { $0 })
        #expect(sim.recv.isEmpty)
        #expect(sim.attributeValue == "send q;h;f")

        // Codecs, each with an RTX format pointing back at it (RFC 4588 apt).
        let maps = video.rtpMaps
        for codec in ["VP8", "VP9", "H264", "AV1"] {
            let primaries = maps.filter { $0.isEncoding(codec) }
            #expect(!primaries.isEmpty, "no \(codec)")
            for p in primaries {
                #expect(p.clockRate == 90000)
                let rtx = maps.filter { m in
                    m.isEncoding("rtx") && video.formatParameters(for: m.payloadType)?.associatedPayloadType == p.payloadType
                }
                #expect(rtx.count == 1, "no RTX for \(codec) \(p.payloadType)")
                let fb = video.rtcpFeedback(for: p.payloadType)
                #expect(fb.contains(SDPRtcpFeedback(payloadType: p.payloadType, type: "nack")))
                #expect(fb.contains(SDPRtcpFeedback(payloadType: p.payloadType, type: "nack", subtype: "pli")))
                #expect(fb.contains(SDPRtcpFeedback(payloadType: p.payloadType, type: "ccm", subtype: "fir")))
                #expect(fb.contains(SDPRtcpFeedback(payloadType: p.payloadType, type: "transport-cc")))
            }
        }
        #expect(video.rtpMap(for: PayloadType(96))?.encodingName == "VP8")
        #expect(video.formatParameters(for: PayloadType(97))?.associatedPayloadType == PayloadType(96))
        let h264 = try #require(video.formatParameters(for: PayloadType(108)))
        #expect(h264["profile-level-id"] == "42e01f")
        #expect(h264["packetization-mode"] == "1")
        #expect(video.payloadTypes.count == video.formats.count)

        // Header extensions the router needs.
        for uri in [SDPExtensionURI.mid, SDPExtensionURI.rid, SDPExtensionURI.repairedRid,
                    SDPExtensionURI.transportWideCC, SDPExtensionURI.absSendTime,
                    SDPExtensionURI.dependencyDescriptor] {
            #expect(video.extMapID(for: uri) != nil, "missing \(uri)")
        }
        #expect(video.extMapID(for: SDPExtensionURI.mid) == 4)
        #expect(video.extMapID(for: SDPExtensionURI.rid) == 10)
        #expect(video.extMapID(for: SDPExtensionURI.repairedRid) == 11)

        // Candidates: UDP host and TCP active on loopback.
        let cands = video.candidates
        #expect(cands.count == 2)
        #expect(cands[0].isUDP && cands[0].type == .host && cands[0].connectionAddress == "127.0.0.1")
        #expect(cands[0].address == TransportAddress("127.0.0.1:53129"))
        #expect(cands[0].extensionValue("generation") == "0")
        #expect(cands[1].isTCP && cands[1].tcpType == "active" && cands[1].port == 9)
        let msid = try #require(video.msid)
        #expect(msid.trackID != nil)
    }

    @Test func chromiumAnswer() throws {
        let sdp = try SDPTestSupport.fixture("chromium-answer.sdp")
        #expect(sdp.media.count == 2)
        #expect(sdp.media.allSatisfy { $0.setup == .active })
        #expect(sdp.media[0].direction == .recvonly)
        #expect(sdp.media[1].direction == .recvonly)
        #expect(sdp.media[0].candidates.count == 1)
    }

    @Test func aiortcOffer() throws {
        let sdp = try SDPTestSupport.fixture("aiortc-offer.sdp")
        #expect(sdp.bundleMids == [.t("0"), .t("1")])
        #expect(sdp.media.map(\.kind) == [.audio, .video])
        let audio = sdp.media[0]
        #expect(audio.rtpMap(for: PayloadType(96))?.isEncoding("opus") == true)
        #expect(audio.endOfCandidates)
        #expect(audio.candidates.first?.foundation.count == 32)
        #expect(audio.candidates.first?.priority == 2_130_706_431)
        let video = sdp.media[1]
        #expect(video.rtpMap(for: PayloadType(97))?.encodingName == "VP8")
        #expect(video.formatParameters(for: PayloadType(98))?.associatedPayloadType == PayloadType(97))
        #expect(video.ssrcGroups.first?.semantics == "FID")
        #expect(video.ssrcGroups.first?.ssrcs.count == 2)
        #expect(video.fingerprints.map(\.hash) == [.sha256, .sha384, .sha512])
        #expect(video.fingerprints.map(\.digest.count) == [32, 48, 64])
        #expect(video.setup == .actpass)
        #expect(!video.rtcpRsize)
    }
}
