/// Why a stream component asked to be woken (the `Reason` of its `nextTimeout()`).
public enum StreamTimeoutReason: Sendable, Hashable {
    /// A lost packet's first NACK or next retry is due (RFC 4585 §3.2, §6.2.1).
    case nack
    /// A throttled keyframe request may now be sent (RFC 4585 §6.3.1, RFC 5104 §4.3.1).
    case keyframeRequest
    /// A keyframe request was not answered with a keyframe: repeat it.
    case keyframeRequestRetry
}
