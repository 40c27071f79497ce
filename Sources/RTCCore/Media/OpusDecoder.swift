import COpus

/// A libopus decoder at 48 kHz, mono or stereo: one Opus packet in, interleaved 16-bit PCM
/// out (960 samples per channel for a 20 ms packet). A missing packet (`nil`) is concealed
/// (PLC) for one 20 ms frame. The libopus state is released in `deinit`.
public final class OpusDecoder {
    /// 1 or 2 (output channels; a mono packet is upmixed for a stereo decoder and vice versa).
    public let channels: Int
    private let state: OpaquePointer
    /// Packets decoded and frames concealed so far.
    public private(set) var packetsDecoded = 0
    public private(set) var framesConcealed = 0

    /// - Throws: `.invalidConfiguration` for channels outside 1...2, `.initializationFailed`.
    public init(channels: Int = 1) throws(MediaCodecError) {
        guard channels == 1 || channels == 2 else {
            throw MediaCodecError(.opus, .invalidConfiguration, "channels must be 1 or 2")
        }
        var err: Int32 = 0
        guard let s = opus_decoder_create(Int32(OpusEncoder.sampleRate), Int32(channels), &err), err == OPUS_OK else {
            throw MediaCodecError(.opus, .initializationFailed, code: err, OpusEncoder.text(err))
        }
        self.state = s
        self.channels = channels
    }

    deinit {
        opus_decoder_destroy(state)
    }

    /// Decodes `packet` (the whole RTP payload), or conceals one 20 ms frame when it is nil.
    ///
    /// - Throws: `.decodeFailed` for a packet libopus rejects.
    public func decode(_ packet: [UInt8]?) throws(MediaCodecError) -> [Int16] {
        // Room for the longest packet Opus allows (120 ms).
        let maxSamples = OpusTOC.maxPacketSamples
        var pcm = [Int16](repeating: 0, count: maxSamples * channels)
        let n: Int32 = pcm.withUnsafeMutableBufferPointer { dst in
            guard let d = dst.baseAddress else { return OPUS_BAD_ARG }
            guard let packet, !packet.isEmpty else {
                return opus_decode(state, nil, 0, d, Int32(OpusEncoder.frameSamples), 0)
            }
            return packet.withUnsafeBufferPointer { src in
                opus_decode(state, src.baseAddress, Int32(src.count), d, Int32(maxSamples), 0)
            }
        }
        guard n >= 0 else { throw MediaCodecError(.opus, .decodeFailed, code: n, OpusEncoder.text(n)) }
        if packet?.isEmpty == false { packetsDecoded &+= 1 } else { framesConcealed &+= 1 }
        pcm.removeSubrange((Int(n) * channels)...)
        return pcm
    }
}
