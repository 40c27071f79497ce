import CRTCShims
import CVPX
import Testing
@testable import RTCCore

/// Writes `values` at the start of a C array imported as a tuple.
func store<T, E>(_ tuple: inout T, _ values: [E]) {
    withUnsafeMutableBytes(of: &tuple) { raw in
        let p = raw.bindMemory(to: E.self)
        for (i, v) in values.enumerated() where i < p.count { p[i] = v }
    }
}

/// A libvpx VP9 L1T3 encoder for tests: temporal layering mode 0212 (TID 0 2 1 2), key frames
/// when asked, error resilient (as libwebrtc configures VP9 SVC).
final class VP9TestEncoder {
    let context = UnsafeMutablePointer<vpx_codec_ctx_t>.allocate(capacity: 1)
    let image: UnsafeMutablePointer<vpx_image_t>
    let width: Int, height: Int
    var frames = 0

    init?(width: Int, height: Int, kbps: UInt32 = 400) {
        self.width = width
        self.height = height
        var cfg = vpx_codec_enc_cfg_t()
        guard vpx_codec_enc_config_default(vpx_codec_vp9_cx(), &cfg, 0) == VPX_CODEC_OK else { return nil }
        cfg.g_w = UInt32(width)
        cfg.g_h = UInt32(height)
        cfg.g_timebase = vpx_rational(num: 1, den: 90_000)
        cfg.g_lag_in_frames = 0
        cfg.g_threads = 1
        cfg.rc_end_usage = VPX_CBR
        cfg.rc_target_bitrate = kbps
        cfg.rc_dropframe_thresh = 0
        cfg.kf_mode = VPX_KF_DISABLED
        // As libwebrtc for VP9 SVC: without error resilience, frames of dropped layers update
        // the entropy contexts the kept frames decode with.
        cfg.g_error_resilient = vpx_codec_er_flags_t(VPX_ERROR_RESILIENT_DEFAULT)
        cfg.ss_number_layers = 1
        cfg.ts_number_layers = 3
        cfg.ts_periodicity = 4
        cfg.temporal_layering_mode = Int32(VP9E_TEMPORAL_LAYERING_MODE_0212.rawValue)
        store(&cfg.ts_rate_decimator, [4, 2, 1] as [UInt32])
        store(&cfg.ts_layer_id, [0, 2, 1, 2] as [UInt32])
        store(&cfg.ts_target_bitrate, [kbps / 2, kbps * 3 / 4, kbps] as [UInt32])
        store(&cfg.layer_target_bitrate, [kbps / 2, kbps * 3 / 4, kbps] as [UInt32])
        context.initialize(to: vpx_codec_ctx_t())
        guard vpx_codec_enc_init_ver(context, vpx_codec_vp9_cx(), &cfg, 0, rtc_vpx_encoder_abi_version()) == VPX_CODEC_OK,
              let img = vpx_img_alloc(nil, VPX_IMG_FMT_I420, UInt32(width), UInt32(height), 16) else { return nil }
        image = img
        _ = vpx_codec_control_VP8E_SET_CPUUSED(context, Int32(VP8E_SET_CPUUSED.rawValue), 8)
        _ = vpx_codec_control_VP9E_SET_SVC(context, Int32(VP9E_SET_SVC.rawValue), 1)
        var svc = vpx_svc_extra_cfg_t()
        store(&svc.max_quantizers, [56, 56, 56] as [Int32])
        store(&svc.min_quantizers, [2, 2, 2] as [Int32])
        store(&svc.scaling_factor_num, [1] as [Int32])
        store(&svc.scaling_factor_den, [1] as [Int32])
        _ = vpx_codec_control_VP9E_SET_SVC_PARAMETERS(context, Int32(VP9E_SET_SVC_PARAMETERS.rawValue), &svc)
    }

    deinit {
        vpx_img_free(image)
        vpx_codec_destroy(context)
        context.deallocate()
    }

