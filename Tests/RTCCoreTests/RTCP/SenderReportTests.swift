import Testing
@testable import RTCCore

@Suite struct RTCPSenderReportTests {
    @Test func rfcVector() throws {
        let bytes = try RTCPTestSupport.fixture("sender-report.hex")
        let sr = try parseWith(bytes, SenderReport.parse)
        #expect(sr.ssrc == SSRC(0x1122_3344))
        #expect(sr.ntpTime == 0xE8F1_A2B3_4000_0000)
        #expect(sr.compactNTPTime == 0xA2B3_4000)
        #expect(sr.rtpTime == 12_345_678)
        #expect(sr.packetCount == 1000)
        #expect(sr.octetCount == 1_200_000)
        #expect(sr.profileExtensions == [0xDE, 0xAD, 0xBE, 0xEF])
        #expect(sr.reports.count == 1)
        let r = sr.reports[0]
        #expect(r.ssrc == SSRC(0xAABB_CCDD))
        #expect(r.fractionLost == 64)
        #expect(r.cumulativeLost == -3)
        #expect(r.extendedHighestSequence == 0x0001_0010)
        #expect(r.jitter == 32)
        #expect(r.lastSenderReport == sr.compactNTPTime)
        #expect(r.delaySinceLastSenderReport == 0x18000)
        #expect(try encodeRTCP(.senderReport(sr)) == bytes)
        #expect(try parseRTCP(bytes) == .senderReport(sr))
    }

    @Test func reportCountBeyondPacketIsTruncated() throws {
        var bytes = try RTCPTestSupport.fixture("sender-report.hex")
        bytes[0] = 0x82  // RC=2 but only one block (plus 4 extension bytes)
        #expect(throws: ParseError.self) { try parseRTCP(bytes) }
    }

    @Test func unalignedExtensionIsWrittenWithPadding() throws {
        let sr = SenderReport(ssrc: SSRC(1), profileExtensions: [1, 2, 3])
        let bytes = try encodeRTCP(.senderReport(sr))
        #expect(bytes.count == 32)
        #expect(bytes[0] & 0x20 != 0)  // P bit
        #expect(bytes.last == 1)  // one padding octet
        #expect(try parseRTCP(bytes) == .senderReport(sr))
    }

    @Test func thirtyTwoReportsCannotBeWritten() {
        let sr = SenderReport(ssrc: SSRC(1), reports: Array(repeating: ReceptionReport(ssrc: SSRC(2)), count: 32))
        #expect(throws: WriteError.self) { try encodeRTCP(.senderReport(sr)) }
    }

    @Test func writerRefusesSmallBuffer() {
        let sr = SenderReport(ssrc: SSRC(1))
        var buf = [UInt8](repeating: 0, count: 27)
        buf.withUnsafeMutableBytes { raw in
            var w = ByteWriter(raw, format: .rtcp)
            #expect(throws: WriteError.self) { try sr.write(to: &w) }
            #expect(w.position == 0)  // nothing written
        }
    }
}
