import Testing
@testable import RTCCore

@Suite struct RTCPUnknownPacketTests {
    @Test func extendedReportIsKeptOpaque() throws {
        let bytes = try RTCPTestSupport.fixture("extended-report.hex")
        let p = try parseRTCP(bytes)
        guard case .unknown(let u) = p else {
            Issue.record("expected unknown")
            return
        }
        #expect(u.packetType == .extendedReport)
        #expect(u.count == 0)
        #expect(u.body == Array(bytes[4...]))
        #expect(try encodeRTCP(p) == bytes)
    }

    @Test func everyUnassignedTypeAndFormatIsUnknown() throws {
        // Every PT/FMT pair this library does not decode comes back as .unknown, not an error.
        let known: Set<[UInt8]> = [[205, 1], [205, 15], [206, 1], [206, 4], [206, 15]]
        for pt in UInt8(0)...255 {
            if (200...204).contains(pt) { continue }
            for fmt in UInt8(0)...31 {
                if known.contains([pt, fmt]) { continue }
                let bytes: [UInt8] = [0x80 | fmt, pt, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]
                let p = try parseRTCP(bytes)
                guard case .unknown(let u) = p else {
                    Issue.record("PT \(pt) FMT \(fmt) decoded as \(p)")
                    continue
                }
                #expect(u.packetType.rawValue == pt && u.count == fmt)
                #expect(try encodeRTCP(p) == bytes)
            }
        }
    }

    @Test func unalignedBodyWritesPadding() throws {
        let u = UnknownRTCPPacket(packetType: RTCPPacketType(210), count: 3, body: [1, 2, 3, 4, 5])
        let bytes = try encodeRTCP(.unknown(u))
        #expect(bytes == [0xA3, 210, 0, 2, 1, 2, 3, 4, 5, 0, 0, 3])
        #expect(try parseRTCP(bytes) == .unknown(u))
    }
}
