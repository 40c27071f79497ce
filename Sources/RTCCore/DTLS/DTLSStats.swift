/// Counters of one ``DTLSEndpoint``.
public struct DTLSStats: Sendable, Hashable {
    /// Datagrams given to ``DTLSEndpoint/handle(datagram:now:)`` and passed to OpenSSL.
    public var datagramsReceived: UInt64 = 0
    /// Datagrams the endpoint emitted as `.transmit`.
    public var datagramsSent: UInt64 = 0
    public var bytesReceived: UInt64 = 0
    public var bytesSent: UInt64 = 0
    /// Retransmission timer expiries that resent a flight (RFC 6347 §4.2.4).
    public var retransmissions: UInt64 = 0
    /// Handshakes that ended in `.failed`: OpenSSL errors and alerts, timeouts, fingerprint
    /// mismatches, no SRTP profile.
    public var handshakeFailures: UInt64 = 0
    /// Datagrams ignored because the endpoint was closed or failed, empty or oversized.
    public var ignoredDatagrams: UInt64 = 0
    /// Application data records dropped because the peer was not authenticated yet and the
    /// holding queue was full.
    public var droppedApplicationData: UInt64 = 0

    public init() {}
}
