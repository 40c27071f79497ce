/// Why an ICE agent asked to be woken (the `Reason` of `nextTimeout()`).
public enum ICETimeoutReason: Sendable, Hashable {
    /// Pacing: the next connectivity check may be sent (Ta, RFC 8445 §14.2).
    case pacing
    /// A STUN transaction must be retransmitted or has timed out (RTO, RFC 8489 §6.2.1).
    case retransmit
    /// Regular nomination waits for better pairs before nominating (RFC 8445 §8.1.1).
    case nomination
    /// A consent-freshness check is due on the selected pair (RFC 7675 §5.1).
    case consentCheck
    /// Consent is about to lapse: the disconnected or failed threshold (RFC 7675 §5.1).
    case consentExpiry
    /// No pair was selected within the checking timeout.
    case checkingTimeout
}
