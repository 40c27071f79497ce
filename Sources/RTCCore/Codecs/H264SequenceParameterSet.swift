/// What the SFU needs from an H.264 sequence parameter set (ITU-T H.264 §7.3.2.1.1): the
/// profile and level, the decoded picture size after cropping, and the frame rate when the VUI
/// carries timing information.
///
/// ```
/// seq_parameter_set_rbsp:
///   profile_idc u(8) | constraint_set0..5 + reserved u(8) | level_idc u(8) | sps_id ue
///   [high profiles: chroma_format_idc ue, (=3: separate_colour_plane u(1)), bit depths ue ue,
///    qpprime_y_zero_transform_bypass u(1), seq_scaling_matrix_present u(1) → scaling lists]
///   log2_max_frame_num_minus4 ue | pic_order_cnt_type ue (0: lsb ue; 1: cycle …)
///   max_num_ref_frames ue | gaps u(1) | pic_width_in_mbs_minus1 ue
///   pic_height_in_map_units_minus1 ue | frame_mbs_only u(1) [0: mb_adaptive u(1)]
///   direct_8x8_inference u(1) | frame_cropping u(1) [left right top bottom ue]
///   vui_parameters_present u(1) → … timing_info: num_units_in_tick u(32), time_scale u(32)
/// ```
/// Parsing reads the NAL unit in place (emulation prevention removed while reading, see
/// ``H264BitReader``); it never allocates.
public struct H264SequenceParameterSet: Hashable, Sendable {
    public var profileIDC: UInt8
    /// constraint_set0_flag … constraint_set5_flag and the reserved bits, as one byte.
    public var constraintFlags: UInt8
    public var levelIDC: UInt8
    public var id: UInt32
    /// 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4.
    public var chromaFormatIDC: UInt8 = 1
    public var separateColourPlane = false
    public var bitDepthLuma: Int = 8
    public var bitDepthChroma: Int = 8
    public var frameMbsOnly = true
    /// The picture size after frame cropping.
    public var resolution: VideoResolution
    /// Frames per second from the VUI timing (time_scale / (2 × num_units_in_tick)), if given.
    public var frameRate: Double?

    /// The largest picture accepted: 1024 macroblocks (16,384 pixels) a side.
    public static let maxMacroblocksPerSide: UInt32 = 1024

    public init(profileIDC: UInt8, constraintFlags: UInt8, levelIDC: UInt8, id: UInt32, resolution: VideoResolution) {
        self.profileIDC = profileIDC
        self.constraintFlags = constraintFlags
        self.levelIDC = levelIDC
        self.id = id
        self.resolution = resolution
    }

    /// Profiles whose SPS carries chroma format, bit depth and scaling lists (§7.3.2.1.1).
    static func hasChromaInfo(_ profile: UInt8) -> Bool {
        switch profile {
        case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135: return true
        default: return false
        }
    }

    /// Parses an SPS NAL unit (starting at its header byte, type 7).
    ///
    /// - Throws: `.h264` `.invalidValue` for another NAL type, a value out of its range
    ///   (sps_id > 31, chroma_format_idc > 3, bit depth > 14, a scaling delta outside
    ///   -128...127, more than 255 POC cycle offsets, a picture above the size limit, cropping
    ///   larger than the picture); `.truncated` when a field is missing. The VUI is read only for
    ///   its timing, and a VUI cut short (an SPS at the start of an FU-A) leaves `frameRate` nil.
    public static func parse(nalUnit: UnsafeRawBufferPointer) throws(ParseError) -> H264SequenceParameterSet {
        guard nalUnit.count >= 1 else { throw ParseError(.h264, .truncated, at: 0, "empty NAL unit") }
        guard nalUnit[0] & 0x1F == 7 else { throw ParseError(.h264, .invalidValue, at: 0, "not a sequence parameter set") }
        var r = H264BitReader(nalUnit, position: 1)
        return try parse(&r)
    }

