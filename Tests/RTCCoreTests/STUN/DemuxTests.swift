import Testing
@testable import RTCCore

/// RFC 7983 §7 first-byte ranges and RFC 5761 §4 RTP/RTCP split.
@Suite struct STUNDemuxTests {
    func kind(_ bytes: [UInt8]) -> DemuxedKind {
        bytes.withUnsafeBytes { Demux.classify($0) }
    }

    @Test func everyFirstByte() {
        for b in 0...255 {
            let expected: DemuxedKind
            switch b {
            case 0...3: expected = .stun
            case 20...63: expected = .dtls
            case 64...79: expected = .turnChannel
            case 128...191: expected = .rtp  // second byte 0x60 (PT 96)
            default: expected = .unknown
            }
            #expect(kind([UInt8(b), 0x60, 0, 0]) == expected, "first byte \(b)")
        }
    }

    @Test func rtcpBySecondByte() {
        for second in 0...255 {
            let expected: DemuxedKind = (192...223).contains(second) ? .rtcp : .rtp
            #expect(kind([0x80, UInt8(second)]) == expected, "second byte \(second)")
        }
        // Sender report, receiver report, PLI (payload-specific feedback).
        #expect(kind([0x80, 200, 0, 6]) == .rtcp)
        #expect(kind([0x81, 201, 0, 7]) == .rtcp)
        #expect(kind([0x81, 206, 0, 2]) == .rtcp)
        // RTP with the marker bit and PT 96 (0xE0) is RTP.
        #expect(kind([0x80, 0xE0]) == .rtp)
    }

    @Test func shortInputs() {
        #expect(kind([]) == .unknown)
        #expect(kind([0x80]) == .unknown)
        #expect(kind([0x00]) == .stun)
        #expect(kind([0x16]) == .dtls)  // 22: DTLS handshake content type
    }

    @Test func rfc5769RequestIsSTUN() {
        #expect(kind(STUNRFC5769VectorTests.request) == .stun)
    }
}
