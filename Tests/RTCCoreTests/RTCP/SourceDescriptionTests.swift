import Testing
@testable import RTCCore

@Suite struct RTCPSourceDescriptionTests {
    @Test func rfcVector() throws {
        let bytes = try RTCPTestSupport.fixture("source-description.hex")
        let sdes = try parseWith(bytes, SourceDescription.parse)
        #expect(sdes.chunks.count == 2)
        #expect(sdes.chunks[0].source == SSRC(0x1122_3344))
        #expect(sdes.chunks[0].cname == "user@host")
        #expect(sdes.chunks[1].source == SSRC(0x5566_7788))
        #expect(sdes.chunks[1].cname == nil)
        #expect(sdes.chunks[1].items == [
            SourceDescriptionItem(type: .name, text: "Bob"),
            SourceDescriptionItem(type: SourceDescriptionItemType(0x42), value: Array("ab".utf8)),
        ])
        #expect(try encodeRTCP(.sourceDescription(sdes)) == bytes)
    }

    @Test func emptyChunkIsSSRCAndFourNulls() throws {
        let sdes = SourceDescription(chunks: [SourceDescriptionChunk(source: SSRC(7))])
        let bytes = try encodeRTCP(.sourceDescription(sdes))
        #expect(bytes == [0x81, 0xCA, 0x00, 0x02, 0, 0, 0, 7, 0, 0, 0, 0])
        #expect(try parseRTCP(bytes) == .sourceDescription(sdes))
    }

    @Test func itemValueLengths() throws {
        // Every value length 0…255 lands on a valid 32-bit aligned chunk and round-trips.
        for n in 0...255 {
            let sdes = SourceDescription(chunks: [
                SourceDescriptionChunk(source: SSRC(UInt32(n)), items: [
                    SourceDescriptionItem(type: .tool, value: Array(repeating: UInt8(n & 0x7F), count: n)),
                ]),
            ])
            let bytes = try encodeRTCP(.sourceDescription(sdes))
            #expect(bytes.count % 4 == 0)
            #expect(try parseRTCP(bytes) == .sourceDescription(sdes))
        }
    }

    @Test func valueLongerThan255CannotBeWritten() {
        let sdes = SourceDescription(chunks: [
            SourceDescriptionChunk(source: SSRC(1), items: [SourceDescriptionItem(type: .note, value: Array(repeating: 1, count: 256))]),
        ])
        #expect(throws: WriteError.self) { try encodeRTCP(.sourceDescription(sdes)) }
    }

    @Test func missingEndIsTruncated() throws {
        // One chunk whose item runs to the end of the packet without an END octet.
        let bytes = RTCPTestSupport.hex("81 ca 00 02  00 00 00 01  01 02 61 62")
        #expect(throws: ParseError.self) { try parseRTCP(bytes) }
    }

    @Test func bytesAfterLastChunkAreRefused() throws {
        let bytes = RTCPTestSupport.hex("81 ca 00 03  00 00 00 01  00 00 00 00  00 00 00 00")
        #expect(throws: ParseError.self) { try parseRTCP(bytes) }
    }

    @Test func cnameConvenience() throws {
        let sdes = SourceDescription(source: SSRC(5), cname: "{a-b}")
        guard case .sourceDescription(let back) = try parseRTCP(try encodeRTCP(.sourceDescription(sdes))) else {
            Issue.record("not SDES")
            return
        }
        #expect(back.chunks.first?.cname == "{a-b}")
    }
}
