/// Rewrites the RTP timestamps (RFC 3550 §5.1) of one forwarded stream so that they stay
/// continuous across source switches (simulcast layer switch, new publisher SSRC, publisher
/// restart): each source's timestamps are shifted by an offset chosen when its first packet
/// is forwarded.
///
/// ```
///  source A ts:  7000  10000  13000 |sync| source B ts: 880000  883000
///  wall clock:    0 ms  33 ms  66 ms |    |             100 ms  133 ms
///  output ts:    7000  10000  13000 |    |              16060   19060
///                                  13000 + (100 − 66) ms × 90 kHz = 16060
/// ```
///
/// The re-base puts the new source's first timestamp at the newest output timestamp plus the
/// wall-clock time elapsed since that timestamp was first forwarded (at least one tick, so the
/// new frame never merges with the last one), in units of the clock rate. Within a source
/// the offset is fixed, so the media timing of the source is kept exactly (reordered packets
/// included). Sans-IO: the time of arrival is passed in.
public struct TimestampRewriter: Sendable {
    /// The RTP clock rate in Hz (90,000 for video, 48,000 for Opus).
    public let clockRate: UInt32
    private let initialOutput: UInt32
    private var offset: UInt32 = 0
    private var needsRebase = true
    private var highestOutput: UInt32 = 0
    private var highestOutputAt = Instant.zero
    private var hasOutput = false

    /// - Parameters:
    ///   - clockRate: the media clock rate in Hz.
    ///   - initialOutput: the output timestamp of the first packet ever (RFC 3550 §5.1 says it
    ///     should be random; the caller draws it).
    public init(clockRate: UInt32, initialOutput: UInt32 = 0) {
        self.clockRate = clockRate
        self.initialOutput = initialOutput
    }

    /// The newest output timestamp (in serial order), nil before the first packet.
    public var lastOutput: UInt32? { hasOutput ? highestOutput : nil }

    /// The offset currently added to input timestamps (meaningful after the first input).
    public var currentOffset: UInt32 { offset }

    /// The next ``input(_:now:)`` starts a new source and re-bases the offset.
    public mutating func sync() {
        needsRebase = true
    }

    /// The output timestamp for a forwarded packet with RTP timestamp `timestamp` that is being
    /// forwarded at `now`.
    public mutating func input(_ timestamp: UInt32, now: Instant) -> UInt32 {
        if needsRebase {
            let target: UInt32
            if hasOutput {
                let elapsed = RTPTicks.ticks(now - highestOutputAt, clockRate: clockRate)
                // Stay within half the 32-bit space so the step reads as forward (RFC 1982).
                let step = min(max(elapsed, 1), 0x7FFF_FFFF)
                target = highestOutput &+ UInt32(truncatingIfNeeded: step)
            } else {
                target = initialOutput
            }
            offset = target &- timestamp
            needsRebase = false
        }
        let out = timestamp &+ offset
        if !hasOutput || Int32(bitPattern: out &- highestOutput) > 0 {
            highestOutput = out
            highestOutputAt = now
            hasOutput = true
        }
        return out
    }
}
