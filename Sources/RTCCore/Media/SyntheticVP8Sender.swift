/// One synthetic VP8 send stream — ``SyntheticVideoSource`` → ``VP8Encoder`` →
/// ``VP8Packetizer`` — for load generation and end-to-end tests. Three of these with the
/// same source index and different sizes and rids make a simulcast publisher.
///
/// ```
/// frame i ──▶ I420 (counter i) ──▶ VP8 frame (TID, key?) ──▶ RTP packets (emit)
/// ```
/// Owns a libvpx encoder (released when the sender is). Not thread-safe.
public final class SyntheticVP8Sender {
    public let encoder: VP8Encoder
    public private(set) var source: SyntheticVideoSource
    public private(set) var packetizer: VP8Packetizer

    /// - Throws: `.invalidConfiguration` when the size does not suit the pattern or the
    ///   encoder; encoder creation errors.
    public init(
        configuration: VP8EncoderConfiguration, parameters: RTPStreamParameters,
        initialPictureID: UInt16 = 0, startIndex: Int = 0
    ) throws(MediaCodecError) {
        guard let s = SyntheticVideoSource(width: configuration.width, height: configuration.height,
                                           startIndex: startIndex) else {
            throw MediaCodecError(.vp8, .invalidConfiguration, "size too small or odd for the synthetic pattern")
        }
        self.encoder = try VP8Encoder(configuration)
        self.source = s
        self.packetizer = VP8Packetizer(parameters: parameters, initialPictureID: initialPictureID)
    }

    /// Encodes the next source frame and emits its RTP packets (valid only during `emit`).
    ///
    /// - Returns: the encoded frames (normally one).
    /// - Throws: encoder errors as `MediaCodecError`; a packetizer that cannot fit payload
    ///   as `.invalidConfiguration`.
    @discardableResult
    public func sendNextFrame(
        now: Instant, transportSequence: inout UInt16, emit: (UnsafeRawBufferPointer) -> Void
    ) throws(MediaCodecError) -> [VP8EncodedFrame] {
        let frames = try encoder.encode(source.nextFrame())
        for f in frames {
            do {
                try packetizer.packetize(f, now: now, transportSequence: &transportSequence, emit: emit)
            } catch {
                throw MediaCodecError(.vp8, .invalidConfiguration, "maxPacketSize leaves no room for payload")
            }
        }
        return frames
    }

    /// Requests a keyframe (e.g. when a PLI arrives for this SSRC).
    public func forceKeyframe() { encoder.forceKeyframe() }
}
