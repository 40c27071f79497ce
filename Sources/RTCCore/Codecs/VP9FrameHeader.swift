/// The start of a VP9 frame's uncompressed header (VP9 bitstream specification §6.2), enough
/// for the SFU to learn a layer's picture size from its key frames (and from intra-only or
/// resized inter frames) without decoding.
///
/// ```
///  frame_marker f(2)=2 | profile_low f(1) | profile_high f(1) | [profile 3: reserved f(1)]
///  show_existing_frame f(1) [1: frame_to_show_map_idx f(3), end]
///  frame_type f(1) (0 key) | show_frame f(1) | error_resilient_mode f(1)
///  key frame:   sync code 0x49 0x83 0x42 | color_config | frame_size | render_size
///  other frame: [show_frame 0: intra_only f(1)] [error_res 0: reset_frame_context f(2)]
///    intra-only: sync code | [profile > 0: color_config] | refresh_frame_flags f(8)
///                | frame_size | render_size
///    inter:      refresh_frame_flags f(8) | 3 × (ref_frame_idx f(3), sign_bias f(1))
///                | frame_size_with_refs: found_ref f(1) per reference until one is set;
///                  none set: frame_size
///  color_config: [profile ≥ 2: ten_or_twelve_bit f(1)] color_space f(3)
///                [≠ RGB: color_range f(1), [profile 1, 3: subsampling_x, _y, reserved f(1)]]
///                [= RGB: [profile 1, 3: reserved f(1)]]
///  frame_size:   frame_width_minus_1 f(16) | frame_height_minus_1 f(16)
///  render_size:  render_and_frame_size_different f(1) [1: width-1 f(16), height-1 f(16)]
/// ```
public struct VP9FrameHeader: Hashable, Sendable {
    public var profile: Int
    public var showExistingFrame = false
    public var isKeyframe = false
    public var isIntraOnly = false
    public var showFrame = false
    public var errorResilient = false
    /// 8, 10 or 12, when the header carries the color config (key frames; intra-only above profile 0).
    public var bitDepth: Int?
    /// The coded frame size, when the header gives it (nil: an inter frame that takes a
    /// reference's size, or a shown existing frame).
    public var resolution: VideoResolution?
    /// The render size, when it differs from the frame size.
    public var renderResolution: VideoResolution?

    public init(profile: Int) { self.profile = profile }

    /// Parses the uncompressed header at the start of `frame` (the VP9 data after the payload
    /// descriptor, on the packet with B=1).
    ///
    /// - Throws: `.vp9` `.invalidValue` for a frame marker other than 2, a wrong sync code or a
    ///   reserved bit set; `.truncated` when the header is cut short.
    public static func parse(_ frame: UnsafeRawBufferPointer) throws(ParseError) -> VP9FrameHeader {
        var r = BitReader(frame, format: .vp9)
        guard try r.readBits(2) == 2 else { throw ParseError(.vp9, .invalidValue, at: 0, "frame marker is not 2") }
        let low = try r.readBits(1)
        let high = try r.readBits(1)
        var h = VP9FrameHeader(profile: Int(high << 1 | low))
        if h.profile == 3, try r.readBit() { throw ParseError(.vp9, .invalidValue, at: 0, "reserved bit set") }
        h.showExistingFrame = try r.readBit()
        if h.showExistingFrame {
            _ = try r.readBits(3)
            return h
        }
        h.isKeyframe = !(try r.readBit())
        h.showFrame = try r.readBit()
        h.errorResilient = try r.readBit()
        if h.isKeyframe {
            try readSyncCode(&r)
            try readColorConfig(&r, &h)
            try readFrameAndRenderSize(&r, &h)
            return h
        }
        h.isIntraOnly = h.showFrame ? false : try r.readBit()
        if !h.errorResilient { _ = try r.readBits(2) }  // reset_frame_context
        if h.isIntraOnly {
            try readSyncCode(&r)
            if h.profile > 0 { try readColorConfig(&r, &h) } else { h.bitDepth = 8 }
            _ = try r.readBits(8)  // refresh_frame_flags
            try readFrameAndRenderSize(&r, &h)
            return h
        }
        _ = try r.readBits(8)  // refresh_frame_flags
        _ = try r.readBits(12)  // 3 × (ref_frame_idx, ref_frame_sign_bias)
        for _ in 0..<3 where try r.readBit() { return h }  // found_ref: the size of a reference
        try readFrameAndRenderSize(&r, &h)
        return h
    }

    static func readSyncCode(_ r: inout BitReader) throws(ParseError) {
        guard try r.readBits(24) == 0x49_83_42 else {
            throw ParseError(.vp9, .invalidValue, at: r.bitPosition >> 3, "wrong frame sync code")
        }
    }

    static func readColorConfig(_ r: inout BitReader, _ h: inout VP9FrameHeader) throws(ParseError) {
        h.bitDepth = h.profile >= 2 ? (try r.readBit() ? 12 : 10) : 8
        let colorSpace = try r.readBits(3)
        if colorSpace != 7 {  // not CS_RGB
            _ = try r.readBit()  // color_range
            if h.profile == 1 || h.profile == 3 {
                _ = try r.readBits(2)  // subsampling_x, subsampling_y
                if try r.readBit() { throw ParseError(.vp9, .invalidValue, at: r.bitPosition >> 3, "reserved bit set") }
            }
        } else if h.profile == 1 || h.profile == 3 {
            if try r.readBit() { throw ParseError(.vp9, .invalidValue, at: r.bitPosition >> 3, "reserved bit set") }
        }
    }

    static func readFrameAndRenderSize(_ r: inout BitReader, _ h: inout VP9FrameHeader) throws(ParseError) {
        let w = Int(try r.readBits(16)) &+ 1
        let hh = Int(try r.readBits(16)) &+ 1
        h.resolution = VideoResolution(width: w, height: hh)
        if try r.readBit() {
            let rw = Int(try r.readBits(16)) &+ 1
            let rh = Int(try r.readBits(16)) &+ 1
            h.renderResolution = VideoResolution(width: rw, height: rh)
        }
    }

    /// The size of the layer frame a VP9 RTP payload starts, from what the packet carries: the
    /// scalability structure's resolution for its spatial layer (V=1 with Y=1), else the frame
    /// header (on the first packet of a layer frame, B=1). nil when the packet says neither.
    public static func resolution(inPayload payload: UnsafeRawBufferPointer,
                                  descriptor d: VP9PayloadDescriptor) -> VideoResolution? {
        if let ss = d.scalabilityStructure, ss.hasResolutions, Int(d.spatialID) < ss.spatialLayerCount {
            let s = ss.resolution(layer: Int(d.spatialID))
            if s.width > 0, s.height > 0 { return VideoResolution(width: Int(s.width), height: Int(s.height)) }
        }
        guard d.beginningOfFrame, d.length < payload.count,
              let h = try? parse(UnsafeRawBufferPointer(rebasing: payload[d.length...])) else { return nil }
        return h.resolution
    }
}
