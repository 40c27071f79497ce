/// One synthetic Opus send stream — ``SyntheticAudioSource`` → ``OpusEncoder`` →
/// ``OpusPacketizer`` with the RFC 6464 level of each frame — for load generation and
/// end-to-end tests: one RTP packet per 20 ms.
///
/// ```
/// tone frame k (960 samples) ──▶ Opus packet ──▶ RTP packet (audio-level = AudioLevel(frame))
/// ```
/// Owns a libopus encoder (released when the sender is). Not thread-safe.
public final class SyntheticOpusSender {
    public let encoder: OpusEncoder
    public private(set) var source: SyntheticAudioSource
    public private(set) var packetizer: OpusPacketizer
    private var buffer: [UInt8]

    /// - Throws: `.invalidConfiguration` for a tone or channel count the source refuses,
    ///   encoder creation errors.
    public init(
        parameters: RTPStreamParameters, frequency: Double = 440, amplitude: Double = 0.5,
        channels: Int = 1, bitrate: Int = 32_000
    ) throws(MediaCodecError) {
        guard let s = SyntheticAudioSource(frequency: frequency, amplitude: amplitude, channels: channels) else {
            throw MediaCodecError(.opus, .invalidConfiguration, "tone or channels outside the source's range")
        }
        self.encoder = try OpusEncoder(channels: channels, bitrate: bitrate, application: .audio)
        self.source = s
        self.packetizer = OpusPacketizer(parameters: parameters)
        self.buffer = [UInt8](repeating: 0, count: max(64, parameters.maxPacketSize))
    }

    /// Encodes the next 20 ms and emits its RTP packet (valid only during `emit`).
    ///
    /// - Throws: encoder errors; `.invalidConfiguration` when the packet does not fit
    ///   ``RTPStreamParameters/maxPacketSize``.
    public func sendNextFrame(
        now: Instant, transportSequence: inout UInt16, emit: (UnsafeRawBufferPointer) -> Void
    ) throws(MediaCodecError) {
        let pcm = source.nextFrame()
        let level = AudioLevel.level(of: pcm)
        let opus = try encoder.encode(pcm)
        let result: Result<Int, WriteError> = buffer.withUnsafeMutableBytes { dst in
            opus.withUnsafeBytes { src in
                do throws(WriteError) {
                    return .success(try packetizer.packetize(
                        src, audioLevel: (level < 127, level), now: now, transportSequence: &transportSequence, into: dst))
                } catch { return .failure(error) }
            }
        }
        guard case .success(let n) = result else {
            throw MediaCodecError(.opus, .invalidConfiguration, "maxPacketSize too small for the Opus packet")
        }
        buffer.withUnsafeBytes { emit(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }
}
