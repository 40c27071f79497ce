import Testing
@testable import RTCCore

@Suite struct VP8PayloadDescriptorTests {
    typealias S = RTPTestSupport

    func parse(_ hex: String) -> Result<VP8PayloadDescriptor, ParseError> {
        S.run(S.hex(hex), VP8PayloadDescriptor.parse)
    }

    // The scenarios of RFC 7741 §4.6 ("Examples of VP8 RTP Stream"), as annotated hex.

    @Test func keyFrameWithSevenBitPictureID() throws {
        let d = try parse("""
            90          # X=1 N=0 S=1 PID=0
            80          # I=1 L=0 T=0 K=0
            11          # M=0 picture ID 17
            10 02 00 9d 01 2a 40 01 f0 00   # key frame header (P=0), 320 x 240
            """).get()
        #expect(d.pictureID == 17 && !d.pictureIDIs15Bit)
        #expect(d.isStartOfFrame && d.isKeyframe)
        #expect(d.width == 320 && d.height == 240)
        #expect(d.length == 3 && d.pictureIDOffset == 2 && d.tl0PicIdxOffset == nil)
    }

    @Test func nonDiscardableInterFrameWithLongPictureID() throws {
        let d = try parse("""
            90          # X=1 N=0 S=1 PID=0
            80          # I=1
            92 67       # M=1 picture ID 4711 (0x1267)
            01 00 00    # frame tag, P=1: inter frame
            """).get()
        #expect(d.pictureID == 4711 && d.pictureIDIs15Bit)
        #expect(d.isStartOfFrame && !d.isKeyframe && !d.nonReference)
        #expect(d.length == 4)
    }

    @Test func discardableInterFrameWithoutExtensions() throws {
        let d = try parse("""
            30          # X=0 N=1 S=1 PID=0
            01 00 00    # inter frame
            """).get()
        #expect(d.nonReference && d.isStartOfFrame && !d.isKeyframe)
        #expect(d.pictureID == nil && d.tl0PicIdx == nil && d.temporalLayer == nil && d.length == 1)
    }

    @Test func partitionsInSeparatePackets() throws {
        // First partition, continuation, second partition.
        let first = try parse("90 80 11  10 02 00 9d 01 2a").get()
        let cont = try parse("80 80 11  00 00").get()      // S=0: continuation (P bit meaningless)
        let second = try parse("91 80 11  00 00").get()    // S=1 PID=1
        #expect(first.isKeyframe)
        #expect(!cont.isStartOfFrame && !cont.isKeyframe)
        #expect(second.partitionIndex == 1 && !second.isStartOfFrame && !second.isKeyframe)
    }

    @Test func temporalScalability() throws {
        let d = try parse("""
            90          # X=1 S=1
            f0          # I=1 L=1 T=1 K=1
            80 05       # M=1 picture ID 5
            07          # TL0PICIDX 7
            b3          # TID=2 Y=1 KEYIDX=19
            01          # inter frame
            """).get()
        #expect(d.pictureID == 5 && d.tl0PicIdx == 7 && d.temporalLayer == 2 && d.layerSync && d.keyIndex == 19)
        #expect(d.tl0PicIdxOffset == 4 && d.length == 6)
    }

    @Test func kWithoutTKeepsOnlyKeyIndex() throws {
        let d = try parse("80 10 e5 01").get()
        #expect(d.temporalLayer == nil && d.keyIndex == 5)
    }

    @Test func truncated() {
        for hex in ["", "90", "90 80", "90 80 92", "90 c0 11", "90 e0 81 23 05", "90 80 11", "10"] {
            #expect(parse(hex).failureKind == .truncated, "\(hex)")
        }
    }

    @Test func rewriteInPlace() throws {
        var long = S.hex("90 e0 92 67 07 20 01")
        let before = try S.mutate(&long) { buf throws(ParseError) in
            try VP8PayloadDescriptor.rewrite(buf, pictureID: 0x7ABC, tl0PicIdx: 0x99)
        }
        #expect(before.pictureID == 4711)
        #expect(long == S.hex("90 e0 fa bc 99 20 01"))

        var short = S.hex("90 c0 11 07 01")
        _ = try S.mutate(&short) { buf throws(ParseError) in
            try VP8PayloadDescriptor.rewrite(buf, pictureID: 0x1FF, tl0PicIdx: nil)
        }
        #expect(short == S.hex("90 c0 7f 07 01"))  // 7-bit field keeps the low 7 bits

        var none = S.hex("10 01")
        _ = try S.mutate(&none) { buf throws(ParseError) in
            try VP8PayloadDescriptor.rewrite(buf, pictureID: 5, tl0PicIdx: 5)
        }
        #expect(none == S.hex("10 01"))
    }

    @Test func randomRoundTrip() throws {
        var rng = SeededRandom(seed: 0x7741)
        for _ in 0..<5000 {
            let d = VP8PayloadDescriptor(
                nonReference: rng.next() % 2 == 0, startOfPartition: rng.next() % 2 == 0,
                partitionIndex: UInt8(rng.next() % 8),
                pictureID: rng.next() % 2 == 0 ? UInt16(rng.next() % 0x8000) : nil,
                pictureIDIs15Bit: rng.next() % 2 == 0,
                tl0PicIdx: rng.next() % 2 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : nil,
                temporalLayer: rng.next() % 2 == 0 ? UInt8(rng.next() % 4) : nil,
                layerSync: rng.next() % 2 == 0,
                keyIndex: rng.next() % 2 == 0 ? UInt8(rng.next() % 32) : nil)
            let bytes = try S.write { dst throws(WriteError) in
                var w = ByteWriter(dst, format: .vp8)
                try d.write(to: &w)
                try w.writeU8(0x01)  // inter frame tag
                return w.position
            }
            #expect(bytes.count == d.encodedLength + 1)
            let p = try S.run(bytes, VP8PayloadDescriptor.parse).get()
            var expected = d
            if !d.pictureIDIs15Bit, let id = d.pictureID { expected.pictureID = id & 0x7F }
            if d.temporalLayer == nil { expected.layerSync = false }
            #expect(p.nonReference == expected.nonReference && p.startOfPartition == expected.startOfPartition)
            #expect(p.partitionIndex == expected.partitionIndex && p.pictureID == expected.pictureID)
            #expect(p.pictureIDIs15Bit == expected.pictureIDIs15Bit && p.tl0PicIdx == expected.tl0PicIdx)
            #expect(p.temporalLayer == expected.temporalLayer && p.layerSync == expected.layerSync)
            #expect(p.keyIndex == expected.keyIndex && p.length == d.encodedLength)
        }
    }
}

extension Result where Failure == ParseError {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
