import Testing
@testable import RTCCore

@Suite struct BitrateAllocatorTests {
    static let camera: [[Int64]] = [[50_000, 100_000, 150_000], [200_000, 350_000, 500_000],
                                    [700_000, 1_200_000, 1_700_000]]
    static let screen: [[Int64]] = [[100_000, 200_000], [400_000, 800_000]]
    static let audio = AllocationInput(id: 0, kind: .audio, layerBitrates: [[40_000]])

    static func video(_ id: Int, _ p: AllocationPriority = .other, layers: [[Int64]] = camera,
                      current: AllocationTarget? = nil, maxS: Int? = nil, maxT: Int? = nil,
                      paused: Bool = false) -> AllocationInput {
        AllocationInput(id: id, kind: .video, priority: p, layerBitrates: layers, maxSpatial: maxS,
                        maxTemporal: maxT, pausedByPreference: paused, current: current)
    }

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var available: Int64
        var tracks: [AllocationInput]
        var targets: [AllocationTarget]
        var allocated: Int64
        var reduced: [Int]
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "plenty: audio and the top layer", available: 3_000_000, tracks: [audio, video(1)],
             targets: [.layer(spatial: 0, temporal: 0), .layer(spatial: 2, temporal: 2)],
             allocated: 1_740_000, reduced: []),
        // 560k after audio: …350k, then 500k needs 150k + 10 % of 500k = 200k ≤ 210k; 700k does not fit.
        Case(name: "600k: the middle layer", available: 600_000, tracks: [audio, video(1)],
             targets: [.layer(spatial: 0, temporal: 0), .layer(spatial: 1, temporal: 2)],
             allocated: 540_000, reduced: [1]),
        // 500k left: staying at the current 500k needs no headroom…
        Case(name: "hysteresis: stay at the current layer", available: 540_000,
             tracks: [audio, video(1, current: .layer(spatial: 1, temporal: 2))],
             targets: [.layer(spatial: 0, temporal: 0), .layer(spatial: 1, temporal: 2)],
             allocated: 540_000, reduced: [1]),
        // 450k left: 10 % below the current 500k layer it is kept (keep tolerance 50k)…
        Case(name: "keep tolerance: a 10 % dip keeps the layer", available: 490_000,
             tracks: [audio, video(1, current: .layer(spatial: 1, temporal: 2))],
             targets: [.layer(spatial: 0, temporal: 0), .layer(spatial: 1, temporal: 2)],
             allocated: 540_000, reduced: [1]),
        // …and dropped below it.
        Case(name: "keep tolerance: a deeper dip drops it", available: 480_000,
             tracks: [audio, video(1, current: .layer(spatial: 1, temporal: 2))],
             targets: [.layer(spatial: 0, temporal: 0), .layer(spatial: 1, temporal: 1)],
             allocated: 390_000, reduced: [1]),
        // A track's own upgrade headroom (after failed upgrades): 40 % of 500k = 200k on top of
        // the 150k step does not fit the 560k − 350k = 210k left… (10 % would).
        Case(name: "a track's backoff headroom blocks the upgrade", available: 600_000,
             tracks: [audio, AllocationInput(id: 1, kind: .video, layerBitrates: camera,
                                             current: .layer(spatial: 1, temporal: 1), upgradeHeadroom: 0.4)],
             targets: [.layer(spatial: 0, temporal: 0), .layer(spatial: 1, temporal: 1)],
             allocated: 390_000, reduced: [1]),
        // …going up to it needs 150k + 50k > 150k left after 350k.
        Case(name: "hysteresis: no step up without headroom", available: 540_000,
             tracks: [audio, video(1, current: .layer(spatial: 1, temporal: 1))],
             targets: [.layer(spatial: 0, temporal: 0), .layer(spatial: 1, temporal: 1)],
             allocated: 390_000, reduced: [1]),
        Case(name: "nothing fits: video paused, audio kept", available: 30_000, tracks: [audio, video(1)],
             targets: [.layer(spatial: 0, temporal: 0), .paused], allocated: 40_000, reduced: [1]),
        // 50k left after audio fits the 50k layer only without headroom: a paused track stays paused.
        Case(name: "resume needs headroom", available: 90_000,
             tracks: [audio, video(1, current: .paused)],
             targets: [.layer(spatial: 0, temporal: 0), .paused], allocated: 40_000, reduced: [1]),
        Case(name: "but a playing track keeps its lowest layer", available: 90_000,
             tracks: [audio, video(1, current: .layer(spatial: 0, temporal: 0))],
             targets: [.layer(spatial: 0, temporal: 0), .layer(spatial: 0, temporal: 0)],
             allocated: 90_000, reduced: [1]),
        Case(name: "paused by the subscriber: not reduced", available: 3_000_000,
             tracks: [audio, video(1, paused: true)],
             targets: [.layer(spatial: 0, temporal: 0), .paused], allocated: 40_000, reduced: []),
        Case(name: "caps bound the ladder", available: 3_000_000, tracks: [video(1, maxS: 1, maxT: 1)],
             targets: [.layer(spatial: 1, temporal: 1)], allocated: 350_000, reduced: []),
        // Screen: 100k+10k, camera 50k+5k; screen climbs to 800k (rem 150k); camera to 150k.
        Case(name: "screen share first", available: 1_000_000,
             tracks: [video(1, .other), video(2, .screenShare, layers: screen)],
             targets: [.layer(spatial: 0, temporal: 2), .layer(spatial: 1, temporal: 1)],
             allocated: 950_000, reduced: [1]),
        // Hand-run rounds: A and B alternate up to 350k each, A takes 500k with 150k left.
        Case(name: "round robin within a priority", available: 1_000_000,
             tracks: [video(1), video(2)],
             targets: [.layer(spatial: 1, temporal: 2), .layer(spatial: 1, temporal: 1)],
             allocated: 850_000, reduced: [1, 2]),
        Case(name: "missing layers are skipped", available: 3_000_000,
             tracks: [video(1, layers: [[150_000], [0], [1_700_000]])],
             targets: [.layer(spatial: 2, temporal: 0)], allocated: 1_700_000, reduced: []),
        // Rungs 100, 200, 300, 600 (250k at S1T0 is cheaper than S0T2: skipped).
        Case(name: "a cheaper higher spatial layer is skipped", available: 420_000,
             tracks: [video(1, layers: [[100_000, 200_000, 300_000], [250_000, 600_000]])],
             targets: [.layer(spatial: 0, temporal: 2)], allocated: 300_000, reduced: [1]),
    ]

    @Test(arguments: cases)
    func allocation(_ c: Case) {
        let r = BitrateAllocator.allocate(available: c.available, tracks: c.tracks)
        #expect(r.targets == c.targets)
        #expect(r.allocatedBitrate == c.allocated)
        #expect(r.reducedTrackIDs == c.reduced)
    }

    @Test func wantedBitrateIsTheSumOfPreferredTops() {
        let r = BitrateAllocator.allocate(available: 100_000,
                                          tracks: [Self.audio, Self.video(1), Self.video(2, maxS: 0), Self.video(3, paused: true)])
        #expect(r.wantedBitrate == 40_000 + 1_700_000 + 150_000)
    }

    @Test func doesNotFlapAroundALayerBoundary() {
        // The estimate wobbles ±5 % around 540k: the layer chosen once stays.
        var current: AllocationTarget? = nil
        var seen: Set<AllocationTarget> = []
        for i in 0..<40 {
            let available: Int64 = i % 2 == 0 ? 567_000 : 513_000
            let r = BitrateAllocator.allocate(available: available,
                                              tracks: [Self.audio, Self.video(1, current: current)])
            current = r.targets[1]
            if i > 0 { seen.insert(r.targets[1]) }
        }
        #expect(seen.count == 1)
    }
}

