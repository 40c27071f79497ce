import Testing
@testable import RTCCore

/// Writes an SPS the way an encoder does: fields as bits (u, ue, se), rbsp_trailing_bits, then
/// emulation prevention bytes (H.264 §7.4.1).
struct SPSBuilder {
    var bits: [Bool] = []

    mutating func u(_ v: UInt64, _ n: Int) { for i in stride(from: n - 1, through: 0, by: -1) { bits.append(v >> UInt64(i) & 1 == 1) } }
    mutating func flag(_ b: Bool) { bits.append(b) }
    mutating func ue(_ v: UInt64) {
        let x = v + 1
        let n = 64 - x.leadingZeroBitCount
        u(0, n - 1)
        u(x, n)
    }
    mutating func se(_ v: Int64) { ue(v > 0 ? UInt64(2 * v - 1) : UInt64(-2 * v)) }

    /// The NAL unit: header 0x67, the RBSP with trailing bits, emulation prevention.
    func nalUnit() -> [UInt8] {
        var b = bits + [true]
        while b.count % 8 != 0 { b.append(false) }
        var rbsp: [UInt8] = []
        for i in stride(from: 0, to: b.count, by: 8) {
            rbsp.append((0..<8).reduce(0) { $0 << 1 | (b[i + $1] ? 1 : 0) })
        }
        var out: [UInt8] = [0x67]
        var zeros = 0
        for byte in rbsp {
            if zeros >= 2 && byte <= 3 { out.append(3); zeros = 0 }
            out.append(byte)
            zeros = byte == 0 ? zeros + 1 : 0
        }
        return out
    }
}

@Suite struct H264SequenceParameterSetTests {
    typealias S = RTPTestSupport

    func parse(_ bytes: [UInt8]) -> Result<H264SequenceParameterSet, ParseError> {
        S.run(bytes, { (raw: UnsafeRawBufferPointer) throws(ParseError) in try H264SequenceParameterSet.parse(nalUnit: raw) })
    }

    func find(_ bytes: [UInt8]) -> Result<H264SequenceParameterSet?, ParseError> {
        S.run(bytes, { (raw: UnsafeRawBufferPointer) throws(ParseError) in try H264SequenceParameterSet.find(inPayload: raw) })
    }

    /// Common fields after the chroma part: POC type, references, size, cropping.
    static func tail(_ b: inout SPSBuilder, widthMbs: UInt64, heightMapUnits: UInt64, frameMbsOnly: Bool = true,
                     crop: (UInt64, UInt64, UInt64, UInt64)? = nil, timing: (UInt64, UInt64)? = nil) {
        b.ue(0)                        // log2_max_frame_num_minus4
        b.ue(0); b.ue(2)               // pic_order_cnt_type 0, log2_max_pic_order_cnt_lsb_minus4
        b.ue(1); b.flag(false)         // max_num_ref_frames, gaps
        b.ue(widthMbs - 1); b.ue(heightMapUnits - 1)
        b.flag(frameMbsOnly)
        if !frameMbsOnly { b.flag(true) }  // mb_adaptive_frame_field_flag
        b.flag(true)                   // direct_8x8_inference_flag
        b.flag(crop != nil)
        if let c = crop { b.ue(c.0); b.ue(c.1); b.ue(c.2); b.ue(c.3) }
        b.flag(timing != nil)          // vui_parameters_present_flag
        if let t = timing {
            b.flag(false); b.flag(false); b.flag(false); b.flag(false)  // aspect, overscan, signal, chroma loc
            b.flag(true); b.u(t.0, 32); b.u(t.1, 32); b.flag(true)     // timing, fixed_frame_rate
            b.flag(false); b.flag(false); b.flag(false); b.flag(false)  // hrd ×2, pic_struct, restriction
        }
    }

    @Test func constrainedBaseline640x360WithCropping() throws {
        var b = SPSBuilder()
        b.u(66, 8); b.u(0xC0, 8); b.u(30, 8); b.ue(0)
        // 40 × 23 macroblocks = 640 × 368; bottom crop 4 units × 2 (4:2:0) = 8 → 360.
        Self.tail(&b, widthMbs: 40, heightMapUnits: 23, crop: (0, 0, 0, 4))
        let sps = try parse(b.nalUnit()).get()
        #expect(sps.profileIDC == 66 && sps.constraintFlags == 0xC0 && sps.levelIDC == 30 && sps.id == 0)
        #expect(sps.resolution == VideoResolution(width: 640, height: 360) && sps.frameRate == nil)
    }

