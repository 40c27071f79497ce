/// A request to send a probe cluster: a short burst at `bitrate` made of media, RTX or padding
/// packets, each recorded with ``id`` as its probe cluster so the result can be measured from
/// the feedback.
///
/// The cluster is complete once at least ``minPackets`` packets and ``minBytes`` bytes have
/// been sent (``PacketPacer`` does this when given the request).
public struct ProbeClusterRequest: Hashable, Sendable, CustomStringConvertible {
    public var id: Int
    /// The rate to send the cluster at, in bps.
    public var bitrate: Int64
    public var minPackets: Int
    public var minBytes: Int
    /// When it was requested.
    public var createdAt: Instant

    public init(id: Int, bitrate: Int64, minPackets: Int, minBytes: Int, createdAt: Instant) {
        self.id = id
        self.bitrate = bitrate
        self.minPackets = minPackets
        self.minBytes = minBytes
        self.createdAt = createdAt
    }

    public var description: String { "probe #\(id) \(bitrate / 1000) kbps ≥\(minPackets) pkts ≥\(minBytes) B" }
}
