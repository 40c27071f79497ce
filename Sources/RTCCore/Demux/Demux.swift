/// First-byte demultiplexing of the single media port (RFC 7983 §7, updating RFC 5764 §5.1.2).
///
/// One UDP 5-tuple carries STUN, DTLS, TURN ChannelData and SRTP/SRTCP. The first byte of
/// every datagram tells them apart; RTP and RTCP share the 128...191 range and are told apart by
/// the second byte (RFC 5761 §4): RTCP packet types 192...223 (SR 200, RR 201, ..., feedback
/// 205/206) cannot collide with an RTP marker bit plus a dynamic payload type 64...95, which
/// RFC 5761 forbids for RTP.
///
/// ```
///                 +----------------+
///                 |        [0..3] -+--> STUN
///                 |      [16..19] -+--> ZRTP (unknown here)
///     packet -->  |      [20..63] -+--> DTLS
///                 |      [64..79] -+--> TURN ChannelData
///                 |    [128..191] -+--> RTP / RTCP (second byte 192..223 = RTCP)
///                 +----------------+
/// ```
///
/// Classification reads at most two bytes in place: no copy, no allocation, never traps.
public enum Demux {
    @inlinable
    public static func classify(_ bytes: UnsafeRawBufferPointer) -> DemuxedKind {
        guard let first = bytes.first else { return .unknown }
        switch first {
        case 0...3: return .stun
        case 20...63: return .dtls
        case 64...79: return .turnChannel
        case 128...191:
            guard bytes.count >= 2 else { return .unknown }
            let second = bytes[1]
            return (192...223).contains(second) ? .rtcp : .rtp
        default: return .unknown
        }
    }
}
