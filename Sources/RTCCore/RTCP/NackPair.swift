/// One FCI entry of a generic NACK (RFC 4585 §6.2.1): a packet ID and a bitmask of the
/// following lost packets.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |            PID                |             BLP               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// PID is a lost sequence number; bit i of BLP (least significant = bit 0) reports
/// PID + i + 1 as lost too. One pair reports up to 17 packets.
public struct NackPair: Hashable, Sendable {
    public var packetID: SequenceNumber
    /// BLP: bitmask of following lost packets.
    public var lostBitmask: UInt16

    public static let size = 4

    public init(packetID: SequenceNumber, lostBitmask: UInt16 = 0) {
        self.packetID = packetID
        self.lostBitmask = lostBitmask
    }

    /// Number of sequence numbers this pair reports (1…17).
    public var count: Int { 1 &+ lostBitmask.nonzeroBitCount }

    /// Calls `body` with each reported sequence number in order (PID first); wraps at 65535.
    @inlinable
    public func forEachSequenceNumber<E: Error>(
        _ body: (SequenceNumber) throws(E) -> Void
    ) throws(E) {
        try body(packetID)
        var mask = lostBitmask
        while mask != 0 {
            let bit = mask.trailingZeroBitCount
            try body(packetID &+ UInt16(bit &+ 1))
            mask &= mask &- 1
        }
    }

    /// The reported sequence numbers, PID first.
    public var sequenceNumbers: [SequenceNumber] {
        var out: [SequenceNumber] = []
        out.reserveCapacity(count)
        forEachSequenceNumber { out.append($0) }
        return out
    }
}
