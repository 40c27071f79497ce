import COpus
import CRTCShims

/// A libopus encoder (RFC 6716) at 48 kHz, mono or stereo, producing one 20 ms frame per
/// call: 960 samples per channel of interleaved 16-bit PCM in, one Opus packet (TOC byte +
/// frame, see ``OpusTOC``) out.
///
/// ```
/// [Int16] × 960·channels ──opus_encode──▶ | TOC | compressed frame |  (≤ 1275 bytes)
/// ```
/// The libopus state is released in `deinit`. Not thread-safe: use from one task.
public final class OpusEncoder {
    /// What libopus optimises for (`OPUS_APPLICATION_*`).
    public enum Application: Hashable, Sendable {
        /// Speech (`OPUS_APPLICATION_VOIP`), what browsers use for a microphone.
        case voip
        /// Music and tones (`OPUS_APPLICATION_AUDIO`).
        case audio
        /// Lowest delay (`OPUS_APPLICATION_RESTRICTED_LOWDELAY`, CELT only).
        case lowDelay
    }

    public static let sampleRate = 48_000
    /// Samples per channel in one 20 ms frame.
    public static let frameSamples = 960

    /// 1 or 2.
    public let channels: Int
    /// The target bitrate last set, in bits per second.
    public private(set) var bitrate: Int
    private let state: OpaquePointer

    /// - Throws: `.invalidConfiguration` for channels outside 1...2 or a bitrate outside
    ///   6 kbps...510 kbps; `.initializationFailed` when libopus refuses.
    public init(channels: Int = 1, bitrate: Int = 32_000, application: Application = .audio) throws(MediaCodecError) {
        guard channels == 1 || channels == 2 else {
            throw MediaCodecError(.opus, .invalidConfiguration, "channels must be 1 or 2")
        }
        guard bitrate >= 6_000, bitrate <= 510_000 else {
            throw MediaCodecError(.opus, .invalidConfiguration, "bitrate outside 6...510 kbps")
        }
        let app: Int32
        switch application {
        case .voip: app = OPUS_APPLICATION_VOIP
        case .audio: app = OPUS_APPLICATION_AUDIO
        case .lowDelay: app = OPUS_APPLICATION_RESTRICTED_LOWDELAY
        }
        var err: Int32 = 0
        guard let s = opus_encoder_create(Int32(Self.sampleRate), Int32(channels), app, &err), err == OPUS_OK else {
            throw MediaCodecError(.opus, .initializationFailed, code: err, Self.text(err))
        }
        let r = rtc_opus_encoder_set_bitrate(s, Int32(bitrate))
        guard r == OPUS_OK else {
            opus_encoder_destroy(s)
            throw MediaCodecError(.opus, .initializationFailed, code: r, Self.text(r))
        }
        self.state = s
        self.channels = channels
        self.bitrate = bitrate
    }

    deinit {
        opus_encoder_destroy(state)
    }

    /// Changes the target bitrate (bits per second, 6 kbps...510 kbps).
    public func setBitrate(_ bitsPerSecond: Int) throws(MediaCodecError) {
        guard bitsPerSecond >= 6_000, bitsPerSecond <= 510_000 else {
            throw MediaCodecError(.opus, .invalidConfiguration, "bitrate outside 6...510 kbps")
        }
        let r = rtc_opus_encoder_set_bitrate(state, Int32(bitsPerSecond))
        guard r == OPUS_OK else { throw MediaCodecError(.opus, .controlFailed, code: r, Self.text(r)) }
        bitrate = bitsPerSecond
    }

    /// Turns in-band forward error correction (LBRR) on or off, with the loss rate to plan for.
    public func setInbandFEC(_ on: Bool, expectedLossPercent: Int = 10) throws(MediaCodecError) {
        var r = rtc_opus_encoder_set_inband_fec(state, on ? 1 : 0)
        if r == OPUS_OK { r = rtc_opus_encoder_set_packet_loss_perc(state, Int32(max(0, min(100, expectedLossPercent)))) }
        guard r == OPUS_OK else { throw MediaCodecError(.opus, .controlFailed, code: r, Self.text(r)) }
    }

    /// The encoder's algorithmic delay in 48 kHz samples (what a decoder output lags the input).
    public var lookahead: Int {
        var v: Int32 = 0
        _ = rtc_opus_encoder_get_lookahead(state, &v)
        return Int(v)
    }

    /// Encodes one 20 ms frame of interleaved PCM (exactly 960 × channels samples).
    ///
    /// - Throws: `.invalidConfiguration` for a wrong sample count, `.encodeFailed` from libopus.
    public func encode(_ pcm: [Int16]) throws(MediaCodecError) -> [UInt8] {
        guard pcm.count == Self.frameSamples * channels else {
            throw MediaCodecError(.opus, .invalidConfiguration, "expected \(Self.frameSamples * channels) samples")
        }
        var out = [UInt8](repeating: 0, count: 1500)
        let n: Int32 = pcm.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return OPUS_BAD_ARG }
                return opus_encode(state, s, Int32(Self.frameSamples), d, Int32(dst.count))
            }
        }
        guard n > 0 else { throw MediaCodecError(.opus, .encodeFailed, code: n, Self.text(n)) }
        out.removeSubrange(Int(n)...)
        return out
    }

    static func text(_ code: Int32) -> String {
        guard let c = opus_strerror(code) else { return "libopus error \(code)" }
        return String(cString: c)
    }
}
