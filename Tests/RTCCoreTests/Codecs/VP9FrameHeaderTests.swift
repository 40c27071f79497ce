import Testing
@testable import RTCCore

@Suite struct VP9FrameHeaderTests {
    typealias S = RTPTestSupport

    func parse(_ hex: String) -> Result<VP9FrameHeader, ParseError> { S.run(S.hex(hex), VP9FrameHeader.parse) }

    /// Bits → bytes, zero-padded.
    static func bytes(_ bits: String) -> [UInt8] {
        var b = bits.filter { $0 == "0" || $0 == "1" }
        while b.count % 8 != 0 { b += "0" }
        return stride(from: 0, to: b.count, by: 8).map { i in
            let s = b.index(b.startIndex, offsetBy: i)
            return UInt8(b[s..<b.index(s, offsetBy: 8)], radix: 2)!
        }
    }

    @Test func profile0KeyFrame320x180() throws {
        let h = try parse("""
            82          # frame_marker 10, profile 0 0, show_existing 0, key 0, show 1, error_res 0
            49 83 42    # sync code
            00 13 f0 0b 30
                        # color_space 000, color_range 0 | width-1 0x013f | height-1 0x00b3 | render 0
            """).get()
        #expect(h.isKeyframe && h.showFrame && h.profile == 0 && h.bitDepth == 8)
        #expect(h.resolution == VideoResolution(width: 320, height: 180) && h.renderResolution == nil)
    }

    @Test func otherProfilesAndFrameKinds() throws {
        // Profile 1 (low 1, high 0) key frame, BT.709, 4:4:4 subsampling bits, 1280x720, render 640x360.
        let p1 = Self.bytes("10 1 0 0 0 1 0" + "010010011000001101000010" + "010 0 00 0"
                            + "0000010011111111" + "0000001011001111" + "1" + "0000001001111111" + "0000000101100111")
        let h1 = try S.run(p1, VP9FrameHeader.parse).get()
        #expect(h1.profile == 1 && h1.resolution == VideoResolution(width: 1280, height: 720))
        #expect(h1.renderResolution == VideoResolution(width: 640, height: 360))
        // Profile 2 key frame: ten_or_twelve_bit 1 → 12-bit; RGB color space (no range bit).
        let p2 = Self.bytes("10 0 1 0 0 1 0" + "010010011000001101000010" + "1 111" + "0000000000001111" + "0000000000000111" + "0")
        let h2 = try S.run(p2, VP9FrameHeader.parse).get()
        #expect(h2.profile == 2 && h2.bitDepth == 12 && h2.resolution == VideoResolution(width: 16, height: 8))
        // Profile 3 with the reserved bit set is refused.
        #expect(S.run(Self.bytes("10 1 1 1 0 0 1 0"), VP9FrameHeader.parse).failureKind == .invalidValue)
        // Intra-only (show_frame 0, intra_only 1), profile 0: sync code, refresh flags, 640x360.
        let intra = Self.bytes("10 0 0 0 1 0 0" + "1" + "00" + "010010011000001101000010" + "00000001"
                               + "0000001001111111" + "0000000101100111" + "0")
        let hi = try S.run(intra, VP9FrameHeader.parse).get()
        #expect(!hi.isKeyframe && hi.isIntraOnly && hi.resolution == VideoResolution(width: 640, height: 360))
        // Inter frame taking a reference's size (found_ref on the first), and one resized.
        let inter = Self.bytes("10 0 0 0 1 1 0" + "00" + "00000001" + "000000000000" + "1")
        #expect(try S.run(inter, VP9FrameHeader.parse).get().resolution == nil)
        let resized = Self.bytes("10 0 0 0 1 1 0" + "00" + "00000001" + "000000000000" + "000"
                                 + "0000000100111111" + "0000000010110011" + "0")
        #expect(try S.run(resized, VP9FrameHeader.parse).get().resolution == VideoResolution(width: 320, height: 180))
        // show_existing_frame.
        let existing = try S.run(Self.bytes("10 0 0 1 010"), VP9FrameHeader.parse).get()
        #expect(existing.showExistingFrame && existing.resolution == nil)
    }

    @Test func malformedHeaders() {
        #expect(parse("42 49 83 42").failureKind == .invalidValue)     // frame marker 01
        #expect(parse("82 49 83 43 00").failureKind == .invalidValue)  // wrong sync code
        let key = S.hex("82 49 83 42 00 13 f0 0b 30")
        for n in 0..<(key.count - 1) {
            #expect(S.run(Array(key.prefix(n)), VP9FrameHeader.parse).failureKind == .truncated, "prefix \(n)")
        }
        var rng = SeededRandom(seed: 99)
        for _ in 0..<10_000 {
            let b = rng.bytes(Int(rng.next() % 24))
            _ = S.run(b, VP9FrameHeader.parse)
        }
    }

    @Test func resolutionFromTheScalabilityStructureOrTheFrame() throws {
        // The descriptor of the existing VP9 test (SS with 320x180 and 640x360), S0 key frame.
        let withSS = S.hex("aa 80 01 00 00 38 01 40 00 b4 02 80 01 68 02 04 01 38 01 02 82 49 83")
        let r1: VideoResolution? = withSS.withUnsafeBytes { raw in
            guard let d = try? VP9PayloadDescriptor.parse(raw) else { return nil }
            return VP9FrameHeader.resolution(inPayload: raw, descriptor: d)
        }
        #expect(r1 == VideoResolution(width: 320, height: 180))
        // No SS: from the key frame's header after the descriptor (I=1 7-bit picture ID, B=1 E=1).
        let plain = S.hex("8c 05") + S.hex("82 49 83 42 00 13 f0 0b 30")
        let r2: VideoResolution? = plain.withUnsafeBytes { raw in
            guard let d = try? VP9PayloadDescriptor.parse(raw) else { return nil }
            return VP9FrameHeader.resolution(inPayload: raw, descriptor: d)
        }
        #expect(r2 == VideoResolution(width: 320, height: 180))
        // Not the start of a layer frame: unknown.
        let middle = S.hex("84 05 00 00 00")
        let r3: VideoResolution? = middle.withUnsafeBytes { raw in
            guard let d = try? VP9PayloadDescriptor.parse(raw) else { return nil }
            return VP9FrameHeader.resolution(inPayload: raw, descriptor: d)
        }
        #expect(r3 == nil)
    }
}