    @Test func baseline1280x720WithTimingAndEmulationPrevention() throws {
        var b = SPSBuilder()
        b.u(66, 8); b.u(0xC0, 8); b.u(31, 8); b.ue(0)
        // num_units_in_tick 1, time_scale 60: 00 00 00 01 … needs emulation prevention bytes.
        Self.tail(&b, widthMbs: 80, heightMapUnits: 45, timing: (1, 60))
        let nal = b.nalUnit()
        #expect(nal.count > 4 && (0..<(nal.count - 2)).contains { nal[$0] == 0 && nal[$0 + 1] == 0 && nal[$0 + 2] == 3 })
        let sps = try parse(nal).get()
        #expect(sps.resolution == VideoResolution(width: 1280, height: 720) && sps.frameRate == 30)
    }

    @Test func high1920x1080WithScalingLists() throws {
        var b = SPSBuilder()
        b.u(100, 8); b.u(0, 8); b.u(40, 8); b.ue(1)
        b.ue(1)                          // chroma_format_idc 4:2:0
        b.ue(0); b.ue(0); b.flag(false)  // bit depths 8, qpprime
        b.flag(true)                     // seq_scaling_matrix_present_flag
        for i in 0..<8 {
            b.flag(i == 0 || i == 6)
            if i == 0 {
                b.se(-8)                 // next scale 0: the rest of the 4×4 list repeats
            } else if i == 6 {
                for _ in 0..<64 { b.se(i == 6 ? 0 : 0) }  // an 8×8 list of constant 8: 64 deltas
            }
        }
        Self.tail(&b, widthMbs: 120, heightMapUnits: 68, crop: (0, 0, 0, 4), timing: (1001, 60000))
        let sps = try parse(b.nalUnit()).get()
        #expect(sps.profileIDC == 100 && sps.id == 1 && sps.chromaFormatIDC == 1)
        #expect(sps.resolution == VideoResolution(width: 1920, height: 1080))
        #expect(abs((sps.frameRate ?? 0) - 29.97) < 0.01)
    }

    @Test func high444AndHigh10AndInterlaced() throws {
        // 4:4:4 (profile 244): crop units are 1×1; 12 scaling list flags.
        var b = SPSBuilder()
        b.u(244, 8); b.u(0, 8); b.u(50, 8); b.ue(0)
        b.ue(3); b.flag(false); b.ue(2); b.ue(2); b.flag(false)  // 4:4:4, 10-bit
        b.flag(true)
        for i in 0..<12 {
            b.flag(i == 11)
            if i == 11 { b.se(3); for _ in 1..<64 { b.se(0) } }
        }
        Self.tail(&b, widthMbs: 80, heightMapUnits: 45, crop: (2, 2, 1, 0))
        let s444 = try parse(b.nalUnit()).get()
        #expect(s444.chromaFormatIDC == 3 && s444.bitDepthLuma == 10 && s444.bitDepthChroma == 10)
        #expect(s444.resolution == VideoResolution(width: 1276, height: 719))
        // 1080i: 34 map units of field pairs (1088 lines), crop units 2 × (2 for fields) = 4.
        var i = SPSBuilder()
        i.u(77, 8); i.u(0, 8); i.u(40, 8); i.ue(0)
        Self.tail(&i, widthMbs: 120, heightMapUnits: 34, frameMbsOnly: false, crop: (0, 0, 0, 2))
        let interlaced = try parse(i.nalUnit()).get()
        #expect(!interlaced.frameMbsOnly && interlaced.resolution == VideoResolution(width: 1920, height: 1080))
        // 4:2:2 (profile 122): crop unit x 2, y 1.
        var c = SPSBuilder()
        c.u(122, 8); c.u(0, 8); c.u(40, 8); c.ue(0)
        c.ue(2); c.ue(0); c.ue(0); c.flag(false); c.flag(false)
        Self.tail(&c, widthMbs: 40, heightMapUnits: 23, crop: (1, 1, 3, 5))
        #expect(try parse(c.nalUnit()).get().resolution == VideoResolution(width: 636, height: 360))
        // Monochrome (chroma_format_idc 0): crop units 1.
        var m = SPSBuilder()
        m.u(100, 8); m.u(0, 8); m.u(40, 8); m.ue(0)
        m.ue(0); m.ue(0); m.ue(0); m.flag(false); m.flag(false)
        Self.tail(&m, widthMbs: 40, heightMapUnits: 23, crop: (0, 0, 0, 8))
        #expect(try parse(m.nalUnit()).get().resolution == VideoResolution(width: 640, height: 360))
    }

