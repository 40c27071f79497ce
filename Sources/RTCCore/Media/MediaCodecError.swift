/// A failure reported by a media codec library (libvpx or libopus) or a configuration it
/// refuses. Control-plane only: the message may allocate.
public struct MediaCodecError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The library family that failed.
    public enum Codec: Hashable, Sendable { case vp8, opus }

    /// What was being done.
    public enum Kind: Hashable, Sendable {
        /// A parameter outside what the codec supports (checked before calling the library).
        case invalidConfiguration
        /// Creating the encoder or decoder context failed.
        case initializationFailed
        /// Encoding a frame failed.
        case encodeFailed
        /// Decoding a frame failed (corrupt data or a missing reference).
        case decodeFailed
        /// A control call (bitrate change, option) failed.
        case controlFailed
    }

    public var codec: Codec
    public var kind: Kind
    /// The library's error code (`vpx_codec_err_t` or a negative `OPUS_*` value), 0 if none.
    public var code: Int32
    /// The library's message or a reason.
    public var message: String

    public init(_ codec: Codec, _ kind: Kind, code: Int32 = 0, _ message: String) {
        self.codec = codec
        self.kind = kind
        self.code = code
        self.message = message
    }

    public var description: String { "\(codec) \(kind) (\(code)): \(message)" }
}