    /// Encodes one picture; returns its bytes, TID and whether it is a key frame.
    func encode(_ frame: I420Frame, keyframe: Bool) -> [(bytes: [UInt8], tid: Int, key: Bool)] {
        let img = image.pointee
        frame.bytes.withUnsafeBufferPointer { src in
            let planes: [(UnsafeMutablePointer<UInt8>?, Int32, Int, Int, Int)] = [
                (img.planes.0, img.stride.0, 0, frame.width, frame.height),
                (img.planes.1, img.stride.1, frame.uOffset, frame.chromaWidth, frame.chromaHeight),
                (img.planes.2, img.stride.2, frame.vOffset, frame.chromaWidth, frame.chromaHeight),
            ]
            for (dst, stride, offset, w, h) in planes {
                guard let d = dst, let s = src.baseAddress else { continue }
                for y in 0..<h { (d + y * Int(stride)).update(from: s + offset + y * w, count: w) }
            }
        }
        let flags = keyframe ? vpx_enc_frame_flags_t(VPX_EFLAG_FORCE_KF) : 0
        guard vpx_codec_encode(context, image, vpx_codec_pts_t(frames * 3000), 3000, flags, UInt(VPX_DL_REALTIME)) == VPX_CODEC_OK
        else { return [] }
        frames += 1
        var layer = vpx_svc_layer_id_t()
        _ = vpx_codec_control_VP9E_GET_SVC_LAYER_ID(context, Int32(VP9E_GET_SVC_LAYER_ID.rawValue), &layer)
        var out: [([UInt8], Int, Bool)] = []
        var iter: vpx_codec_iter_t? = nil
        while let pkt = vpx_codec_get_cx_data(context, &iter) {
            guard pkt.pointee.kind == VPX_CODEC_CX_FRAME_PKT, let buf = pkt.pointee.data.frame.buf else { continue }
            let f = pkt.pointee.data.frame
            out.append(([UInt8](UnsafeRawBufferPointer(start: buf, count: Int(f.sz))), Int(layer.temporal_layer_id),
                        f.flags & vpx_codec_frame_flags_t(VPX_FRAME_IS_KEY) != 0))
        }
        return out
    }
}

/// A libvpx VP9 decoder for tests: frame bytes in, the shown picture's planes out.
final class VP9TestDecoder {
    let context = UnsafeMutablePointer<vpx_codec_ctx_t>.allocate(capacity: 1)
    var errors = 0
    var corrupted = 0

    init?() {
        context.initialize(to: vpx_codec_ctx_t())
        var cfg = vpx_codec_dec_cfg_t(threads: 1, w: 0, h: 0)
        guard vpx_codec_dec_init_ver(context, vpx_codec_vp9_dx(), &cfg, 0, rtc_vpx_decoder_abi_version()) == VPX_CODEC_OK
        else { return nil }
    }

    deinit {
        vpx_codec_destroy(context)
        context.deallocate()
    }

    func decode(_ bytes: [UInt8]) -> I420Frame? {
        let ok = bytes.withUnsafeBufferPointer { b in
            vpx_codec_decode(context, b.baseAddress, UInt32(b.count), nil, 0) == VPX_CODEC_OK
        }
        guard ok else { errors += 1; return nil }
        var bad: Int32 = 0
        if vpx_codec_control_VP8D_GET_FRAME_CORRUPTED(context, Int32(VP8D_GET_FRAME_CORRUPTED.rawValue), &bad) == VPX_CODEC_OK,
           bad != 0 { corrupted += 1 }
        var iter: vpx_codec_iter_t? = nil
        var last: I420Frame?
        while let img = vpx_codec_get_frame(context, &iter) { last = VP8Decoder.copy(img.pointee) }
        return last
    }
}