@Suite struct LayerUpgradeBackoffTests {
    typealias S = CongestionTestSupport

    @Test func failedUpgradesDoubleTheHeadroomUntilReset() {
        var b = LayerUpgradeBackoff()
        #expect(b.headroom(now: S.ms(0)) == 0.1)
        b.onChange(fromBitrate: 150_000, toBitrate: 500_000, now: S.ms(0))
        b.onChange(fromBitrate: 500_000, toBitrate: 150_000, now: S.ms(3000))    // failed within 10 s
        #expect(abs(b.headroom(now: S.ms(3000)) - 0.2) < 1e-12)
        b.onChange(fromBitrate: 150_000, toBitrate: 500_000, now: S.ms(5000))
        b.onChange(fromBitrate: 500_000, toBitrate: 150_000, now: S.ms(6000))
        #expect(abs(b.headroom(now: S.ms(6000)) - 0.4) < 1e-12)
        for i in 0..<5 {
            b.onChange(fromBitrate: 150_000, toBitrate: 500_000, now: S.ms(7000 + Int64(i) * 100))
            b.onChange(fromBitrate: 500_000, toBitrate: 150_000, now: S.ms(7050 + Int64(i) * 100))
        }
        #expect(b.headroom(now: S.ms(8000)) == 0.8)                               // capped
        #expect(b.headroom(now: S.ms(7450 + 20_000)) == 0.1)                     // 20 s later: reset
        // A downgrade long after the upgrade is not a failure.
        var c = LayerUpgradeBackoff()
        c.onChange(fromBitrate: 150_000, toBitrate: 500_000, now: S.ms(0))
        c.onChange(fromBitrate: 500_000, toBitrate: 150_000, now: S.ms(15_000))
        #expect(c.failures == 0 && c.headroom(now: S.ms(15_000)) == 0.1)
    }
}
