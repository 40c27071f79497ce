/// The DTLS flight retransmission schedule, in the caller's (virtual) time (RFC 6347 §4.2.4).
///
/// Defaults: 250 ms initial timeout, doubling per retransmission, capped at 4 s, giving up
/// after 10 retransmissions (≈ 32 s after the flight was first sent).
///
/// Why not RFC 6347's 1 s initial / 60 s cap: in WebRTC the handshake gates all media, and
/// ICE has just measured a working path, so a lost flight should be resent within a few RTTs
/// (a 250 ms first timeout is ~5 RTTs on typical paths, and a spurious retransmission costs
/// only one flight of 1–3 KB). Capping at 4 s keeps recovery quick after a loss burst, and the
/// total budget (~32 s) matches ICE consent freshness (RFC 7675: 30 s), which would end the
/// session anyway. OpenSSL's own limit (12 timer expiries per flight) is never reached.
/// Callers that know the ICE RTT may set `initialTimeout` to a few RTTs.
public struct DTLSRetransmissionPolicy: Sendable, Hashable {
    public var initialTimeout: Duration
    public var maximumTimeout: Duration
    /// Retransmissions of one flight before the handshake fails with `.handshakeTimeout`;
    /// at most ``maximumPreparedRetransmissions`` are actually sent.
    public var maximumRetransmissions: Int

    /// OpenSSL fails a flight after 12 timer expiries, so it can produce at most 11
    /// retransmissions of one flight.
    public static let maximumPreparedRetransmissions = 11

    public init(
        initialTimeout: Duration = .milliseconds(250),
        maximumTimeout: Duration = .seconds(4),
        maximumRetransmissions: Int = 10
    ) {
        self.initialTimeout = initialTimeout
        self.maximumTimeout = maximumTimeout
        self.maximumRetransmissions = maximumRetransmissions
    }
}
