import CRTCShims
import CVPX

/// A libvpx VP8 decoder: compressed frames in, ``I420Frame``s out. Used to prove that what a
/// pipeline forwards still decodes (and shows the right picture, see
/// ``SyntheticVideoSource/readCounter(from:)``).
///
/// ```
/// VP8 frame bytes ──vpx_codec_decode──▶ vpx_image_t (strided) ──copy──▶ I420Frame (packed)
/// ```
/// libvpx refuses a delta frame before the first keyframe and corrupt data with
/// `.decodeFailed`; the decoder stays usable and recovers at the next keyframe. The libvpx
/// context is released in `deinit`. Not thread-safe: use from one task.
public final class VP8Decoder {
    private let context: UnsafeMutablePointer<vpx_codec_ctx_t>

    /// Size of the last decoded picture (0 before the first).
    public private(set) var width = 0
    public private(set) var height = 0
    /// Pictures produced so far.
    public private(set) var framesDecoded = 0

    /// - Throws: `.initializationFailed` when libvpx cannot create a decoder.
    public init() throws(MediaCodecError) {
        let ctx = UnsafeMutablePointer<vpx_codec_ctx_t>.allocate(capacity: 1)
        ctx.initialize(to: vpx_codec_ctx_t())
        var cfg = vpx_codec_dec_cfg_t(threads: 1, w: 0, h: 0)
        let r = vpx_codec_dec_init_ver(ctx, vpx_codec_vp8_dx(), &cfg, 0, rtc_vpx_decoder_abi_version())
        guard r == VPX_CODEC_OK else {
            ctx.deallocate()
            throw MediaCodecError(.vp8, .initializationFailed, code: Int32(r.rawValue), VP8Encoder.text(r))
        }
        context = ctx
    }

    deinit {
        vpx_codec_destroy(context)
        context.deallocate()
    }

    /// Decodes one compressed frame; returns the picture it shows (nil for a frame that
    /// shows nothing, such as an empty input).
    ///
    /// - Throws: `.decodeFailed` for corrupt data or a delta frame whose reference is missing.
    public func decode(_ bytes: [UInt8]) throws(MediaCodecError) -> I420Frame? {
        let result: Result<I420Frame?, MediaCodecError> = bytes.withUnsafeBytes { raw in
            do throws(MediaCodecError) { return .success(try decode(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Decodes one compressed frame from borrowed bytes.
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(MediaCodecError) -> I420Frame? {
        guard let base = bytes.baseAddress, bytes.count > 0, bytes.count <= Int(UInt32.max) else { return nil }
        let r = vpx_codec_decode(context, base.assumingMemoryBound(to: UInt8.self), UInt32(bytes.count), nil, 0)
        guard r == VPX_CODEC_OK else {
            throw MediaCodecError(.vp8, .decodeFailed, code: Int32(r.rawValue), VP8Encoder.text(r))
        }
        var iter: vpx_codec_iter_t? = nil
        var last: I420Frame?
        while let img = vpx_codec_get_frame(context, &iter) {
            if let f = Self.copy(img.pointee) { last = f }
        }
        if let f = last {
            width = f.width
            height = f.height
            framesDecoded &+= 1
        }
        return last
    }

    /// Copies a decoded 8-bit I420 image into a packed frame.
    static func copy(_ img: vpx_image_t) -> I420Frame? {
        guard img.fmt == VPX_IMG_FMT_I420 || img.fmt == VPX_IMG_FMT_YV12 else { return nil }
        let w = Int(img.d_w), h = Int(img.d_h)
        guard w > 0, h > 0 else { return nil }
        var frame = I420Frame(width: w, height: h)
        let cw = frame.chromaWidth, ch = frame.chromaHeight
        // YV12 stores V before U; planes.1 / planes.2 are still U / V in vpx_image_t.
        let planes: [(UnsafeMutablePointer<UInt8>?, Int32, Int, Int, Int)] = [
            (img.planes.0, img.stride.0, 0, w, h),
            (img.planes.1, img.stride.1, frame.uOffset, cw, ch),
            (img.planes.2, img.stride.2, frame.vOffset, cw, ch),
        ]
        frame.bytes.withUnsafeMutableBufferPointer { dst in
            guard let d = dst.baseAddress else { return }
            for (src, stride, offset, pw, ph) in planes {
                guard let s = src else { continue }
                for y in 0..<ph {
                    (d + offset + y * pw).update(from: s + y * Int(stride), count: pw)
                }
            }
        }
        return frame
    }
}
