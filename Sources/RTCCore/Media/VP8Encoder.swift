import CRTCShims
import CVPX

/// A libvpx VP8 encoder (RFC 6386 bitstream) tuned for real time: one-pass CBR, no lag, no
/// frame dropping, realtime deadline and a high `cpuUsed`, optionally with temporal layers
/// laid out by ``VP8TemporalPattern`` (L1T2, L1T3 as Chromium sends them).
///
/// ```
/// I420Frame ──copy──▶ vpx_image_t ──vpx_codec_encode(flags per pattern entry)──▶ VP8EncodedFrame
///                                   ▲ VP8E_SET_TEMPORAL_LAYER_ID, FORCE_KF
/// ```
/// Keyframes come only from the first frame, ``forceKeyframe()`` and `keyframeInterval`
/// (libvpx's own keyframe placement is off), and each one restarts the temporal period.
/// For synthetic media, load generation and tests; not on the forwarding path. The libvpx
/// context and image are released in `deinit`. Not thread-safe: use from one task.
public final class VP8Encoder {
    public let configuration: VP8EncoderConfiguration
    public let temporalPattern: VP8TemporalPattern

    private let context: UnsafeMutablePointer<vpx_codec_ctx_t>
    private let image: UnsafeMutablePointer<vpx_image_t>
    private var encoderConfig: vpx_codec_enc_cfg_t
    private var keyframeRequested = true
    private var framesSinceKeyframe = 0
    private var patternPosition = 0
    /// Frames submitted so far (the next frame's pts is this × the timestamp step).
    public private(set) var framesEncoded: Int64 = 0

    /// Creates the encoder.
    ///
    /// - Throws: `.invalidConfiguration` for settings outside the documented ranges,
    ///   `.initializationFailed` when libvpx refuses them.
    public init(_ configuration: VP8EncoderConfiguration) throws(MediaCodecError) {
        if let p = configuration.problem {
            throw MediaCodecError(.vp8, .invalidConfiguration, p)
        }
        guard let pattern = VP8TemporalPattern(layerCount: configuration.temporalLayers) else {
            throw MediaCodecError(.vp8, .invalidConfiguration, "temporal layers outside 1...3")
        }
        let iface = vpx_codec_vp8_cx()
        var cfg = vpx_codec_enc_cfg_t()
        let d = vpx_codec_enc_config_default(iface, &cfg, 0)
        guard d == VPX_CODEC_OK else {
            throw MediaCodecError(.vp8, .initializationFailed, code: Int32(d.rawValue), Self.text(d))
        }
        Self.apply(configuration, pattern: pattern, to: &cfg)

        let ctx = UnsafeMutablePointer<vpx_codec_ctx_t>.allocate(capacity: 1)
        ctx.initialize(to: vpx_codec_ctx_t())
        let r = vpx_codec_enc_init_ver(ctx, iface, &cfg, 0, rtc_vpx_encoder_abi_version())
        guard r == VPX_CODEC_OK else {
            ctx.deallocate()
            throw MediaCodecError(.vp8, .initializationFailed, code: Int32(r.rawValue), Self.text(r))
        }
        // Speed and realtime behaviour; failures here leave usable defaults, so they are
        // ignored rather than failing the encoder.
        _ = vpx_codec_control_VP8E_SET_CPUUSED(ctx, Int32(VP8E_SET_CPUUSED.rawValue), Int32(configuration.cpuUsed))
        _ = vpx_codec_control_VP8E_SET_NOISE_SENSITIVITY(ctx, Int32(VP8E_SET_NOISE_SENSITIVITY.rawValue), 0)
        _ = vpx_codec_control_VP8E_SET_STATIC_THRESHOLD(ctx, Int32(VP8E_SET_STATIC_THRESHOLD.rawValue), 1)
        _ = vpx_codec_control_VP8E_SET_MAX_INTRA_BITRATE_PCT(ctx, Int32(VP8E_SET_MAX_INTRA_BITRATE_PCT.rawValue), 300)
        _ = vpx_codec_control_VP8E_SET_TOKEN_PARTITIONS(ctx, Int32(VP8E_SET_TOKEN_PARTITIONS.rawValue),
                                                        Int32(VP8_ONE_TOKENPARTITION.rawValue))

        guard let img = vpx_img_alloc(nil, VPX_IMG_FMT_I420, UInt32(configuration.width),
                                      UInt32(configuration.height), 16) else {
            vpx_codec_destroy(ctx)
            ctx.deallocate()
            throw MediaCodecError(.vp8, .initializationFailed, "vpx_img_alloc failed")
        }
        self.configuration = configuration
        self.temporalPattern = pattern
        self.context = ctx
        self.image = img
        self.encoderConfig = cfg
    }

