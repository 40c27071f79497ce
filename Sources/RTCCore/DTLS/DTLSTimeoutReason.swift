/// Why a ``DTLSEndpoint`` wants to be woken up (see ``DTLSEndpoint/nextTimeout()``).
public enum DTLSTimeoutReason: Sendable, Hashable {
    /// The flight sent last has not been answered: retransmit it (RFC 6347 §4.2.4), or give up
    /// when the retransmission budget is spent.
    case retransmit
}
