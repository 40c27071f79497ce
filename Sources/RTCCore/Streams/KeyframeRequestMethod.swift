/// How a keyframe is asked for, as negotiated in SDP (RFC 4585 §4.2 `a=rtcp-fb:* nack pli`,
/// RFC 5104 §7.1 `a=rtcp-fb:* ccm fir`).
public enum KeyframeRequestMethod: Sendable, Hashable {
    /// Picture loss indication (RFC 4585 §6.3.1).
    case pli
    /// Full intra request (RFC 5104 §4.3.1).
    case fir
}