    deinit {
        vpx_img_free(image)
        vpx_codec_destroy(context)
        context.deallocate()
    }

    /// Makes the next encoded frame a keyframe (e.g. on a PLI or FIR).
    public func forceKeyframe() {
        keyframeRequested = true
    }

    /// Changes the target bitrate (bits per second) from the next frame on, keeping the
    /// layer split.
    public func setTargetBitrate(_ bitsPerSecond: Int) throws(MediaCodecError) {
        var c = configuration
        c.targetBitrate = bitsPerSecond
        if let p = c.problem { throw MediaCodecError(.vp8, .invalidConfiguration, p) }
        Self.apply(c, pattern: temporalPattern, to: &encoderConfig)
        let r = vpx_codec_enc_config_set(context, &encoderConfig)
        guard r == VPX_CODEC_OK else {
            throw MediaCodecError(.vp8, .controlFailed, code: Int32(r.rawValue), Self.text(r))
        }
    }

    /// Encodes `frame` (which must have the configured size). Returns the compressed frames
    /// libvpx produced for it: exactly one in this configuration (no lag, no dropping), but
    /// callers should accept any number.
    public func encode(_ frame: I420Frame) throws(MediaCodecError) -> [VP8EncodedFrame] {
        guard frame.width == configuration.width, frame.height == configuration.height else {
            throw MediaCodecError(.vp8, .invalidConfiguration, "frame size differs from the encoder's")
        }
        copyIntoImage(frame)

        let interval = configuration.keyframeInterval
        let keyframe = keyframeRequested || framesSinceKeyframe == 0
            || (interval > 0 && framesSinceKeyframe >= interval)
        if keyframe { patternPosition = 0 }
        var entry = temporalPattern.entry(at: patternPosition)
        var flags = vpx_enc_frame_flags_t(0)
        if keyframe {
            flags |= vpx_enc_frame_flags_t(VPX_EFLAG_FORCE_KF)
            entry = temporalPattern.entry(at: 0)
        } else if temporalPattern.layerCount > 1 {
            flags |= Self.referenceFlags(entry)
        }
        if temporalPattern.layerCount > 1 {
            _ = vpx_codec_control_VP8E_SET_TEMPORAL_LAYER_ID(
                context, Int32(VP8E_SET_TEMPORAL_LAYER_ID.rawValue), Int32(entry.temporalLayer))
        }

        let step = configuration.timestampStep
        let pts = framesEncoded &* step
        let r = vpx_codec_encode(context, image, vpx_codec_pts_t(pts), UInt(step), flags,
                                 UInt(VPX_DL_REALTIME))
        guard r == VPX_CODEC_OK else {
            throw MediaCodecError(.vp8, .encodeFailed, code: Int32(r.rawValue), Self.text(r))
        }
        framesEncoded &+= 1

        var out: [VP8EncodedFrame] = []
        var iter: vpx_codec_iter_t? = nil
        while let pkt = vpx_codec_get_cx_data(context, &iter) {
            guard pkt.pointee.kind == VPX_CODEC_CX_FRAME_PKT else { continue }
            let f = pkt.pointee.data.frame
            guard let buf = f.buf, f.sz > 0 else { continue }
            let bytes = [UInt8](UnsafeRawBufferPointer(start: UnsafeRawPointer(buf), count: Int(f.sz)))
            let isKey = f.flags & vpx_codec_frame_flags_t(VPX_FRAME_IS_KEY) != 0
            let layered = temporalPattern.layerCount > 1
            out.append(VP8EncodedFrame(
                bytes: bytes, isKeyframe: isKey,
                temporalLayer: isKey ? 0 : entry.temporalLayer,
                layerSync: isKey ? false : (layered && entry.layerSync),
                isNonReference: isKey ? false : (layered && entry.isNonReference),
                temporalLayerCount: temporalPattern.layerCount,
                pts: Int64(f.pts), width: configuration.width, height: configuration.height))
            if isKey {
                keyframeRequested = false
                framesSinceKeyframe = 0
                patternPosition = 0
            }
        }
        framesSinceKeyframe &+= 1
        patternPosition &+= 1
        if patternPosition >= temporalPattern.periodicity { patternPosition = 0 }
        return out
    }

    // MARK: - libvpx plumbing

