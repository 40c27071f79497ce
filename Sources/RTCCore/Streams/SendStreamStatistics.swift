/// Send-side statistics of one outgoing RTP stream (one SSRC): the packet and octet counts
/// and the NTP/RTP timestamp pair of sender reports (RFC 3550 §6.4.1), and the round-trip
/// time computed from the reception reports that come back (§6.4.1, LSR and DLSR).
///
/// ```
///  sender info built by senderReport(now:clock:)
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |              NTP timestamp, most significant word             |  clock.ntpTime(at: now)
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |             NTP timestamp, least significant word             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         RTP timestamp                         |  last + (now − sent) × rate
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                     sender's packet count                     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                      sender's octet count                     |  payload octets only
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
///  RTT = A − LSR − DLSR   (A: compact NTP time the report arrived; 1/65536 s units)
/// ```
///
/// The RTP timestamp of a report is extrapolated from the newest timestamp sent and when it
/// was sent, so it corresponds to the report's NTP time on the media clock. No heap.
public struct SendStreamStatistics: Sendable {
    public let ssrc: SSRC
    /// RTP clock rate in Hz.
    public let clockRate: UInt32

    /// Packets sent (RFC 3550: the sender's packet count, wrapping on the wire).
    public private(set) var packetsSent: UInt64 = 0
    /// Payload octets sent, headers and padding excluded (the sender's octet count).
    public private(set) var payloadBytesSent: UInt64 = 0
    private var lastTimestamp: UInt32 = 0
    private var lastTimestampSentAt: Instant?

    /// The round-trip time from the newest usable reception report.
    public private(set) var roundTripTime: Duration?
    /// The newest reception report received about this stream.
    public private(set) var lastReceptionReport: ReceptionReport?

    public init(ssrc: SSRC, clockRate: UInt32) {
        self.ssrc = ssrc
        self.clockRate = clockRate
    }

    /// Records a packet sent with RTP timestamp `timestamp` and `payloadLength` payload octets.
    public mutating func handleSent(timestamp: UInt32, payloadLength: Int, now: Instant) {
        packetsSent &+= 1
        payloadBytesSent &+= UInt64(max(payloadLength, 0))
        if lastTimestampSentAt == nil || Int32(bitPattern: timestamp &- lastTimestamp) > 0 {
            lastTimestamp = timestamp
            lastTimestampSentAt = now
        }
    }

    /// Records a packet sent, given its header.
    public mutating func handleSent(_ header: RTPHeader, now: Instant) {
        handleSent(timestamp: header.timestamp, payloadLength: header.payloadLength, now: now)
    }

    /// The RTP timestamp that corresponds to `now` on this stream's media clock, nil before
    /// the first packet.
    public func rtpTimestamp(at now: Instant) -> UInt32? {
        guard let at = lastTimestampSentAt else { return nil }
        let ticks = RTPTicks.ticks(now - at, clockRate: clockRate)
        return lastTimestamp &+ UInt32(truncatingIfNeeded: ticks)
    }

    /// The sender report for this stream at `now` (nil before the first packet: RFC 3550
    /// §6.4 sends an RR until then). `reports` are the blocks of the streams this endpoint
    /// receives.
    public func senderReport(
        now: Instant, clock: NTPClock, reports: [ReceptionReport] = []
    ) -> SenderReport? {
        guard let rtp = rtpTimestamp(at: now) else { return nil }
        return SenderReport(
            ssrc: ssrc, ntpTime: clock.ntpTime(at: now), rtpTime: rtp,
            packetCount: UInt32(truncatingIfNeeded: packetsSent),
            octetCount: UInt32(truncatingIfNeeded: payloadBytesSent), reports: reports)
    }

    /// The round-trip time from a report block's LSR and DLSR, received at `now`: nil when
    /// the receiver has not had a sender report yet (LSR = 0). A negative result (clock
    /// skew, a stale LSR) is reported as zero.
    public static func roundTripTime(
        _ report: ReceptionReport, receivedAt now: Instant, clock: NTPClock
    ) -> Duration? {
        guard report.lastSenderReport != 0 else { return nil }
        let a = clock.compactNTPTime(at: now)
        let rtt = a &- report.lastSenderReport &- report.delaySinceLastSenderReport
        guard Int32(bitPattern: rtt) >= 0 else { return .zero }
        return NTPClock.duration(compact: rtt)
    }

    /// Handles a reception report block about this stream (from an RR or an SR).
    ///
    /// - Returns: the round-trip time it yields, if any (also kept in ``roundTripTime``).
    @discardableResult
    public mutating func handle(receptionReport report: ReceptionReport, now: Instant, clock: NTPClock) -> Duration? {
        guard report.ssrc == ssrc else { return nil }
        lastReceptionReport = report
        guard let rtt = Self.roundTripTime(report, receivedAt: now, clock: clock) else { return nil }
        roundTripTime = rtt
        return rtt
    }
}
