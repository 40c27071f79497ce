import Testing
@testable import RTCCore

@Suite struct RTCPCompoundIteratorTests {
    @Test func compoundVector() throws {
        let bytes = try RTCPTestSupport.fixture("compound.hex")
        let packets = try parseCompound(bytes)
        #expect(packets == [
            .receiverReport(ReceiverReport(ssrc: SSRC(0x0102_0304))),
            .sourceDescription(SourceDescription(source: SSRC(0x0102_0304), cname: "abc")),
            .goodbye(Goodbye(sources: [SSRC(0x0102_0304)])),
        ])
        // Re-encoded without the BYE's padding: P cleared, length 1.
        #expect(try encodeCompound(packets) == Array(bytes[0..<24]) + [0x81, 0xCB, 0x00, 0x01] + Array(bytes[28..<32]))
    }

    @Test func iteratorYieldsRangesWithoutCopying() throws {
        let bytes = try RTCPTestSupport.fixture("compound.hex")
        try bytes.withUnsafeBytes { raw in
            var it = RTCPCompoundIterator(raw)
            var slices: [(RTCPHeader, Range<Int>, Int, Int)] = []
            while let s = try it.next() {
                #expect(s.bytes.baseAddress == raw.baseAddress! + s.offset)  // borrowed, not copied
                slices.append((s.header, s.range, s.paddingCount, s.body.count))
            }
            #expect(slices.map(\.0.packetType) == [.receiverReport, .sourceDescription, .goodbye])
            #expect(slices.map(\.1) == [0..<8, 8..<24, 24..<36])
            #expect(slices.map(\.2) == [0, 0, 4])
            #expect(slices.map(\.3) == [4, 12, 4])
            #expect(it.packetCount == 3)
            #expect(try it.next() == nil)
        }
    }

    @Test func reducedSizeSingleFeedback() throws {
        // RFC 5506: a datagram with one feedback packet and no SR/RR first is fine.
        for name in ["picture-loss-indication.hex", "transport-layer-nack.hex", "twcc-run-length.hex",
                     "receiver-estimated-maximum-bitrate.hex"] {
            let bytes = try RTCPTestSupport.fixture(name)
            #expect(try parseCompound(bytes).count == 1)
        }
        // Several feedback packets, still no report first.
        let two = try RTCPTestSupport.fixture("picture-loss-indication.hex") + RTCPTestSupport.fixture("transport-layer-nack.hex")
        #expect(try parseCompound(two).count == 2)
    }

    @Test func roundTripAllFixturesAsOneCompound() throws {
        var packets: [RTCPPacket] = []
        for name in try RTCPTestSupport.fixtureNames() where name != "compound.hex" {
            packets.append(try parseRTCP(try RTCPTestSupport.fixture(name)))
        }
        let bytes = try encodeCompound(packets)
        #expect(try parseCompound(bytes) == packets)
    }

    @Test func emptyDatagram() {
        #expect(throws: ParseError.self) { try parseCompound([]) }
    }

    @Test func trailingBytesAfterLastPacket() throws {
        let rr = try RTCPTestSupport.fixture("receiver-report-empty.hex")
        for extra in 1...7 {
            #expect(throws: ParseError.self) { try parseCompound(rr + Array(repeating: 0x80, count: extra)) }
        }
    }

    @Test func wrongVersion() throws {
        var rr = try RTCPTestSupport.fixture("receiver-report-empty.hex")
        for v: UInt8 in [0, 1, 3] {
            rr[0] = v << 6
            expectParseError(.unsupportedVersion) { try parseCompound(rr) }
        }
    }

    @Test func lengthsPastEndAndOverflowing() throws {
        let pli = try RTCPTestSupport.fixture("picture-loss-indication.hex")
        for length in [UInt16(3), 4, 0x100, 0x7FFF, 0xFFFF] {
            var b = pli
            b[2] = UInt8(length >> 8)
            b[3] = UInt8(length & 0xFF)
            expectParseError(.invalidLength) { try parseCompound(b) }
        }
        // Shorter length: the PLI becomes 8 bytes (too short) followed by a bogus header.
        var short = pli
        short[3] = 1
        #expect(throws: ParseError.self) { try parseCompound(short) }
        // Length 0 on a 4-byte packet body-less header: a known type with no body is truncated.
        #expect(throws: ParseError.self) { try parseCompound([0x80, 0xC9, 0, 0]) }
        // ... and an unknown type with no body is fine.
        #expect(try parseCompound([0x80, 0xD0, 0, 0]).count == 1)
    }

    @Test func paddingOnlyOnLastPacket() throws {
        let rr = try RTCPTestSupport.fixture("receiver-report-empty.hex")
        let bye = try RTCPTestSupport.fixture("goodbye-no-reason.hex")
        // P bit on a BYE with 4 padding octets, placed first: refused by the RFC 3550 policy.
        let paddedBye: [UInt8] = [0xA1, 0xCB, 0x00, 0x02] + Array(bye[4..<8]) + [0, 0, 0, 4]
        expectParseError(.invalidPadding) { try parseCompound(paddedBye + rr) }
        #expect(try parseCompound(rr + paddedBye).count == 2)
        // The lenient policy accepts it anywhere.
        #expect(try parseCompound(paddedBye + rr, paddingPolicy: .anyPacket).count == 2)
    }

    @Test func paddingCountMustFit() throws {
        let base: [UInt8] = [0xA1, 0xCB, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 0]
        for count in [0, 9, 12, 13, 200, 255] {
            var b = base
            b[11] = UInt8(count)
            expectParseError(.invalidPadding) { try parseCompound(b) }
        }
        // 8 = everything after the header is padding: the BYE has no SSRC, which SC=1 needs.
        var all = base
        all[11] = 8
        #expect(throws: ParseError.self) { try parseCompound(all) }
        all[0] = 0xA0  // SC=0: now valid
        #expect(try parseCompound(all) == [.goodbye(Goodbye(sources: []))])
        // 4 = valid, strips the last word.
        var four = base
        four[11] = 4
        #expect(try parseCompound(four) == [.goodbye(Goodbye(sources: [SSRC(1)]))])
    }

    @Test func errorOffsetsAreFromDatagramStart() throws {
        let rr = try RTCPTestSupport.fixture("receiver-report-empty.hex")
        var bad = try RTCPTestSupport.fixture("receiver-estimated-maximum-bitrate.hex")
        bad[12] = 0x52
        bad[16] = 9  // Num SSRC does not match
        do {
            _ = try parseCompound(rr + bad)
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 8 + 16)
            #expect(error.kind == .invalidLength)
        }
    }

    @Test func iteratorStopsAfterError() throws {
        let bytes: [UInt8] = [0x80, 0xC9, 0x00, 0x01, 0, 0, 0, 1, 0x40, 0, 0, 0]
        bytes.withUnsafeBytes { raw in
            var it = RTCPCompoundIterator(raw)
            #expect((try? it.next()) != nil)
            #expect(throws: ParseError.self) { try it.next() }
            #expect((try? it.next()) == nil)
        }
    }
}
