import Testing
@testable import RTCCore

@Suite struct RTPExtensionMapTests {
    @Test func uris() {
        #expect(RTPExtensionKind(uri: "urn:ietf:params:rtp-hdrext:sdes:mid") == .mid)
        #expect(RTPExtensionKind(uri: "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id") == .rid)
        #expect(RTPExtensionKind(uri: "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id") == .repairedRid)
        #expect(RTPExtensionKind(uri: "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time") == .absSendTime)
        #expect(RTPExtensionKind(uri: "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01")
            == .transportWideCC)
        #expect(RTPExtensionKind(uri: "urn:ietf:params:rtp-hdrext:ssrc-audio-level") == .audioLevel)
        #expect(RTPExtensionKind(uri:
            "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension")
            == .dependencyDescriptor)
        #expect(RTPExtensionKind(uri: "urn:3gpp:video-orientation") == .videoOrientation)
        #expect(RTPExtensionKind(uri: " urn:ietf:params:rtp-hdrext:toffset ") == .transmissionOffset)
        #expect(RTPExtensionKind(uri: "urn:example:unknown") == .other)
        for k in RTPExtensionKind.allCases where k != .other {
            #expect(RTPExtensionKind(uri: k.uri) == k)
        }
    }

    @Test func registerLookupRemove() {
        var m = RTPExtensionMap()
        #expect(m.kind(forID: 1) == nil && m.id(for: .mid) == nil)
        let zero = m.register(.mid, id: 0)
        #expect(!zero)
        let four = m.register(uri: "urn:ietf:params:rtp-hdrext:sdes:mid", id: 4)
        #expect(four)
        #expect(m.kind(forID: 4) == .mid && m.id(for: .mid) == 4)
        m.register(.transportWideCC, id: 255)
        #expect(m.kind(forID: 255) == .transportWideCC && m.id(for: .transportWideCC) == 255)
        #expect(!m.fitsOneByteForm)
        // Re-registering an ID replaces the old kind and clears its reverse entry.
        m.register(.rid, id: 4)
        #expect(m.kind(forID: 4) == .rid && m.id(for: .mid) == nil && m.id(for: .rid) == 4)
        m.remove(id: 255)
        #expect(m.kind(forID: 255) == nil && m.id(for: .transportWideCC) == nil)
        #expect(m.fitsOneByteForm)
        m.register(uri: "urn:example:x", id: 7)
        #expect(m.kind(forID: 7) == .other && m.id(for: .other) == nil)
        #expect(m.entries.map(\.id) == [4, 7])
    }

    @Test func equality() {
        let a = RTPExtensionMap([(1, .mid), (2, .rid)])
        var b = RTPExtensionMap([(2, .rid)])
        #expect(a != b)
        b.register(.mid, id: 1)
        #expect(a == b)
    }

    @Test func kindSet() {
        var s: RTPExtensionKindSet = [.rid, .repairedRid]
        #expect(s.contains(.rid) && s.contains(.repairedRid) && !s.contains(.mid))
        s.remove(.rid)
        s.insert(.other)
        #expect(!s.contains(.rid) && s.contains(.other) && !s.isEmpty)
    }
}
