import Testing
@testable import RTCCore

@Suite struct SDPDeclaredLayerTests {
    @Test func imageattrForms() throws {
        let a = try SDPImageAttr(parsing: "97 send [x=800,y=640,sar=1.1,q=0.6] [x=480,y=320] recv [x=330,y=250]")
        #expect(a.payloadType == PayloadType(97))
        guard case .sets(let send)? = a.send, case .sets(let recv)? = a.recv else { Issue.record("sets"); return }
        #expect(send.count == 2 && send[0].x == .value(800) && send[0].sampleAspectRatio == "1.1" && send[0].preference == 0.6)
        #expect(recv[0].y == .value(250))
        #expect(SDPImageAttr.largest(a.send) == VideoResolution(width: 800, height: 640))

        let r = try SDPImageAttr(parsing: "* send [x=[320:16:640],y=[240:16:480],par=[1.2-1.3]] recv *")
        #expect(r.payloadType == nil && r.recv == .any)
        guard case .sets(let rs)? = r.send else { Issue.record("sets"); return }
        #expect(rs[0].x == .range(min: 320, step: 16, max: 640) && rs[0].pictureAspectRatio == "[1.2-1.3]")
        #expect(SDPImageAttr.largest(r.send) == VideoResolution(width: 640, height: 480))

        let l = try SDPImageAttr(parsing: "100 recv [x=[1280,640,320],y=[360:1:720]] send [x=[160:320],y=120]")
        guard case .sets(let ls)? = l.recv else { Issue.record("sets"); return }
        #expect(ls[0].x == .list([1280, 640, 320]) && ls[0].x.minimum == 320)
        #expect(SDPImageAttr.largest(l.send) == VideoResolution(width: 320, height: 120))

        for bad in ["", "97", "97 send", "97 send [x=1]", "97 send [y=2,x=]", "97 sideways [x=1,y=1]",
                    "97 send [x=[5:1],y=1]", "97 send [x=1,y=1] send [x=2,y=2]", "300 send *",
                    "97 send [x=1,y=1,q=2]", "97 send [x=1,y=1", "97 send [x=9999999999,y=1]"] {
            #expect(throws: ParseError.self, "\(bad)") { try SDPImageAttr(parsing: bad) }
        }
    }

    static let offer = """
        v=0\r
        o=- 1 2 IN IP4 127.0.0.1\r
        s=-\r
        t=0 0\r
        m=video 9 UDP/TLS/RTP/SAVPF 96 97\r
        c=IN IP4 0.0.0.0\r
        a=mid:0\r
        a=sendonly\r
        a=rtpmap:96 VP8/90000\r
        a=rtpmap:97 H264/90000\r
        a=imageattr:* send [x=1280,y=720] recv *\r
        a=framerate:30\r
        a=rid:q send max-width=320;max-height=180;max-fps=15\r
        a=rid:h send max-height=360\r
        a=rid:f send\r
        a=rid:r recv max-width=99\r
        a=simulcast:send q;h;f\r
        m=video 9 UDP/TLS/RTP/SAVPF 96\r
        c=IN IP4 0.0.0.0\r
        a=mid:1\r
        a=rtpmap:96 VP9/90000\r
        a=imageattr:96 send [x=[320:16:640],y=[180:9:360]]\r
        a=framerate: 29.97 \r
        m=video 9 UDP/TLS/RTP/SAVPF 96\r
        c=IN IP4 0.0.0.0\r
        a=mid:2\r
        a=rtpmap:96 VP8/90000\r
        a=imageattr:96 send [x=oops]\r
        a=framerate:fast\r

        """

    @Test func declaredLayersFromRidsImageattrAndFramerate() throws {
        let sdp = try SessionDescription.parse(Self.offer)
        let layers = sdp.media[0].declaredSendLayers
        #expect(layers.map { $0.rid?.description } == ["q", "h", "f"])
        #expect(layers[0].resolution == VideoResolution(width: 320, height: 180) && layers[0].maxFrameRate == 15)
        // Only a height declared: the section's imageattr width is not mixed in.
        #expect(layers[1].maxWidth == nil && layers[1].maxHeight == 360 && layers[1].maxFrameRate == 30)
        #expect(layers[2].resolution == VideoResolution(width: 1280, height: 720) && layers[2].maxFrameRate == 30)
        #expect(sdp.media[0].rids[0].maxBitrate == nil && sdp.media[0].rids[3].maxWidth == 99)

        let svc = sdp.media[1].declaredSendLayers
        #expect(svc == [SDPDeclaredLayer(rid: nil, maxWidth: 640, maxHeight: 360, maxFrameRate: 29.97)])
        #expect(sdp.media[1].declaredSendResolution(payloadType: PayloadType(96)) == VideoResolution(width: 640, height: 360))
        #expect(sdp.media[1].declaredSendResolution(payloadType: PayloadType(97)) == nil)

        // Malformed values are ignored, not fatal.
        #expect(sdp.media[2].declaredSendLayers == [SDPDeclaredLayer(rid: nil)])
        #expect(sdp.media[2].imageAttributes.isEmpty && sdp.media[2].frameRate == nil)
    }

    @Test func ridRestrictionsOnlyWhenValid() throws {
        let rid = SDPRid(id: try #require(Rid("a")), direction: .send,
                         restrictions: [SDPParameter("max-width", "-5"), SDPParameter("max-height", "x"),
                                        SDPParameter("max-fps", "nan"), SDPParameter("max-br", "500000"),
                                        SDPParameter("max-fs", "3600")])
        #expect(rid.maxWidth == nil && rid.maxHeight == nil && rid.maxFrameRate == nil)
        #expect(rid.maxBitrate == 500_000 && rid.maxFrameSize == 3600)
    }
}
