import Testing
@testable import RTCCore

@Suite struct SequenceUnwrapperTests {
    @Test func forwardAcrossWrap() {
        var u = SequenceUnwrapper()
        let a = u.unwrap(SequenceNumber(65534))
        let b = u.unwrap(SequenceNumber(65535))
        let c = u.unwrap(SequenceNumber(0))
        let d = u.unwrap(SequenceNumber(1))
        #expect(b == a + 1)
        #expect(c == a + 2)
        #expect(d == a + 3)
    }

    @Test func reorderedBehindWrap() {
        var u = SequenceUnwrapper()
        let a = u.unwrap(SequenceNumber(2))
        let back = u.unwrap(SequenceNumber(65535))
        #expect(back == a - 3)
        #expect(u.highestExtended == a)
    }

    @Test func serialOrder() {
        #expect(SequenceNumber(1).isNewer(than: SequenceNumber(65535)))
        #expect(!SequenceNumber(65535).isNewer(than: SequenceNumber(1)))
        #expect(!SequenceNumber(7).isNewer(than: SequenceNumber(7)))
    }
}

@Suite struct ByteIOTests {
    @Test func readerRefusesPastEnd() {
        let bytes: [UInt8] = [1, 2, 3]
        bytes.withUnsafeBytes { raw in
            var r = ByteReader(raw, format: .rtp)
            #expect(throws: ParseError.self) { try r.readU32() }
            #expect((try? r.readU16()) == 0x0102)
            #expect((try? r.readU8()) == 3)
            #expect(throws: ParseError.self) { try r.readU8() }
        }
    }

    @Test func writerRefusesPastEnd() throws {
        var out = [UInt8](repeating: 0, count: 3)
        out.withUnsafeMutableBytes { raw in
            var w = ByteWriter(raw, format: .rtp)
            #expect(throws: WriteError.self) { try w.writeU32(1) }
            #expect((try? w.writeU16(0xABCD)) != nil)
        }
        #expect(out[0] == 0xAB && out[1] == 0xCD)
    }

    @Test func shortID() {
        let m = ShortID("video-0")
        #expect(m?.description == "video-0")
        #expect(ShortID("") == nil)
        #expect(ShortID(String(repeating: "x", count: 17)) == nil)
        #expect(ShortID(String(repeating: "x", count: 16))?.count == 16)
    }

    @Test func instantSaturates() {
        let t = Instant(nanoseconds: .max - 1) + .seconds(10)
        #expect(t.nanoseconds == .max)
        #expect((Instant.zero + .milliseconds(5)).nanoseconds == 5_000_000)
    }
}
