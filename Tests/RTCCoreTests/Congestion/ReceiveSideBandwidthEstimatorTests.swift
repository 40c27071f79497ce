import Testing
@testable import RTCCore

@Suite struct ReceiveSideBandwidthEstimatorTests {
    typealias S = CongestionTestSupport

    @Test func absSendTimeUnwraps() {
        var r = ReceiveSideBandwidthEstimator()
        // 63.5 s, then 0.5 s after the 64 s wrap, then a reordered 63.9 s.
        let a = r.sendTime(UInt32(63.5 * 262_144))
        let b = r.sendTime(UInt32(0.5 * 262_144))
        let c = r.sendTime(UInt32(63.9 * 262_144))
        #expect(b - a == .seconds(1))
        #expect(abs(Double((c - a).rtcNanoseconds) / 1e6 - 400) < 0.01)
        // The reordered value did not move the reference.
        let d = r.sendTime(UInt32(0.6 * 262_144))
        #expect(abs(Double((d - b).rtcNanoseconds) / 1e6 - 100) < 0.01)
    }

    /// 1200-byte packets at `rate` through a `capacity` bottleneck (abs-send-time from the
    /// send clock), `seconds` long; returns the REMB values polled (bps) with their times.
    func run(_ r: inout ReceiveSideBandwidthEstimator, rate: Double, capacity: Double,
             from: Double, seconds: Double, linkFree: inout Double) -> [(Double, UInt64)] {
        var out: [(Double, UInt64)] = []
        var t = from
        while t < from + seconds {
            let arrival = max(t, linkFree) + 1200 * 8 / capacity
            linkFree = arrival
            r.onPacket(arrivalTime: Instant(nanoseconds: Int64((arrival + 0.03) * 1e9)),
                       absoluteSendTime: AbsoluteSendTime.value(at: Instant(nanoseconds: Int64(t * 1e9))),
                       size: 1200)
            if let v = r.pollREMB(now: Instant(nanoseconds: Int64((arrival + 0.03) * 1e9))) { out.append((arrival, v)) }
            t += 1200 * 8 / rate
        }
        return out
    }

    @Test func estimatesAndReportsOverCapacity() {
        var r = ReceiveSideBandwidthEstimator(startBitrate: 1_000_000)
        var free = 0.0
        let calm = run(&r, rate: 800_000, capacity: 2_000_000, from: 0, seconds: 5, linkFree: &free)
        #expect(r.usage == .normal)
        // Grows, capped at 1.5 × the incoming rate + 10 kbps (the window holds 42 or 41
        // packets of 12 ms: 787–806 kbps).
        #expect(r.bitrate > 1_000_000 && Double(r.bitrate) <= 1.5 * 806_400 + 10_000)
        // About one per second after the first at 100 ms.
        #expect(calm.count >= 5 && calm.count <= 6)
        let congested = run(&r, rate: 1_600_000, capacity: 1_000_000, from: 5, seconds: 2, linkFree: &free)
        #expect(r.bitrate < 1_000_000 && r.bitrate > 600_000)
        // The decrease was reported well before the next periodic one.
        let firstLow = congested.first { $0.1 < 1_000_000 }
        #expect(firstLow != nil && firstLow!.0 < 6.0)
    }

    @Test func remainsSaneAcrossTheAbsSendTimeWrap() {
        var r = ReceiveSideBandwidthEstimator(startBitrate: 500_000)
        var free = 60.0
        _ = run(&r, rate: 500_000, capacity: 5_000_000, from: 60, seconds: 8, linkFree: &free)
        #expect(r.usage == .normal)
        #expect(r.bitrate >= 500_000 && r.grouping.resets == 0)
    }
}
