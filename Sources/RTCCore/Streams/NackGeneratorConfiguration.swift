/// Tuning of a ``NackGenerator``. The defaults follow common WebRTC receivers.
public struct NackGeneratorConfiguration: Sendable, Hashable {
    /// NACKs sent per lost packet before it is given up.
    public var maxRetries: Int
    /// Spacing between NACKs for the same packet when no RTT is known yet.
    public var defaultRTT: Duration
    /// Lower bound on the spacing between NACKs for the same packet (RTT-based otherwise).
    public var minRetryInterval: Duration
    /// Wait before the first NACK for a new gap, so that merely reordered packets are not
    /// requested (0: request at once).
    public var reorderingDelay: Duration
    /// Losses more than this many sequence numbers behind the newest packet are forgotten.
    public var maxPacketAge: Int
    /// Losses older than this (since the gap was seen) are forgotten.
    public var maxLossAge: Duration
    /// Most losses tracked at once; beyond it the list is cut back to the newest keyframe,
    /// or cleared with a keyframe request.
    public var maxListSize: Int
    /// Most NACK pairs (each covering up to 17 packets) in one TransportLayerNack.
    public var maxPairsPerMessage: Int

    public init(
        maxRetries: Int = 10, defaultRTT: Duration = .milliseconds(100),
        minRetryInterval: Duration = .milliseconds(10), reorderingDelay: Duration = .zero,
        maxPacketAge: Int = 10_000, maxLossAge: Duration = .seconds(3), maxListSize: Int = 1000,
        maxPairsPerMessage: Int = 64
    ) {
        self.maxRetries = maxRetries
        self.defaultRTT = defaultRTT
        self.minRetryInterval = minRetryInterval
        self.reorderingDelay = reorderingDelay
        self.maxPacketAge = maxPacketAge
        self.maxLossAge = maxLossAge
        self.maxListSize = maxListSize
        self.maxPairsPerMessage = maxPairsPerMessage
    }
}
