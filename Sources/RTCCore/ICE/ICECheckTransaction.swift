/// An outstanding Binding request of the full agent (RFC 8489 §6.2.1 client transaction).
struct ICECheckTransaction: Sendable {
    enum Kind: Sendable {
        /// An ordinary or triggered connectivity check (RFC 8445 §7.2.4, §7.3.1.4).
        case check
        /// A check with USE-CANDIDATE (RFC 8445 §8.1.1, regular nomination).
        case nomination
        /// A consent-freshness check (RFC 7675 §5.1): sent once, never retransmitted.
        case consent
    }

    let id: STUNTransactionID
    let pairID: Int
    let kind: Kind
    let bytes: [UInt8]
    let local: TransportAddress
    let remote: TransportAddress
    /// The remote password the request was protected with; the response must use it too.
    let remoteKey: [UInt8]
    /// The role attribute the request carried (for 487 handling, RFC 8445 §7.2.5.1).
    let role: ICERole
    var transmissions: Int
    var rto: Duration
    var deadline: Instant
}
