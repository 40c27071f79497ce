/// The fate of one packet in transport-wide congestion control feedback: its transport-wide
/// sequence number and, if it was received, its arrival time.
///
/// Arrival times are in microseconds on the feedback's time base: the reference time
/// (a signed 24-bit count of 64 ms) plus the running sum of receive deltas (250 µs units),
/// draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1. The sender of the RTP packets only
/// compares them with each other; the feedback writer chooses the origin.
public struct TWCCPacketResult: Hashable, Sendable, CustomStringConvertible {
    public var sequenceNumber: SequenceNumber
    /// Arrival time in µs, nil when the packet was not received.
    public var arrivalMicroseconds: Int64?

    @inlinable
    public init(sequenceNumber: SequenceNumber, arrivalMicroseconds: Int64?) {
        self.sequenceNumber = sequenceNumber
        self.arrivalMicroseconds = arrivalMicroseconds
    }

    @inlinable public var isReceived: Bool { arrivalMicroseconds != nil }

    public var description: String {
        if let t = arrivalMicroseconds { return "\(sequenceNumber)@\(t)µs" }
        return "\(sequenceNumber) lost"
    }
}
