/// The fate of one sent packet as reported by transport-wide congestion control feedback:
/// what the sender recorded when it sent it, joined with what the receiver reported.
///
/// Produced by ``TransportFeedbackAdapter`` in send order. `arrivalTime` is on the
/// receiver's clock (the feedback's time base, unwrapped across feedback packets): only
/// differences between arrival times are meaningful, never a difference with a send time.
public struct PacketFeedback: Hashable, Sendable, CustomStringConvertible {
    /// Transport-wide sequence number extended to 64 bits (never wraps).
    public var sequenceNumber: Int64
    public var sendTime: Instant
    /// Arrival time on the receiver's clock, nil when the feedback reports it lost.
    public var arrivalTime: Instant?
    /// Size in bytes as recorded by the sender (the whole datagram or the RTP packet; the
    /// caller chooses and stays consistent).
    public var size: Int
    /// The probe cluster the packet belonged to, if any.
    public var probeClusterID: Int?

    @inlinable
    public init(sequenceNumber: Int64, sendTime: Instant, arrivalTime: Instant?, size: Int,
                probeClusterID: Int? = nil) {
        self.sequenceNumber = sequenceNumber
        self.sendTime = sendTime
        self.arrivalTime = arrivalTime
        self.size = size
        self.probeClusterID = probeClusterID
    }

    @inlinable public var isReceived: Bool { arrivalTime != nil }

    public var description: String {
        let a = arrivalTime.map { "\($0)" } ?? "lost"
        return "#\(sequenceNumber) sent \(sendTime) \(size)B → \(a)"
    }
}
