import Testing
@testable import RTCCore

@Suite struct RTCPReceiverReportTests {
    @Test func rfcVector() throws {
        let bytes = try RTCPTestSupport.fixture("receiver-report.hex")
        let rr = try parseWith(bytes, ReceiverReport.parse)
        #expect(rr.ssrc == SSRC(0x0102_0304))
        #expect(rr.reports == [
            ReceptionReport(ssrc: SSRC(0xAABB_CCDD), fractionLost: 0, cumulativeLost: 300,
                            extendedHighestSequence: 65535, jitter: 256),
        ])
        #expect(rr.profileExtensions.isEmpty)
        #expect(try encodeRTCP(.receiverReport(rr)) == bytes)
    }

    @Test func emptyReport() throws {
        let bytes = try RTCPTestSupport.fixture("receiver-report-empty.hex")
        let rr = try parseWith(bytes, ReceiverReport.parse)
        #expect(rr == ReceiverReport(ssrc: SSRC(0x0102_0304)))
        #expect(try encodeRTCP(.receiverReport(rr)) == bytes)
    }

    @Test func cumulativeLostIsSigned24Bit() throws {
        for (lost, wire) in [(Int32(-1), [0xFF, 0xFF, 0xFF]), (0x7F_FFFF, [0x7F, 0xFF, 0xFF]),
                             (-0x80_0000, [0x80, 0x00, 0x00]), (0, [0, 0, 0])] as [(Int32, [UInt8])] {
            let rr = ReceiverReport(ssrc: SSRC(9), reports: [ReceptionReport(ssrc: SSRC(1), cumulativeLost: lost)])
            let bytes = try encodeRTCP(.receiverReport(rr))
            #expect(Array(bytes[13..<16]) == wire)
            #expect(try parseRTCP(bytes) == .receiverReport(rr))
        }
    }

    @Test func cumulativeLostClampsWhenWritten() throws {
        let big = ReceiverReport(ssrc: SSRC(9), reports: [ReceptionReport(ssrc: SSRC(1), cumulativeLost: 20_000_000)])
        let small = ReceiverReport(ssrc: SSRC(9), reports: [ReceptionReport(ssrc: SSRC(1), cumulativeLost: -20_000_000)])
        guard case .receiverReport(let a) = try parseRTCP(try encodeRTCP(.receiverReport(big))),
              case .receiverReport(let b) = try parseRTCP(try encodeRTCP(.receiverReport(small))) else {
            Issue.record("not an RR")
            return
        }
        #expect(a.reports[0].cumulativeLost == 0x7F_FFFF)
        #expect(b.reports[0].cumulativeLost == -0x80_0000)
    }

    @Test func wrongTypeIsRefused() throws {
        let bytes = try RTCPTestSupport.fixture("sender-report.hex")
        #expect(throws: ParseError.self) { try parseWith(bytes, ReceiverReport.parse) }
    }
}
