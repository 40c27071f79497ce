/// A codec both sides agreed on in one m-section: its payload type, its RTX payload type
/// (RFC 4588 `apt`), format parameters and RTCP feedback (RFC 4585).
public struct NegotiatedCodec: Hashable, Sendable {
    public var type: SDPCodecType
    public var encodingName: String
    public var clockRate: UInt32
    public var channels: UInt16?
    public var payloadType: PayloadType
    public var rtxPayloadType: PayloadType?
    public var parameters: [SDPParameter]
    public var feedback: [SDPRtcpFeedback]

    public init(type: SDPCodecType, encodingName: String, clockRate: UInt32, channels: UInt16? = nil,
                payloadType: PayloadType, rtxPayloadType: PayloadType? = nil,
                parameters: [SDPParameter] = [], feedback: [SDPRtcpFeedback] = []) {
        self.type = type
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.channels = channels
        self.payloadType = payloadType
        self.rtxPayloadType = rtxPayloadType
        self.parameters = parameters
        self.feedback = feedback
    }

    func has(_ type: String, _ subtype: String? = nil) -> Bool {
        feedback.contains { $0.type == type && $0.subtype == subtype }
    }

    /// `nack` (RFC 4585 §6.2.1): the receiver asks for retransmissions.
    public var nack: Bool { has("nack") }
    /// `nack pli` (RFC 4585 §6.3.1).
    public var pli: Bool { has("nack", "pli") }
    /// `ccm fir` (RFC 5104 §4.3.1).
    public var fir: Bool { has("ccm", "fir") }
    /// `goog-remb`.
    public var remb: Bool { has("goog-remb") }
    /// `transport-cc` (draft-holmer-rmcat-transport-wide-cc-extensions).
    public var transportCC: Bool { has("transport-cc") }
}
