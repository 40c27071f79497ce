import Testing
@testable import RTCCore

/// Typed attributes against the examples of their RFCs.
@Suite struct SDPAttributeTests {
    func attr(_ s: String) throws -> SDPAttribute { try SDPAttribute(parsing: s) }

    @Test func iceAttributes() throws {
        // RFC 8839 §5.4, §5.6, §5.3
        #expect(try attr("ice-ufrag:8hhY") == .iceUfrag("8hhY"))
        #expect(try attr("ice-pwd:asd88fgpdd777uzjYhagZg") == .icePwd("asd88fgpdd777uzjYhagZg"))
        #expect(try attr("ice-options:trickle ice2") == .iceOptions(["trickle", "ice2"]))
        #expect(try attr("ice-lite") == .iceLite)
        #expect(try attr("end-of-candidates") == .endOfCandidates)
    }

    @Test func fingerprint() throws {
        // RFC 8122 §5 example (the hash name and lowercase hex are accepted in any case and
        // written in the grammar's case).
        let a = try attr("fingerprint:SHA-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:ab")
        guard case .fingerprint(let f) = a else { Issue.record("not a fingerprint"); return }
        #expect(f.hash == .sha1)
        #expect(f.digest == [0x4A, 0xAD, 0xB9, 0xB1, 0x3F, 0x82, 0x18, 0x3B, 0x54, 0x02,
                             0x12, 0xDF, 0x3E, 0x5D, 0x49, 0x6B, 0x19, 0xE5, 0x7C, 0xAB])
        #expect(a.text == "fingerprint:sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB")
        #expect(f == DTLSFingerprint(hash: .sha1, digest: f.digest))
        #expect(f.attributeValue == f.sdpValue)
        // One fingerprint type: what SDP parses is what DTLS verifies against.
        let own = DTLSTestCertificates.alice.fingerprint
        #expect(try attr("fingerprint:" + own.sdpValue) == .fingerprint(own))
        // A hash RTCCore refuses (md5) or does not know keeps the description valid, verbatim.
        let md5 = "md5 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B"
        #expect(try attr("fingerprint:" + md5) == .other(name: "fingerprint", value: md5))
        #expect(try attr("fingerprint:" + md5).text == "fingerprint:" + md5)
        // A known hash with the wrong digest length is an error.
        #expect(throws: ParseError.self) { try attr("fingerprint:sha-256 00:FF") }
    }

    @Test func setupAndDirection() throws {
        for r in SDPSetupRole.allCases { #expect(try attr("setup:" + r.rawValue) == .setup(r)) }
        for d in SDPDirection.allCases { #expect(try attr(d.rawValue) == .direction(d)) }
        #expect(SDPDirection.sendonly.reversed == .recvonly)
        #expect(SDPDirection.sendrecv.answer(wanting: .recvonly) == .recvonly)
        #expect(SDPDirection.sendonly.answer(wanting: .sendrecv) == .recvonly)
        #expect(SDPDirection.recvonly.answer(wanting: .recvonly) == .inactive)
        #expect(SDPSetupRole.active.peerRole == .passive)
    }

    @Test func groupAndMid() throws {
        // RFC 8843 §7.1
        #expect(try attr("group:BUNDLE foo bar") == .group(SDPGroup(semantics: "BUNDLE", mids: [.t("foo"), .t("bar")])))
        #expect(try attr("mid:foo") == .mid(.t("foo")))
        // Longer than the 16 bytes an RTP mid header extension can carry.
        #expect(throws: ParseError.self) { try attr("mid:0123456789abcdefg") }
    }

    @Test func rtpmapFmtpRtcpFb() throws {
        #expect(try attr("rtpmap:111 opus/48000/2") == .rtpMap(
            SDPRtpMap(payloadType: PayloadType(111), encodingName: "opus", clockRate: 48000, channels: 2)))
        #expect(try attr("rtpmap:96 VP8/90000") == .rtpMap(
            SDPRtpMap(payloadType: PayloadType(96), encodingName: "VP8", clockRate: 90000)))
        // fmtp with spaces around parameters, and a bare parameter (RFC 4733 events).
        let f = try attr("fmtp:102 level-asymmetry-allowed=1; packetization-mode=1 ;profile-level-id=42001f")
        #expect(f == .fmtp(SDPFormatParameters(payloadType: PayloadType(102), parameters: [
            SDPParameter("level-asymmetry-allowed", "1"), SDPParameter("packetization-mode", "1"),
            SDPParameter("profile-level-id", "42001f")])))
        #expect(f.text == "fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f")
        #expect(try attr("fmtp:101 0-15") == .fmtp(SDPFormatParameters(payloadType: PayloadType(101),
                                                                        parameters: [SDPParameter("0-15")])))
        #expect(try attr("fmtp:63 111/111") == .fmtp(SDPFormatParameters(payloadType: PayloadType(63),
                                                                          parameters: [SDPParameter("111/111")])))
        // RFC 4585 §4.2, RFC 5104 §7.1
        #expect(try attr("rtcp-fb:96 nack pli") == .rtcpFeedback(SDPRtcpFeedback(payloadType: PayloadType(96), type: "nack", subtype: "pli")))
        #expect(try attr("rtcp-fb:* ccm tmmbr smaxpr=120") == .rtcpFeedback(SDPRtcpFeedback(payloadType: nil, type: "ccm", subtype: "tmmbr smaxpr=120")))
        #expect(try attr("rtcp-fb:* nack").text == "rtcp-fb:* nack")
    }

    @Test func extmap() throws {
        // RFC 8285 §8
        #expect(try attr("extmap:1 http://example.com/082005/ext.htm#ttime") ==
            .extMap(SDPExtMap(id: 1, uri: "http://example.com/082005/ext.htm#ttime")))
        #expect(try attr("extmap:2/sendrecv http://example.com/082005/ext.htm#xmeta short") ==
            .extMap(SDPExtMap(id: 2, direction: .sendrecv, uri: "http://example.com/082005/ext.htm#xmeta", attributes: "short")))
        #expect(try attr("extmap:4351 urn:x").text == "extmap:4351 urn:x")
        #expect(try attr("extmap-allow-mixed") == .extmapAllowMixed)
    }

    @Test func ssrcAndGroups() throws {
        // RFC 5576 §4
        #expect(try attr("ssrc:314159 cname:user@example.com") ==
            .ssrc(SDPSsrcAttribute(ssrc: SSRC(314159), attribute: "cname", value: "user@example.com")))
        #expect(try attr("ssrc:1 msid:stream track") ==
            .ssrc(SDPSsrcAttribute(ssrc: SSRC(1), attribute: "msid", value: "stream track")))
        #expect(try attr("ssrc:4294967295 foo") == .ssrc(SDPSsrcAttribute(ssrc: SSRC(.max), attribute: "foo")))
        #expect(try attr("ssrc-group:FID 11111 22222") == .ssrcGroup(SDPSsrcGroup(semantics: "FID", ssrcs: [SSRC(11111), SSRC(22222)])))
        #expect(try attr("ssrc-group:SIM 1 2 3").text == "ssrc-group:SIM 1 2 3")
        #expect(try attr("msid:- track") == .msid(SDPMsid(streamID: "-", trackID: "track")))
        #expect(try attr("msid:stream") == .msid(SDPMsid(streamID: "stream")))
    }

    @Test func ridAndSimulcast() throws {
        // RFC 8851 §11 examples
        let r = try attr("rid:5 send pt=100,101;max-width=1280;max-height=720")
        guard case .rid(let rid) = r else { Issue.record("not a rid"); return }
        #expect(rid.id.description == "5" && rid.direction == .send)
        #expect(rid.payloadTypes == [PayloadType(100), PayloadType(101)])
        #expect(rid[restriction: "max-width"] == "1280")
        #expect(r.text == "rid:5 send pt=100,101;max-width=1280;max-height=720")
        #expect(try attr("rid:q recv") == .rid(SDPRid(id: Rid("q")!, direction: .recv)))
        #expect(try attr("rid:1 send depend=0").text == "rid:1 send depend=0")
        // RFC 8853 §5.1 examples
        let s = try attr("simulcast:send 1;~4;2,3 recv c")
        guard case .simulcast(let sim) = s else { Issue.record("not simulcast"); return }
        #expect(sim.send.count == 3)
        #expect(sim.send[1] == [SDPSimulcast.Alternative(rid: Rid("4")!, paused: true)])
        #expect(sim.send[2].map(\.rid.description) == ["2", "3"])
        #expect(sim.recvRids == [Rid("c")!])
        #expect(s.text == "simulcast:send 1;~4;2,3 recv c")
        let rf = try attr("simulcast:recv a send b")
        #expect(rf.text == "simulcast:recv a send b")
        guard case .simulcast(let sim2) = rf else { return }
        #expect(sim2.reversed.attributeValue == "send a recv b")
        #expect(try attr("simulcast:recv q;h;f") == .simulcast(SDPSimulcast(recv: [[.init(rid: Rid("q")!)], [.init(rid: Rid("h")!)], [.init(rid: Rid("f")!)]])))
    }

    @Test func sctpAndOthers() throws {
        #expect(try attr("sctp-port:5000") == .sctpPort(5000))
        #expect(try attr("max-message-size:262144") == .maxMessageSize(262144))
        #expect(try attr("rtcp:9 IN IP4 0.0.0.0") == .other(name: "rtcp", value: "9 IN IP4 0.0.0.0"))
        #expect(try attr("msid-semantic: WMS *").text == "msid-semantic: WMS *")
        #expect(try attr("bundle-only") == .other(name: "bundle-only", value: nil))
    }
}

