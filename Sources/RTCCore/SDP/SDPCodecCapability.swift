/// A codec this side can receive or send, used to build answers and offers.
///
/// When answering, an offered payload type matches a capability when the encoding name
/// (ignoring case), clock rate and channel count agree, and for
/// - H.264 (RFC 6184 §8.1): `packetization-mode` (default 0) and the `profile_idc` byte of
///   `profile-level-id` (default 42) agree — the level may differ (level-asymmetry);
/// - VP9: `profile-id` (default 0) agrees; AV1: `profile` (default 0) agrees.
/// The answer keeps the offerer's payload type, the offerer's fmtp, and the feedback lines
/// that both sides list (RFC 4585 §4.2).
public struct SDPCodecCapability: Hashable, Sendable {
    public var kind: SDPMediaKind
    public var encodingName: String
    public var clockRate: UInt32
    public var channels: UInt16?
    /// fmtp written in offers (and used for matching as described above).
    public var parameters: [SDPParameter]
    /// Feedback understood for this codec (payload type ignored): nack, nack pli, ccm fir, ...
    public var feedback: [SDPRtcpFeedback]
    /// Whether an RTX format (RFC 4588) is negotiated alongside.
    public var rtx: Bool
    /// Payload types used when this side offers.
    public var payloadType: PayloadType
    public var rtxPayloadType: PayloadType?

    public init(kind: SDPMediaKind, encodingName: String, clockRate: UInt32, channels: UInt16? = nil,
                parameters: [SDPParameter] = [], feedback: [SDPRtcpFeedback] = [], rtx: Bool = false,
                payloadType: PayloadType, rtxPayloadType: PayloadType? = nil) {
        self.kind = kind
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.channels = channels
        self.parameters = parameters
        self.feedback = feedback
        self.rtx = rtx
        self.payloadType = payloadType
        self.rtxPayloadType = rtxPayloadType
    }

    public var type: SDPCodecType { SDPCodecType(encodingName: encodingName) }

    /// What an SFU router handles: NACK (RTX), PLI, FIR, REMB and transport-wide CC.
    public static let videoFeedback: [SDPRtcpFeedback] = [
        SDPRtcpFeedback(payloadType: nil, type: "goog-remb"),
        SDPRtcpFeedback(payloadType: nil, type: "transport-cc"),
        SDPRtcpFeedback(payloadType: nil, type: "ccm", subtype: "fir"),
        SDPRtcpFeedback(payloadType: nil, type: "nack"),
        SDPRtcpFeedback(payloadType: nil, type: "nack", subtype: "pli"),
    ]

    public static let opus = SDPCodecCapability(
        kind: .audio, encodingName: "opus", clockRate: 48000, channels: 2,
        parameters: [SDPParameter("minptime", "10"), SDPParameter("useinbandfec", "1")],
        feedback: [SDPRtcpFeedback(payloadType: nil, type: "transport-cc")],
        payloadType: PayloadType(111))
    public static let vp8 = SDPCodecCapability(
        kind: .video, encodingName: "VP8", clockRate: 90000, feedback: videoFeedback, rtx: true,
        payloadType: PayloadType(96), rtxPayloadType: PayloadType(97))
    public static let vp9 = SDPCodecCapability(
        kind: .video, encodingName: "VP9", clockRate: 90000, parameters: [SDPParameter("profile-id", "0")],
        feedback: videoFeedback, rtx: true, payloadType: PayloadType(98), rtxPayloadType: PayloadType(99))
    /// Constrained Baseline level 3.1, packetization mode 1 (what browsers send).
    public static let h264 = SDPCodecCapability(
        kind: .video, encodingName: "H264", clockRate: 90000,
        parameters: [SDPParameter("level-asymmetry-allowed", "1"), SDPParameter("packetization-mode", "1"),
                     SDPParameter("profile-level-id", "42e01f")],
        feedback: videoFeedback, rtx: true, payloadType: PayloadType(102), rtxPayloadType: PayloadType(103))
    public static let av1 = SDPCodecCapability(
        kind: .video, encodingName: "AV1", clockRate: 90000,
        feedback: videoFeedback, rtx: true, payloadType: PayloadType(45), rtxPayloadType: PayloadType(46))

    /// Opus, then VP8, VP9, H.264 and AV1 (the router's preference order).
    public static let defaults: [SDPCodecCapability] = [opus, vp8, vp9, h264, av1]

    /// True when an offered format (its rtpmap and fmtp) is this codec.
    public func matches(_ map: SDPRtpMap, _ fmtp: SDPFormatParameters?) -> Bool {
        guard map.isEncoding(encodingName), map.clockRate == clockRate,
              (map.channels ?? 1) == (channels ?? 1) else { return false }
        let offered = fmtp?.parameters ?? []
        switch type {
        case .h264:
            return Self.h264Mode(offered) == Self.h264Mode(parameters)
                && Self.h264ProfileIDC(offered) == Self.h264ProfileIDC(parameters)
        case .vp9:
            return (offered[sdpKey: "profile-id"] ?? "0") == (parameters[sdpKey: "profile-id"] ?? "0")
        case .av1:
            return (offered[sdpKey: "profile"] ?? "0") == (parameters[sdpKey: "profile"] ?? "0")
        default:
            return true
        }
    }

    static func h264Mode(_ p: [SDPParameter]) -> String { p[sdpKey: "packetization-mode"] ?? "0" }

    /// The first byte of `profile-level-id` (profile_idc, RFC 6184 §8.1) as two lowercase hex
    /// digits; 42 (Baseline) when absent.
    static func h264ProfileIDC(_ p: [SDPParameter]) -> [UInt8] {
        Array((p[sdpKey: "profile-level-id"] ?? "42").lowercasedASCII.utf8.prefix(2))
    }

    /// True when `fb` (type and subtype) is one this codec understands.
    public func understands(_ fb: SDPRtcpFeedback) -> Bool {
        feedback.contains { $0.type == fb.type && $0.subtype == fb.subtype }
    }
}
