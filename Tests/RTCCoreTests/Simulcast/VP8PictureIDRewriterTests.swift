import Testing
@testable import RTCCore

@Suite struct VP8PictureIDRewriterTests {
    /// A VP8 RTP payload: descriptor + a 3-byte interframe payload header and one byte.
    static func payload(pictureID: UInt16?, is15Bit: Bool = true, tl0: UInt8? = nil, tid: UInt8? = nil,
                        start: Bool = true) -> [UInt8] {
        let d = VP8PayloadDescriptor(startOfPartition: start, pictureID: pictureID, pictureIDIs15Bit: is15Bit,
                                     tl0PicIdx: tl0, temporalLayer: tid)
        var out = [UInt8](repeating: 0, count: d.encodedLength + 4)
        out.withUnsafeMutableBytes { raw in
            var w = ByteWriter(raw, format: .vp8)
            try? d.write(to: &w)
            // Interframe: P bit (0x01) set.
            raw[d.encodedLength] = 0x01
        }
        return out
    }

    /// Rewrites a copy of `bytes`; returns the re-parsed descriptor, or nil when refused.
    static func rewrite(_ r: inout VP8PictureIDRewriter, _ bytes: [UInt8]) throws -> VP8PayloadDescriptor? {
        var copy = bytes
        let forward = try copy.withUnsafeMutableBytes { raw in try r.rewrite(raw).forward }
        guard forward else {
            #expect(copy == bytes, "a refused packet is left untouched")
            return nil
        }
        return try copy.withUnsafeBytes { raw in try VP8PayloadDescriptor.parse(raw) }
    }

    @Test func continuityAcrossASwitch() throws {
        var r = VP8PictureIDRewriter(initialPictureID: 100, initialTL0PicIdx: 7)
        // Source A: pictures 5000, 5001 (two packets each), TL0 200, 201.
        for (pid, tl0) in [(UInt16(5000), UInt8(200)), (5001, 201)] {
            for start in [true, false] {
                let d = try #require(try Self.rewrite(&r, Self.payload(pictureID: pid, tl0: tl0, tid: 0, start: start)))
                #expect(d.pictureID == 100 + pid - 5000)
                #expect(d.tl0PicIdx == 7 + tl0 - 200)
                #expect(d.pictureIDIs15Bit)
            }
        }
        #expect(r.nextPictureID == 102 && r.nextTL0PicIdx == 9)
        // Switch to source B at pictures 30000 / TL0 5.
        r.sync()
        let k = try #require(try Self.rewrite(&r, Self.payload(pictureID: 30000, tl0: 5, tid: 0)))
        #expect(k.pictureID == 102 && k.tl0PicIdx == 9)
        let n = try #require(try Self.rewrite(&r, Self.payload(pictureID: 30001, tl0: 5, tid: 2)))
        #expect(n.pictureID == 103 && n.tl0PicIdx == 9 && n.temporalLayer == 2)
        // A late packet of source A (before the switch in B's numbering) is refused.
        #expect(try Self.rewrite(&r, Self.payload(pictureID: 29990, tl0: 4)) == nil)
    }

