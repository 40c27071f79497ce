import Testing
@testable import RTCCore

@Suite struct VP8TemporalPatternTests {
    @Test func layerCountsOutsideOneToThreeAreRefused() {
        #expect(VP8TemporalPattern(layerCount: 0) == nil)
        #expect(VP8TemporalPattern(layerCount: 4) == nil)
        #expect(VP8TemporalPattern(layerCount: -1) == nil)
    }

    @Test func l1t3Table() throws {
        let p = try #require(VP8TemporalPattern(layerCount: 3))
        #expect(p.periodicity == 4)
        // position: TID, Y, N, refs (last, golden), updates (last, golden)
        let table: [(UInt8, Bool, Bool, Bool, Bool, Bool, Bool)] = [
            (0, false, false, true, false, true, false),
            (2, true, true, true, false, false, false),
            (1, true, false, true, false, false, true),
            (2, false, true, true, true, false, false),
        ]
        for (i, row) in table.enumerated() {
            let e = p.entry(at: i)
            #expect(e.temporalLayer == row.0 && e.layerSync == row.1 && e.isNonReference == row.2)
            #expect(e.referencesLast == row.3 && e.referencesGolden == row.4)
            #expect(e.updatesLast == row.5 && e.updatesGolden == row.6)
        }
        #expect((0..<12).map { p.entry(at: $0).temporalLayer } == [0, 2, 1, 2, 0, 2, 1, 2, 0, 2, 1, 2])
        #expect(p.entry(at: -1).temporalLayer == 2)
        #expect(p.cumulativeRateFractions.last == 1.0 && p.rateDecimators == [4, 2, 1])
    }

    @Test func l1t2AndL1t1() throws {
        let two = try #require(VP8TemporalPattern(layerCount: 2))
        #expect((0..<4).map { two.entry(at: $0).temporalLayer } == [0, 1, 0, 1])
        #expect(two.entry(at: 1).isNonReference && two.entry(at: 1).layerSync)
        let one = try #require(VP8TemporalPattern(layerCount: 1))
        #expect(one.periodicity == 1 && one.entry(at: 7).temporalLayer == 0)
    }

    /// Every frame's references were last written by a frame of its own or a lower layer, so
    /// dropping the layers above any TID keeps the rest decodable; Y is set exactly when the
    /// frame reads only buffers written by TL0.
    @Test func referencesNeverPointUpward() throws {
        for layers in 1...3 {
            let p = try #require(VP8TemporalPattern(layerCount: layers))
            // Layer that last wrote each buffer; a keyframe (layer 0) writes both.
            var lastWriter: UInt8 = 0, goldenWriter: UInt8 = 0
            for i in 1..<(4 * p.periodicity) {
                let e = p.entry(at: i)
                if e.referencesLast { #expect(lastWriter <= e.temporalLayer) }
                if e.referencesGolden { #expect(goldenWriter <= e.temporalLayer) }
                let readsOnlyBase = (!e.referencesLast || lastWriter == 0) && (!e.referencesGolden || goldenWriter == 0)
                if e.temporalLayer > 0 { #expect(e.layerSync == readsOnlyBase) }
                #expect(e.isNonReference == (!e.updatesLast && !e.updatesGolden))
                if e.updatesLast { lastWriter = e.temporalLayer }
                if e.updatesGolden { goldenWriter = e.temporalLayer }
            }
        }
    }
}
