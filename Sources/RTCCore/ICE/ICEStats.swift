/// Counters kept by the ICE agents: every datagram dropped or refused is counted under a
/// named reason.
public struct ICEStats: Sendable, Hashable {
    /// Binding requests received (any validity).
    public var requestsReceived = 0
    /// Binding requests that passed USERNAME and MESSAGE-INTEGRITY checks.
    public var requestsAccepted = 0
    /// Success responses sent.
    public var successResponsesSent = 0
    /// 400 Bad Request sent (missing USERNAME/MESSAGE-INTEGRITY, malformed attribute).
    public var badRequestsSent = 0
    /// 401 Unauthorized sent (unknown USERNAME or MESSAGE-INTEGRITY mismatch).
    public var unauthorizedSent = 0
    /// 420 Unknown Attribute sent.
    public var unknownAttributeSent = 0
    /// 487 Role Conflict sent.
    public var roleConflictsSent = 0
    /// Messages that could not be written (a value out of range, e.g. an oversized ufrag from
    /// the peer's description): not sent, counted here.
    public var messagesNotWritten = 0
    /// Datagrams dropped: not STUN, malformed, or a bad FINGERPRINT.
    public var malformedDropped = 0
    /// Binding indications (keep-alives) received and ignored.
    public var indicationsReceived = 0
    /// Messages of another method or class that an agent does not handle.
    public var unexpectedDropped = 0
    /// Responses received that matched an outstanding transaction.
    public var responsesReceived = 0
    /// Responses dropped: no matching transaction, failed integrity, or non-symmetric.
    public var responsesDropped = 0
    /// Binding requests sent (first transmissions).
    public var requestsSent = 0
    /// Retransmissions of requests.
    public var retransmissions = 0
    /// Transactions that got no response.
    public var transactionTimeouts = 0
    /// Consent-freshness checks sent.
    public var consentChecksSent = 0
    /// Role switches after a role conflict.
    public var roleSwitches = 0

    public init() {}
}
