/// The codecs RTCCore knows by name (the rtpmap encoding name, compared ignoring case).
public enum SDPCodecType: Hashable, Sendable {
    case opus, vp8, vp9, h264, av1
    /// RFC 4588 retransmission.
    case rtx
    /// Redundancy and forward error correction formats (RFC 2198 `red`, RFC 5109 `ulpfec`,
    /// RFC 8627 `flexfec`); never accepted by the negotiator.
    case red, ulpfec, flexfec
    case other(String)

    public init(encodingName: String) {
        switch encodingName.lowercasedASCII {
        case "opus": self = .opus
        case "vp8": self = .vp8
        case "vp9": self = .vp9
        case "h264": self = .h264
        case "av1": self = .av1
        case "rtx": self = .rtx
        case "red": self = .red
        case "ulpfec": self = .ulpfec
        case "flexfec", "flexfec-03": self = .flexfec
        default: self = .other(encodingName)
        }
    }
}