    /// SPS bytes published by other projects with their decoded sizes.
    @Test func publishedVectors() throws {
        // mux.js test-sps.js: baseline 720 × 404, with emulation prevention bytes; VUI timing 1/60.
        let baseline = try parse(S.hex("67 42 c0 1e d9 00 b4 35 f9 e1 00 00 03 00 01 00 00 03 00 3c 0f 16 2e 48")).get()
        #expect(baseline.profileIDC == 66 && baseline.levelIDC == 30)
        #expect(baseline.resolution == VideoResolution(width: 720, height: 404) && baseline.frameRate == 30)
        // A high-profile 1280 × 720 SPS (level 3.1) from a media library's tests.
        let high = try parse(S.hex("67 64 00 1f ac d9 40 50 05 bb 01 6c 80 00 00 03 00 80 00 00 1e 07 8c 18 cb")).get()
        #expect(high.profileIDC == 100 && high.levelIDC == 31 && high.chromaFormatIDC == 1)
        #expect(high.resolution == VideoResolution(width: 1280, height: 720))
    }

    @Test func foundInSingleSTAPAAndFUAPayloads() throws {
        var b = SPSBuilder()
        b.u(66, 8); b.u(0xC0, 8); b.u(31, 8); b.ue(0)
        Self.tail(&b, widthMbs: 80, heightMapUnits: 45)
        let sps = b.nalUnit()
        let pps: [UInt8] = [0x68, 0xce, 0x3c, 0x80]
        let want = VideoResolution(width: 1280, height: 720)
        #expect(try find(sps).get()?.resolution == want)
        let stap = [0x78] + [0, UInt8(pps.count)] + pps + [0, UInt8(sps.count)] + sps
        #expect(try find(stap).get()?.resolution == want)
        let fuStart = [0x7C, 0x87] + Array(sps.dropFirst())   // FU indicator (NRI 3), S=1 type 7
        #expect(try find(fuStart).get()?.resolution == want)
        #expect(try find([0x7C, 0x07] + Array(sps.dropFirst())).get() == nil)  // not the start
        #expect(try find([0x65, 0x88, 0x84]).get() == nil)                     // an IDR slice
        #expect(try find(pps).get() == nil)
        #expect(find([0x78, 0, 9, 0x67]).failureKind == .truncated)              // STAP-A unit past the end
    }

    @Test func malformedSPSGiveTypedErrors() {
        var b = SPSBuilder()
        b.u(100, 8); b.u(0, 8); b.u(40, 8); b.ue(0)
        b.ue(1); b.ue(0); b.ue(0); b.flag(false); b.flag(false)
        Self.tail(&b, widthMbs: 120, heightMapUnits: 68, crop: (0, 0, 0, 4), timing: (1, 50))
        let good = b.nalUnit()
        #expect(parse(good).failureKind == nil)
        // Every prefix: a typed error, or (cut inside the VUI) the size without a frame rate.
        for n in 0..<good.count {
            switch parse(Array(good.prefix(n))) {
            case .success(let s): #expect(s.resolution == VideoResolution(width: 1920, height: 1080) && (s.frameRate == nil || s.frameRate == 25))
            case .failure(let e): #expect(e.kind == .truncated)
            }
        }
        #expect(parse([0x68, 0x42]).failureKind == .invalidValue)                  // a PPS
        var big = SPSBuilder()
        big.u(66, 8); big.u(0, 8); big.u(30, 8); big.ue(0)
        Self.tail(&big, widthMbs: 5000, heightMapUnits: 10)
        #expect(parse(big.nalUnit()).failureKind == .invalidValue)               // too wide
        var crop = SPSBuilder()
        crop.u(66, 8); crop.u(0, 8); crop.u(30, 8); crop.ue(0)
        Self.tail(&crop, widthMbs: 2, heightMapUnits: 2, crop: (8, 8, 0, 0))
        #expect(parse(crop.nalUnit()).failureKind == .invalidValue)              // crops it all
        var id = SPSBuilder()
        id.u(66, 8); id.u(0, 8); id.u(30, 8); id.ue(32)
        #expect(parse(id.nalUnit()).failureKind == .invalidValue)
        // 40 zero bits: an Exp-Golomb code longer than 32 bits.
        #expect(parse([0x67, 66, 0, 30, 0, 0, 3, 0, 0, 3, 0, 0x80]).failureKind == .invalidValue)
    }

    @Test func fuzzNeverTraps() {
        var rng = SeededRandom(seed: 264)
        var parsed = 0
        for i in 0..<20_000 {
            var bytes = rng.bytes(1 + Int(rng.next() % 48))
            if i % 2 == 0 { bytes[0] = 0x67 }
            if i % 5 == 0 { bytes[0] = [0x78, 0x7C, 0x67][Int(rng.next() % 3)]; if bytes.count > 1, i % 10 == 0 { bytes[1] = 0x87 } }
            if case .success(let s) = find(bytes), let s { parsed += 1; #expect(s.resolution.width > 0 && s.resolution.height > 0) }
        }
        #expect(parsed > 0)
    }
}
