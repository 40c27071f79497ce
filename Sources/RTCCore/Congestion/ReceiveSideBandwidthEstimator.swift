/// A receive-side bandwidth estimate for REMB, for senders that do not offer transport-wide
/// congestion control (aiortc): the same inter-group delay, trendline, overuse detector and
/// AIMD as the send side, fed by arrival times and the abs-send-time header extension, and
/// with the incoming bitrate in place of the acknowledged one.
///
/// abs-send-time is 6.18 fixed-point seconds in 24 bits (wraps every 64 s); it is unwrapped
/// here (a step over half the range backwards is a reordered packet, not a wrap).
///
/// ``pollREMB(now:)`` yields the value to send: the first once 100 ms of traffic was seen,
/// then every `interval` (1 s), and at once when the estimate fell by 3 % or more since the
/// last one sent (libwebrtc's behaviour: decreases must reach the sender quickly).
public struct ReceiveSideBandwidthEstimator: Sendable {
    public var interval: Duration
    public private(set) var grouping = PacketGroupDelta()
    public private(set) var trendline = TrendlineFilter()
    public private(set) var detector = OveruseDetector()
    public private(set) var rateControl: AIMDRateControl
    public private(set) var incoming = AcknowledgedBitrateEstimator(window: .milliseconds(500))
    private var lastRaw: UInt32?
    private var extendedTicks: Int64 = 0
    private var lastSent: (value: Double, at: Instant)?
    private var firstArrival: Instant?
    private var lastArrival: Instant?
    /// Packets seen.
    public private(set) var packets = 0

    public static let ticksPerSecond: Int64 = 1 << 18

    public init(startBitrate: Double = 300_000, minBitrate: Double = 30_000, maxBitrate: Double = 20_000_000,
                interval: Duration = .seconds(1)) {
        rateControl = AIMDRateControl(startBitrate: startBitrate, minBitrate: minBitrate, maxBitrate: maxBitrate)
        self.interval = interval
    }

    /// The current estimate in bps.
    public var bitrate: Int64 { Int64(rateControl.bitrate) }
    public var usage: BandwidthUsage { detector.state }

    public mutating func onRTT(_ rtt: Duration) { rateControl.rtt = rtt }

    /// The send time a 24-bit abs-send-time value stands for, unwrapped against the highest
    /// seen so far (a value up to half the range behind it is an older, reordered packet).
    mutating func sendTime(_ raw: UInt32) -> Instant {
        let v = raw & 0xFF_FFFF
        var ext = Int64(v)
        if let last = lastRaw {
            var d = Int64((v &- last) & 0xFF_FFFF)
            if d >= 1 << 23 { d -= 1 << 24 }
            ext = extendedTicks &+ d
            if d > 0 {
                lastRaw = v
                extendedTicks = ext
            }
        } else {
            lastRaw = v
            extendedTicks = ext
        }
        // Ticks × 10^9 / 2^18, split so no extended value overflows.
        let ns = (ext >> 18) &* 1_000_000_000 &+ ((ext & 0x3FFFF) &* 1_000_000_000) >> 18
        return Instant(nanoseconds: ns)
    }

    /// One received RTP packet.
    /// - Parameters:
    ///   - arrivalTime: when it arrived (the caller's clock).
    ///   - absoluteSendTime: the 24-bit abs-send-time extension value.
    ///   - size: bytes (payload + headers, consistently).
    public mutating func onPacket(arrivalTime: Instant, absoluteSendTime: UInt32, size: Int) {
        packets &+= 1
        if firstArrival == nil { firstArrival = arrivalTime }
        lastArrival = arrivalTime
        let send = sendTime(absoluteSendTime)
        incoming.add(arrivalTime: arrivalTime, size: size)
        guard let d = grouping.add(sendTime: send, arrivalTime: arrivalTime, size: size) else { return }
        let sendMs = Double(d.sendDelta.rtcNanoseconds) / 1e6
        let arrivalMs = Double(d.arrivalDelta.rtcNanoseconds) / 1e6
        let m = trendline.update(sendDeltaMs: sendMs, arrivalDeltaMs: arrivalMs,
                                 arrivalTimeMs: Double(d.arrivalTime.nanoseconds) / 1e6)
        let u = detector.detect(modifiedTrend: m, trend: trendline.slope, sendDeltaMs: sendMs,
                                samples: trendline.sampleCount, now: arrivalTime)
        let rate = incoming.bitrate
        if u == .overusing {
            if rateControl.timeToReduceFurther(now: arrivalTime, ackedBitrate: rate) {
                rateControl.update(.overusing, ackedBitrate: rate, now: arrivalTime)
            }
        } else {
            rateControl.update(u, ackedBitrate: rate, now: arrivalTime)
        }
    }

    /// When the next periodic REMB is due.
    public func nextTimeout() -> (Instant, CongestionTimeoutReason)? {
        guard let first = firstArrival else { return nil }
        guard let s = lastSent else { return (first + .milliseconds(100), .remb) }
        return (s.at + interval, .remb)
    }

    /// The REMB bitrate to send now, if one is due.
    public mutating func pollREMB(now: Instant) -> UInt64? {
        guard let first = firstArrival, now - first >= .milliseconds(100) else { return nil }
        let v = rateControl.bitrate
        let due: Bool
        if let s = lastSent {
            due = now - s.at >= interval || v < 0.97 * s.value
        } else {
            due = true
        }
        guard due else { return nil }
        lastSent = (v, now)
        return UInt64(max(0, v))
    }
}