@Suite struct SDPCandidateAttributeTests {
    @Test func rfc8839Examples() throws {
        // RFC 8839 §5.1 / RFC 8445 style host and server-reflexive candidates.
        let host = try ICECandidate(parsing: "candidate:1 1 UDP 2130706431 10.0.1.1 8998 typ host")
        #expect(host.foundation == "1" && host.component == 1 && host.isUDP)
        #expect(host.priority == 2_130_706_431 && host.connectionAddress == "10.0.1.1" && host.port == 8998)
        #expect(host.type == .host && host.relatedAddress == nil)
        let srflx = try ICECandidate(parsing: "a=candidate:2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 10.0.1.1 rport 8998")
        #expect(srflx.type == .serverReflexive)
        #expect(srflx.relatedAddress == "10.0.1.1" && srflx.relatedPort == 8998)
        // The transport token is written lowercase.
        #expect(srflx.attributeValue == "2 1 udp 1694498815 192.0.2.3 45664 typ srflx raddr 10.0.1.1 rport 8998")
        #expect(try SDPAttribute(parsing: "candidate:" + srflx.attributeValue) == .candidate(srflx))
    }

    @Test func tcpAndExtensions() throws {
        // RFC 6544 §4.5 tcptype, Chromium's generation/ufrag/network-id extensions.
        let line = "candidate:3872303228 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0 ufrag JJQ4 network-id 1"
        let c = try ICECandidate(parsing: line)
        #expect(c.isTCP && c.tcpType == "active")
        #expect(c.extensions == [.init(name: "tcptype", value: "active"), .init(name: "generation", value: "0"),
                                 .init(name: "ufrag", value: "JJQ4"), .init(name: "network-id", value: "1")])
        #expect(c.extensionValue("ufrag") == "JJQ4")
        #expect(c.candidateLine == line)
        let relay = try ICECandidate(parsing: "candidate:9 2 udp 5 203.0.113.9 3478 typ relay raddr 0.0.0.0 rport 0")
        #expect(relay.type == .relay && relay.component == 2)
        #expect(try ICECandidate(parsing: "candidate:9 1 udp 5 h.local 1 typ weird").type == .other("weird"))
        #expect(try ICECandidate(parsing: "candidate:x 1 udp 4294967295 ::1 65535 typ prflx").priority == .max)
    }

    @Test(arguments: ["", "candidate:", "candidate:1 1 udp 1 a 1 typ", "candidate:1 1 udp 1 a 1 type host",
                      "candidate:1 1 udp x a 1 typ host", "candidate:1 1 udp 1 a 1 typ host raddr",
                      "candidate:1 1 udp 99999999999999999999 a 1 typ host"])
    func malformed(text: String) {
        #expect(throws: ParseError.self) { try ICECandidate(parsing: text) }
    }

    @Test func sdpErrorsCarryTheLineNumber() {
        #expect(throws: ParseError(.sdp, .syntax, at: 0, "bad candidate port")) {
            try SDPAttribute(parsing: "candidate:1 1 udp 1 1.2.3.4 99999 typ host")
        }
        // The trickle prefixes are not part of an attribute value.
        #expect(throws: ParseError.self) { try SDPAttribute(parsing: "candidate:candidate:1 1 udp 1 1.2.3.4 5 typ host") }
        #expect(throws: ParseError.self) { try SDPAttribute(parsing: "candidate:a=1 1 udp 1 1.2.3.4 5 typ host") }
    }
}
