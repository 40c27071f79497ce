/// What a datagram received on the shared media port carries, decided by its first byte
/// (RFC 7983 §7) and, for RTP/RTCP, its second byte (RFC 5761 §4).
public enum DemuxedKind: Sendable, Hashable {
    /// A STUN message (first byte 0...3): ICE connectivity checks and their responses.
    case stun
    /// A DTLS record (first byte 20...63): handshake, alerts, application data.
    case dtls
    /// An RTP packet (first byte 128...191, second byte outside 192...223).
    case rtp
    /// An RTCP packet (first byte 128...191, second byte 192...223).
    case rtcp
    /// A TURN ChannelData message (first byte 64...79, RFC 8656 §12.4).
    case turnChannel
    /// Anything else: empty datagrams, ZRTP (16...19), QUIC, or unassigned ranges.
    case unknown
}