    static func parse(_ r: inout H264BitReader) throws(ParseError) -> H264SequenceParameterSet {
        let profile = UInt8(try r.readBits(8))
        let constraints = UInt8(try r.readBits(8))
        let level = UInt8(try r.readBits(8))
        let id = try r.readUE()
        guard id <= 31 else { throw ParseError(.h264, .invalidValue, at: r.position, "sps_id above 31") }
        var sps = H264SequenceParameterSet(profileIDC: profile, constraintFlags: constraints, levelIDC: level, id: id,
                                           resolution: VideoResolution(width: 0, height: 0))
        if hasChromaInfo(profile) {
            let chroma = try r.readUE()
            guard chroma <= 3 else { throw ParseError(.h264, .invalidValue, at: r.position, "chroma_format_idc above 3") }
            sps.chromaFormatIDC = UInt8(chroma)
            if chroma == 3 { sps.separateColourPlane = try r.readBit() }
            let luma = try r.readUE()
            let chromaDepth = try r.readUE()
            guard luma <= 6, chromaDepth <= 6 else {
                throw ParseError(.h264, .invalidValue, at: r.position, "bit depth above 14")
            }
            sps.bitDepthLuma = 8 &+ Int(luma)
            sps.bitDepthChroma = 8 &+ Int(chromaDepth)
            _ = try r.readBit()  // qpprime_y_zero_transform_bypass_flag
            if try r.readBit() {  // seq_scaling_matrix_present_flag
                for i in 0..<(chroma == 3 ? 12 : 8) where try r.readBit() {
                    try skipScalingList(&r, size: i < 6 ? 16 : 64)
                }
            }
        }
        _ = try r.readUE()  // log2_max_frame_num_minus4
        let pocType = try r.readUE()
        if pocType == 0 {
            _ = try r.readUE()  // log2_max_pic_order_cnt_lsb_minus4
        } else if pocType == 1 {
            _ = try r.readBit()  // delta_pic_order_always_zero_flag
            _ = try r.readSE()   // offset_for_non_ref_pic
            _ = try r.readSE()   // offset_for_top_to_bottom_field
            let cycle = try r.readUE()
            guard cycle <= 255 else { throw ParseError(.h264, .invalidValue, at: r.position, "more than 255 POC cycle offsets") }
            for _ in 0..<cycle { _ = try r.readSE() }
        } else if pocType > 2 {
            throw ParseError(.h264, .invalidValue, at: r.position, "pic_order_cnt_type above 2")
        }
        _ = try r.readUE()   // max_num_ref_frames
        _ = try r.readBit()  // gaps_in_frame_num_value_allowed_flag
        let widthMbs = try r.readUE()
        let heightMapUnits = try r.readUE()
        guard widthMbs < maxMacroblocksPerSide, heightMapUnits < maxMacroblocksPerSide else {
            throw ParseError(.h264, .invalidValue, at: r.position, "picture larger than the limit")
        }
        sps.frameMbsOnly = try r.readBit()
        if !sps.frameMbsOnly { _ = try r.readBit() }  // mb_adaptive_frame_field_flag
        _ = try r.readBit()  // direct_8x8_inference_flag
        let width = (Int(widthMbs) &+ 1) &* 16
        let height = (sps.frameMbsOnly ? 1 : 2) &* (Int(heightMapUnits) &+ 1) &* 16
        var cropX = 0
        var cropY = 0
        if try r.readBit() {
            let left = try r.readUE()
            let right = try r.readUE()
            let top = try r.readUE()
            let bottom = try r.readUE()
            // §7.4.2.1.1: crop units from ChromaArrayType (0 for monochrome or separate planes).
            let arrayType = sps.separateColourPlane ? 0 : Int(sps.chromaFormatIDC)
            let unitX: Int = arrayType == 1 || arrayType == 2 ? 2 : 1
            let unitY: Int = (arrayType == 1 ? 2 : 1) &* (sps.frameMbsOnly ? 1 : 2)
            guard left < 65536, right < 65536, top < 65536, bottom < 65536 else {
                throw ParseError(.h264, .invalidValue, at: r.position, "cropping larger than the picture")
            }
            cropX = unitX &* (Int(left) &+ Int(right))
            cropY = unitY &* (Int(top) &+ Int(bottom))
            guard cropX < width, cropY < height else {
                throw ParseError(.h264, .invalidValue, at: r.position, "cropping larger than the picture")
            }
        }
        sps.resolution = VideoResolution(width: width &- cropX, height: height &- cropY)
        if (try? r.readBit()) == true {  // vui_parameters_present_flag
            sps.frameRate = try? readVUITiming(&r)
        }
        return sps
    }

