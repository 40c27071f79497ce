/// Something a ``DTLSEndpoint`` reports to its owner through ``DTLSOutput/event(_:)``.
public enum DTLSEvent: Sendable, Hashable {
    /// The handshake completed and the peer's certificate matched its SDP fingerprint: start
    /// SRTP with these keys (RFC 5764 §4.2).
    case connected(SRTPProfile, DTLSSRTPKeys)
    /// The handshake or connection failed. No keys were (or will be) released.
    case failed(DTLSError)
    /// close_notify was sent or received (RFC 5246 §7.2.1).
    case closed
    /// One decrypted application data record (e.g. an SCTP packet, RFC 8261).
    case applicationData([UInt8])
}
