/// The state of the retransmission timer of the flight in progress, in virtual time
/// (RFC 6347 §4.2.4, Figure 3: PREPARING → SENDING → WAITING, timer expiry → SENDING).
///
/// OpenSSL decides *whether* a flight awaits an answer; this decides *when* to resend it.
struct DTLSRetransmissionTimer: Sendable, Hashable {
    let policy: DTLSRetransmissionPolicy
    /// When the flight is resent next; nil when no flight awaits an answer.
    private(set) var deadline: Instant?
    /// The current timeout (doubles on every expiry, up to the policy's maximum).
    private(set) var timeout: Duration
    /// Retransmissions of the current flight so far.
    private(set) var retransmissions = 0

    init(policy: DTLSRetransmissionPolicy) {
        self.policy = policy
        self.timeout = policy.initialTimeout
    }

    /// A new flight was sent at `now`: the schedule starts over.
    mutating func start(now: Instant) {
        timeout = policy.initialTimeout
        retransmissions = 0
        deadline = now + timeout
    }

    /// The flight was answered (or the endpoint stopped).
    mutating func stop() {
        deadline = nil
    }

    /// True when the timer is armed and `now` has reached its deadline.
    func isExpired(now: Instant) -> Bool {
        guard let d = deadline else { return false }
        return now >= d
    }

    /// The deadline passed at `now`. Returns true when the flight should be resent (and arms
    /// the next, doubled deadline), false when the retransmission budget is spent (and stops).
    mutating func expire(now: Instant) -> Bool {
        guard retransmissions < policy.maximumRetransmissions else {
            deadline = nil
            return false
        }
        retransmissions &+= 1
        let doubled = timeout + timeout
        timeout = doubled < policy.maximumTimeout ? doubled : policy.maximumTimeout
        deadline = now + timeout
        return true
    }
}