    /// §7.3.2.1.1.1 scaling_list(): only skipped.
    static func skipScalingList(_ r: inout H264BitReader, size: Int) throws(ParseError) {
        var last: Int64 = 8
        var next: Int64 = 8
        for _ in 0..<size {
            if next != 0 {
                let delta = try r.readSE()
                guard delta >= -128, delta <= 127 else {
                    throw ParseError(.h264, .invalidValue, at: r.position, "delta_scale outside -128...127")
                }
                next = (last &+ delta &+ 256) % 256
            }
            if next != 0 { last = next }
        }
    }

    /// Annex E.1.1 up to timing_info: the frame rate, or nil when the VUI has no timing.
    static func readVUITiming(_ r: inout H264BitReader) throws(ParseError) -> Double? {
        if try r.readBit() {  // aspect_ratio_info_present_flag
            if try r.readBits(8) == 255 { _ = try r.readBits(32) }  // Extended_SAR: sar_width, sar_height
        }
        if try r.readBit() { _ = try r.readBit() }  // overscan_info_present → overscan_appropriate
        if try r.readBit() {  // video_signal_type_present_flag
            _ = try r.readBits(4)  // video_format, video_full_range_flag
            if try r.readBit() { _ = try r.readBits(24) }  // colour description
        }
        if try r.readBit() {  // chroma_loc_info_present_flag
            _ = try r.readUE()
            _ = try r.readUE()
        }
        guard try r.readBit() else { return nil }  // timing_info_present_flag
        let tick = try r.readBits(32)
        let scale = try r.readBits(32)
        guard tick > 0, scale > 0 else { return nil }
        return Double(scale) / (2 * Double(tick))
    }

    /// The SPS in an H.264 RTP payload (RFC 6184): a single NAL unit of type 7, one inside a
    /// STAP-A, or the start fragment of an FU-A of type 7. nil when the payload carries none.
    ///
    /// - Throws: the payload's or the SPS's ``ParseError``.
    public static func find(inPayload payload: UnsafeRawBufferPointer) throws(ParseError) -> H264SequenceParameterSet? {
        guard payload.count >= 1 else { throw ParseError(.h264, .truncated, at: 0, "empty payload") }
        let type = payload[0] & 0x1F
        switch type {
        case 7:
            return try parse(nalUnit: payload)
        case 24:
            var r = ByteReader(payload, format: .h264, position: 1)
            while !r.isAtEnd {
                let size = Int(try r.readU16())
                let unit = try r.readBytes(size)
                if size >= 1, unit[0] & 0x1F == 7 { return try parse(nalUnit: unit) }
            }
            return nil
        case 28:
            guard payload.count >= 2 else { throw ParseError(.h264, .truncated, at: 1, "FU-A without its header") }
            let fu = payload[1]
            guard fu & 0x80 != 0, fu & 0x1F == 7 else { return nil }
            // The fragment continues the NAL unit after its (omitted) header byte.
            var r = H264BitReader(payload, position: 2)
            return try parse(&r)
        default:
            return nil
        }
    }
}