    /// libvpx reference/update flags for a non-key frame of the pattern.
    static func referenceFlags(_ e: VP8TemporalPattern.Entry) -> vpx_enc_frame_flags_t {
        var f: Int32 = 0
        if !e.referencesLast { f |= VP8_EFLAG_NO_REF_LAST }
        if !e.referencesGolden { f |= VP8_EFLAG_NO_REF_GF }
        f |= VP8_EFLAG_NO_REF_ARF
        if !e.updatesLast { f |= VP8_EFLAG_NO_UPD_LAST }
        if !e.updatesGolden { f |= VP8_EFLAG_NO_UPD_GF }
        f |= VP8_EFLAG_NO_UPD_ARF
        if e.isNonReference { f |= VP8_EFLAG_NO_UPD_ENTROPY }
        return vpx_enc_frame_flags_t(f)
    }

    /// Fills the libvpx configuration from ours.
    static func apply(_ c: VP8EncoderConfiguration, pattern: VP8TemporalPattern, to cfg: inout vpx_codec_enc_cfg_t) {
        let kbps = UInt32(max(10, c.targetBitrate / 1000))
        cfg.g_w = UInt32(c.width)
        cfg.g_h = UInt32(c.height)
        cfg.g_timebase = vpx_rational(num: 1, den: 90_000)
        cfg.g_threads = UInt32(c.threads)
        cfg.g_lag_in_frames = 0
        cfg.g_pass = VPX_RC_ONE_PASS
        cfg.g_error_resilient = pattern.layerCount > 1 ? vpx_codec_er_flags_t(VPX_ERROR_RESILIENT_DEFAULT) : 0
        cfg.rc_end_usage = VPX_CBR
        cfg.rc_target_bitrate = kbps
        cfg.rc_dropframe_thresh = 0
        cfg.rc_resize_allowed = 0
        cfg.rc_min_quantizer = 2
        cfg.rc_max_quantizer = 56
        cfg.rc_undershoot_pct = 100
        cfg.rc_overshoot_pct = 15
        cfg.rc_buf_initial_sz = 500
        cfg.rc_buf_optimal_sz = 600
        cfg.rc_buf_sz = 1000
        cfg.kf_mode = VPX_KF_DISABLED
        cfg.ts_number_layers = UInt32(pattern.layerCount)
        cfg.ts_periodicity = UInt32(pattern.layerCount > 1 ? pattern.periodicity : 1)
        let fractions = pattern.cumulativeRateFractions
        let decimators = pattern.rateDecimators
        withUnsafeMutableBytes(of: &cfg.ts_target_bitrate) { raw in
            let p = raw.bindMemory(to: UInt32.self)
            for i in 0..<min(p.count, fractions.count) { p[i] = UInt32(Double(kbps) * fractions[i]) }
        }
        withUnsafeMutableBytes(of: &cfg.ts_rate_decimator) { raw in
            let p = raw.bindMemory(to: UInt32.self)
            for i in 0..<min(p.count, decimators.count) { p[i] = decimators[i] }
        }
        withUnsafeMutableBytes(of: &cfg.ts_layer_id) { raw in
            let p = raw.bindMemory(to: UInt32.self)
            for i in 0..<min(p.count, pattern.periodicity) {
                p[i] = UInt32(pattern.entry(at: i).temporalLayer)
            }
        }
    }

    /// Copies the planes of `frame` into the libvpx image, row by row (its stride is
    /// aligned).
    private func copyIntoImage(_ frame: I420Frame) {
        let img = image.pointee
        let w = frame.width, h = frame.height, cw = frame.chromaWidth, ch = frame.chromaHeight
        frame.bytes.withUnsafeBufferPointer { src in
            guard let s = src.baseAddress else { return }
            let planes: [(UnsafeMutablePointer<UInt8>?, Int32, Int, Int, Int)] = [
                (img.planes.0, img.stride.0, 0, w, h),
                (img.planes.1, img.stride.1, frame.uOffset, cw, ch),
                (img.planes.2, img.stride.2, frame.vOffset, cw, ch),
            ]
            for (dst, stride, offset, pw, ph) in planes {
                guard let d = dst else { continue }
                for y in 0..<ph {
                    (d + y * Int(stride)).update(from: s + offset + y * pw, count: pw)
                }
            }
        }
    }

    static func text(_ e: vpx_codec_err_t) -> String {
        guard let c = vpx_codec_err_to_string(e) else { return "libvpx error \(e.rawValue)" }
        return String(cString: c)
    }
}
