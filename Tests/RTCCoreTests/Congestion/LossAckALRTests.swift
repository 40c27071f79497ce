import Testing
@testable import RTCCore

@Suite struct AcknowledgedBitrateEstimatorTests {
    typealias S = CongestionTestSupport

    @Test func steadyRateOverTheWindow() {
        var a = AcknowledgedBitrateEstimator(window: .milliseconds(350))
        // 1000 bytes every 10 ms = 800 kbps.
        for i in 0..<9 { a.add(arrivalTime: S.ms(Int64(i) * 10), size: 1000) }
        #expect(a.bitrate == nil)   // 80 ms seen: not yet
        for i in 9..<100 { a.add(arrivalTime: S.ms(Int64(i) * 10), size: 1000) }
        // Window (640, 990]: 35 packets × 8000 bits / 0.35 s.
        #expect(abs(a.bitrate! - 800_000) < 1)
    }

    @Test func followsADrop() {
        var a = AcknowledgedBitrateEstimator(window: .milliseconds(350))
        for i in 0..<100 { a.add(arrivalTime: S.ms(Int64(i) * 10), size: 1000) }   // 800 kbps
        for i in 0..<35 { a.add(arrivalTime: S.ms(1000 + Int64(i) * 40), size: 1000) }  // 200 kbps
        #expect(abs(a.bitrate! - 200_000) < 25_000)
    }

    @Test func aFullRingShortensTheSpanNotTheRate() {
        var a = AcknowledgedBitrateEstimator(window: .seconds(1), capacity: 16)
        for i in 0..<100 { a.add(arrivalTime: S.ms(Int64(i) * 10), size: 1000) }
        // 16 samples over 150 ms: 15 intervals… the sum holds 16 packets over 150 ms.
        #expect(abs(a.bitrate! - 16 * 8000 / 0.15) < 1)
    }

    @Test func batchFormSkipsLostPackets() {
        var a = AcknowledgedBitrateEstimator()
        var batch: [PacketFeedback] = []
        for i in 0..<30 {
            batch.append(PacketFeedback(sequenceNumber: Int64(i), sendTime: S.ms(Int64(i) * 10),
                                        arrivalTime: i % 2 == 0 ? S.ms(Int64(i) * 10) : nil, size: 500))
        }
        a.add(batch)
        // 15 packets in (0, 280]: the first at 0 is in; span 280 ms.
        #expect(abs(a.bitrate! - 15 * 4000 / 0.28) < 1)
    }
}

@Suite struct LossBasedControllerTests {
    typealias S = CongestionTestSupport

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var lossPercent: [Int]   // per 250 ms evaluation, 100 packets each
        var limits: [Double?]    // limit after each evaluation (target 1 Mbps, delay-based 1 Mbps)
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "low loss never limits", lossPercent: [0, 1, 2, 5, 9], limits: [nil, nil, nil, nil, nil]),
        // 20 %: 1M × 0.9 = 900k; next 20 % 250 ms later is within 300 ms + RTT (200): held.
        Case(name: "high loss decreases, spaced", lossPercent: [20, 20, 20],
             limits: [900_000, 900_000, 810_000]),
        // 50 %: 1M × 0.75; then 5 %: hold; then 0 %: grows by 1.08^0.25 and +250 bps.
        Case(name: "hold between thresholds, then grow", lossPercent: [50, 5, 0],
             limits: [750_000, 750_000, 750_000 * 1.019_426_546 + 250]),
    ]

    @Test(arguments: cases)
    func limits(_ c: Case) {
        var l = LossBasedController()
        var out: [Double?] = []
        for (i, p) in c.lossPercent.enumerated() {
            let now = S.ms(Int64(i + 1) * 250)
            l.add(received: 100 - p, lost: p, now: S.ms(Int64(i) * 250))
            let evaluated = l.evaluate(currentTarget: 1_000_000, delayBasedBitrate: 1_000_000, now: now)
            #expect(evaluated)
            out.append(l.limit)
        }
        #expect(out.count == c.limits.count)
        for (a, b) in zip(out, c.limits) {
            if let a, let b { #expect(abs(a - b) < 1, "\(a) vs \(b)") } else { #expect(a == nil && b == nil) }
        }
    }

    @Test func needsEnoughPacketsAndTime() {
        var l = LossBasedController()
        l.add(received: 5, lost: 5, now: S.ms(0))
        let few = l.evaluate(currentTarget: 1e6, delayBasedBitrate: 1e6, now: S.ms(500))  // 10 packets
        #expect(!few)
        l.add(received: 50, lost: 0, now: S.ms(500))
        let early = l.evaluate(currentTarget: 1e6, delayBasedBitrate: 1e6, now: S.ms(100))  // 100 ms
        #expect(!early)
        let enough = l.evaluate(currentTarget: 1e6, delayBasedBitrate: 1e6, now: S.ms(600))
        #expect(enough)
        #expect(abs(l.lossFraction - 5.0 / 60) < 1e-12)
    }

    @Test func growthPastTheDelayEstimateLiftsTheLimit() {
        var l = LossBasedController()
        l.add(received: 50, lost: 50, now: S.ms(0))
        l.evaluate(currentTarget: 1e6, delayBasedBitrate: 1e6, now: S.ms(250))
        #expect(l.limit == 750_000)
        for i in 2...40 {
            l.add(received: 100, lost: 0, now: S.ms(Int64(i - 1) * 250))
            l.evaluate(currentTarget: 1e6, delayBasedBitrate: 1e6, now: S.ms(Int64(i) * 250))
        }
        #expect(l.limit == nil)   // 1.08^(39/4) × 750k > 1M
    }
}

@Suite struct ALRDetectorTests {
    typealias S = CongestionTestSupport

    @Test func entersWhenSendingLittleAndLeavesWhenSendingMore() {
        var a = ALRDetector(estimate: 1_000_000)
        // 1 Mbps estimate, 65 %: the budget refills 81,250 B/s, max 40,625 B.
        // Sending 200 kbps (2,500 B every 100 ms): the budget grows by 5,625 B per 100 ms.
        var entered: Int64?
        for i in 0..<30 {
            a.onPacketSent(size: 2500, now: S.ms(Int64(i) * 100))
            if a.isApplicationLimited, entered == nil { entered = Int64(i) * 100 }
        }
        // > 80 % of 40,625 = 32,500 B: after ceil(32,500 / 5,625) = 6 steps → 600 ms.
        #expect(entered == 600)
        // Now send 2 Mbps (25,000 B per 100 ms): drains 16,875 B per step.
        var left: Int64?
        for i in 30..<40 {
            a.onPacketSent(size: 25_000, now: S.ms(Int64(i) * 100))
            if !a.isApplicationLimited, left == nil { left = Int64(i) * 100 }
        }
        // From 40,625 − 2,500 (full, minus the packet at 2.9 s): 38,125 + 8,125 − 25,000 = 21,250 < 50 %.
        #expect(left == 3000)
        #expect(a.endTime == S.ms(3000))
    }

    @Test func sendingAtTheEstimateIsNotApplicationLimited() {
        var a = ALRDetector(estimate: 1_000_000)
        for i in 0..<100 { a.onPacketSent(size: 1250, now: S.ms(Int64(i) * 10)) }
        #expect(!a.isApplicationLimited && a.budgetRatio <= 0)
    }
}
