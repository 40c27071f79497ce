/// The abs-send-time header extension value
/// (http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time): the send time in seconds as
/// an unsigned 6.18 fixed-point number, i.e. the low 24 bits of seconds × 2^18.
///
/// ```
///  0                   1                   2
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | seconds (6)|       fraction of a second (18)   |   wraps every 64 s
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
public enum AbsoluteSendTime {
    /// The 24-bit value for `instant` (instants before zero map to 0).
    public static func value(at instant: Instant) -> UInt32 {
        let ns = max(0, instant.nanoseconds)
        let seconds = ns / 1_000_000_000
        let fraction = ns % 1_000_000_000
        // fraction < 10^9, so fraction << 18 < 2.7e14: no overflow.
        let fixed = (seconds << 18) | ((fraction << 18) / 1_000_000_000)
        return UInt32(truncatingIfNeeded: fixed) & 0xFF_FFFF
    }
}
