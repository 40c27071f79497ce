/// Packet counters of one ``SRTPSession`` (RTP and RTCP together).
///
/// Every packet given to the session increments exactly one counter: a success
/// (`protected` / `unprotected`) or the reason it was dropped.
public struct SRTPStats: Sendable, Hashable {
    /// Packets protected (outbound RTP and RTCP).
    public var protected: UInt64 = 0
    /// Packets authenticated, decrypted and accepted (inbound RTP and RTCP).
    public var unprotected: UInt64 = 0
    /// Inbound packets whose authentication tag did not verify (RFC 3711 §3.3 step 7,
    /// RFC 7714 §10): tampered, wrong key, or not SRTP at all.
    public var authFailures: UInt64 = 0
    /// Packets refused by replay protection (RFC 3711 §3.3.2): already seen, or older than the
    /// replay window. Outbound: an index protected twice.
    public var replays: UInt64 = 0
    /// Packets refused for any other reason: malformed header, too short, no room for the
    /// trailer, or a libsrtp2 failure.
    public var otherErrors: UInt64 = 0

    public init() {}
}
