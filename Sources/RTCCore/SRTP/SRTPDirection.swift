/// Which way an ``SRTPSession`` works: one session per direction per DTLS association.
///
/// RFC 5764 §4.2: each side protects with its own ("local") master key and salt and
/// unprotects with the peer's ("remote") ones.
public enum SRTPDirection: Sendable, Hashable {
    /// Unprotects packets from the peer, with the remote master key. Streams are added on the
    /// first authenticated packet of each new SSRC (libsrtp2 `ssrc_any_inbound`).
    case inbound
    /// Protects packets to the peer, with the local master key (libsrtp2 `ssrc_any_outbound`).
    case outbound
}