    @Test func pictureIDWrapsAt15Bits() throws {
        var r = VP8PictureIDRewriter(initialPictureID: 0x7FFE)
        var outs: [UInt16] = []
        for pid: UInt16 in [0x7FFD, 0x7FFE, 0x7FFF, 0, 1] {
            outs.append(try #require(try Self.rewrite(&r, Self.payload(pictureID: pid))?.pictureID))
        }
        #expect(outs == [0x7FFE, 0x7FFF, 0, 1, 2])
    }

    @Test func sevenBitPictureIDIsExtended() throws {
        var r = VP8PictureIDRewriter(initialPictureID: 1000)
        var outs: [UInt16] = []
        for pid: UInt16 in [126, 127, 0, 1, 127 /* late */, 2] {
            let d = try #require(try Self.rewrite(&r, Self.payload(pictureID: pid, is15Bit: false)))
            #expect(!d.pictureIDIs15Bit)
            outs.append(try #require(d.pictureID))
        }
        // The 7-bit field carries the low 7 bits of 1000, 1001, 1002, 1003, 1001, 1004.
        #expect(outs == [1000, 1001, 1002, 1003, 1001, 1004].map { $0 & 0x7F })
        #expect(r.nextPictureID == 1005)
        // Switching to a 15-bit source continues in 15 bits.
        r.sync()
        #expect(try Self.rewrite(&r, Self.payload(pictureID: 20000))?.pictureID == 1005)
    }

    @Test func droppedPicturesLeaveNoGap() throws {
        var r = VP8PictureIDRewriter(initialPictureID: 10, initialTL0PicIdx: 0)
        // L1T3 pattern: TID 0 2 1 2 0 …; drop TID 2 (forward 15 fps of 30).
        let tids: [UInt8] = [0, 2, 1, 2, 0, 2, 1, 2, 0]
        var tl0: UInt8 = 50
        var outs: [UInt16] = []
        for (i, tid) in tids.enumerated() {
            if tid == 0 && i > 0 { tl0 &+= 1 }
            let bytes = Self.payload(pictureID: UInt16(300 + i), tl0: tl0, tid: tid)
            let d = try bytes.withUnsafeBytes { raw in try VP8PayloadDescriptor.parse(raw) }
            if tid == 2 {
                let first = r.drop(d)
                let second = r.drop(d)
                #expect(first && second, "every packet of the picture")
                continue
            }
            let out = try #require(try Self.rewrite(&r, bytes))
            outs.append(try #require(out.pictureID))
            #expect(out.tl0PicIdx == tl0 &- 50)
        }
        #expect(outs == [10, 11, 12, 13, 14])
        // A retransmission of a dropped picture is refused.
        #expect(try Self.rewrite(&r, Self.payload(pictureID: 301, tl0: 50, tid: 2)) == nil)
    }

    @Test func packetsWithoutTheFieldsPassUntouched() throws {
        var r = VP8PictureIDRewriter(initialPictureID: 9)
        let bytes = Self.payload(pictureID: nil)
        var copy = bytes
        let (d, forward) = try copy.withUnsafeMutableBytes { raw in try r.rewrite(raw) }
        #expect(forward && d.pictureID == nil && copy == bytes)
        let dropped = r.drop(d)
        #expect(dropped)
    }

    @Test func tl0WrapsAndSyncsOnItsOwn() throws {
        var r = VP8PictureIDRewriter(initialPictureID: 0, initialTL0PicIdx: 254)
        var outs: [UInt8] = []
        for (pid, tl0) in [(UInt16(1), UInt8(9)), (2, 10), (3, 11), (4, 12)] {
            outs.append(try #require(try Self.rewrite(&r, Self.payload(pictureID: pid, tl0: tl0))?.tl0PicIdx))
        }
        #expect(outs == [254, 255, 0, 1])
        r.sync()
        // The first packet after the switch has no TL0PICIDX; the next one syncs it.
        #expect(try Self.rewrite(&r, Self.payload(pictureID: 900))?.pictureID == 4)
        #expect(try Self.rewrite(&r, Self.payload(pictureID: 901, tl0: 77))?.tl0PicIdx == 2)
    }

    @Test func malformedPayloadThrows() {
        var r = VP8PictureIDRewriter()
        var bytes: [UInt8] = [0x90, 0x80]  // X and I set, picture ID missing
        #expect(throws: ParseError.self) {
            try bytes.withUnsafeMutableBytes { raw in _ = try r.rewrite(raw) }
        }
    }

    /// Random streams with switches: forwarded pictures' IDs go up by exactly one per new
    /// picture (in order, with dropped pictures), across any number of switches.
    @Test(arguments: 0..<8)
    func randomSwitchesAreContinuous(seed: UInt64) throws {
        var rng = SeededRandom(seed: 0x9E7 &+ seed)
        var r = VP8PictureIDRewriter(initialPictureID: UInt16(truncatingIfNeeded: rng.next()) & 0x7FFF,
                                     initialTL0PicIdx: UInt8(truncatingIfNeeded: rng.next()))
        var pid = UInt16(truncatingIfNeeded: rng.next()) & 0x7FFF
        var tl0 = UInt8(truncatingIfNeeded: rng.next())
        var lastPID: UInt16?
        var lastTL0: UInt8?
        for i in 0..<4000 {
            var switched = false
            if rng.next() % 50 == 0 {
                r.sync()
                pid = UInt16(truncatingIfNeeded: rng.next()) & 0x7FFF
                tl0 = UInt8(truncatingIfNeeded: rng.next())
                switched = true
            }
            let tid: UInt8 = switched ? 0 : UInt8(i % 4 == 0 ? 0 : (i % 2 == 0 ? 1 : 2))
            if tid == 0 && !switched { tl0 &+= 1 }
            let bytes = Self.payload(pictureID: pid, tl0: tl0, tid: tid)
            if tid == 2 && rng.next() % 2 == 0 {
                let d = try bytes.withUnsafeBytes { raw in try VP8PayloadDescriptor.parse(raw) }
                let dropped = r.drop(d)
        #expect(dropped)
            } else {
                let d = try #require(try Self.rewrite(&r, bytes))
                let p = try #require(d.pictureID)
                let t = try #require(d.tl0PicIdx)
                if let l = lastPID { #expect(p == (l &+ 1) & 0x7FFF) }
                if let l = lastTL0 { #expect(t == l || t == l &+ 1) }
                if switched, let l = lastTL0 { #expect(t == l &+ 1) }
                lastPID = p
                lastTL0 = t
            }
            pid = (pid &+ 1) & 0x7FFF
        }
    }
}