@Suite struct VP9TemporalLayerFilterTests {
    /// libvpx's L1T3 pictures (TID 0 2 1 2; U on the second and third, as libwebrtc sets it),
    /// packetized, filtered at each temporal target (with target changes midway), reassembled
    /// and decoded: no decode error, and every picture kept decodes to exactly the picture the
    /// full stream gives (so nothing it refers to was dropped).
    @Test func libvpxL1T3FilteredAtEachTemporalTargetDecodesIdentically() throws {
        let width = 320, height = 180
        guard let encoder = VP9TestEncoder(width: width, height: height),
              var source = SyntheticVideoSource(width: width, height: height) else {
            Issue.record("libvpx VP9 encoder unavailable")
            return
        }
        // Encode 64 pictures (a key frame at 0 and at 40), packetize them.
        var packetizer = VP9Packetizer(maxPayloadSize: 400, initialPictureID: 0x7FF0)
        let groups = [VP9PictureGroup(temporalID: 0, switchingUpPoint: false, referenceDiffs: VP9ReferenceDiffs([4])!),
                      VP9PictureGroup(temporalID: 2, switchingUpPoint: true, referenceDiffs: VP9ReferenceDiffs([1])!),
                      VP9PictureGroup(temporalID: 1, switchingUpPoint: true, referenceDiffs: VP9ReferenceDiffs([2])!),
                      VP9PictureGroup(temporalID: 2, switchingUpPoint: false, referenceDiffs: VP9ReferenceDiffs([1])!)]
        var pictures: [(tid: Int, bytes: [UInt8], packets: [VP9Packetizer.Packet])] = []
        for i in 0..<64 {
            for f in encoder.encode(source.nextFrame(), keyframe: i == 0 || i == 40) {
                let u = f.tid > 0 && [false, true, true, false][pictures.count % 4]
                let packets = try packetizer.packetize(f.bytes, temporalID: f.tid, switchingUpPoint: u, isKeyframe: f.key,
                                                       resolution: VideoResolution(width: width, height: height),
                                                       pictureGroups: groups)
                pictures.append((f.tid, f.bytes, packets))
            }
        }
        #expect(pictures.count == 64)
        #expect(pictures.prefix(8).map(\.tid) == [0, 2, 1, 2, 0, 2, 1, 2])
        // The full stream, decoded once: the reference pictures.
        guard let full = VP9TestDecoder() else { Issue.record("libvpx VP9 decoder unavailable"); return }
        let reference = pictures.map { full.decode($0.bytes) }
        #expect(full.errors == 0)
        #expect(reference.allSatisfy { $0 != nil })

        // Per run: the temporal target before picture i.
        let runs: [(name: String, targets: [Int: Int])] = [
            ("T0", [0: 0]), ("T1", [0: 1]), ("T2", [0: 2]),
            ("T2→T0→T1→T2", [0: 2, 9: 0, 21: 1, 30: 2, 45: 0, 50: 2]),
            ("T0→T2 at a picture without U", [0: 0, 3: 2]),
        ]
        for run in runs {
            var filter = SVCLayerFilter(target: SVCLayers(spatial: 0, temporal: 2))
            guard let decoder = VP9TestDecoder() else { return }
            var kept = 0
            for (i, p) in pictures.enumerated() {
                if let t = run.targets[i] { filter.setTarget(SVCLayers(spatial: 0, temporal: t)) }
                var frame: [UInt8] = []
                var forwarded = 0
                var marker = false
                for pkt in p.packets {
                    let decision: (SVCFilterDecision, Int) = pkt.payload.withUnsafeBytes { raw in
                        guard let d = try? VP9PayloadDescriptor.parse(raw) else { return (.drop(.notAKeyframe), 0) }
                        return (filter.filterVP9(d, timestamp: UInt32(i * 3000), marker: pkt.marker), d.length)
                    }
                    guard decision.0.forward else { continue }
                    forwarded += 1
                    marker = decision.0.marker
                    frame += pkt.payload[decision.1...]
                }
                #expect(forwarded == 0 || forwarded == p.packets.count, "\(run.name) picture \(i): part of a picture")
                guard forwarded > 0 else { continue }
                #expect(marker, "\(run.name) picture \(i): marker on the last packet")
                kept += 1
                let decoded = decoder.decode(frame)
                let same = decoded != nil && decoded == reference[i]
                #expect(same, "\(run.name) picture \(i) (TID \(p.tid)) decodes differently (\(decoded == nil ? "nothing" : "other picture"))")
            }
            #expect(decoder.errors == 0 && decoder.corrupted == 0, "\(run.name)")
            switch run.name {
            case "T0": #expect(kept == 16)
            case "T1": #expect(kept == 32)
            case "T2": #expect(kept == 64)
            default: #expect(kept > 32 && kept < 64)
            }
        }
    }
}
