import Testing
@testable import RTCCore

@Suite struct SyntheticVideoSourceTests {
    @Test func refusesSizesThePatternDoesNotFit() {
        #expect(SyntheticVideoSource(width: 32, height: 48) == nil)
        #expect(SyntheticVideoSource(width: 64, height: 40) == nil)
        #expect(SyntheticVideoSource(width: 65, height: 48) == nil)
        #expect(SyntheticVideoSource(width: 64, height: 48) != nil)
    }

    @Test(arguments: [(64, 48), (320, 180), (640, 360), (1280, 720), (96, 1000)])
    func counterReadsBackFromUncompressedFrames(width: Int, height: Int) throws {
        var s = try #require(SyntheticVideoSource(width: width, height: height))
        for i in 0..<40 {
            let f = s.nextFrame()
            #expect(f.width == width && f.height == height)
            #expect(f.bytes.count == width * height * 3 / 2)
            #expect(SyntheticVideoSource.readCounter(from: f) == UInt16(i))
        }
        for i in [0xFFFF, 0x10000, 0xA5A5, 1 << 40, -5] {
            #expect(SyntheticVideoSource.readCounter(from: s.frame(at: i)) == UInt16(truncatingIfNeeded: i & 0xFFFF_FFFF))
        }
    }

    @Test func framesAreDeterministicAndMove() throws {
        let a = try #require(SyntheticVideoSource(width: 320, height: 180))
        let b = try #require(SyntheticVideoSource(width: 320, height: 180, startIndex: 7))
        #expect(a.frame(at: 7) == b.frame(at: 7))
        var c = b
        #expect(c.nextFrame() == a.frame(at: 7))
        // Consecutive frames differ below the counter band (the bars and box move).
        let f0 = a.frame(at: 10), f1 = a.frame(at: 11)
        let band = a.bandHeight
        #expect(Array(f0.bytes[(band * 320)..<(180 * 320)]) != Array(f1.bytes[(band * 320)..<(180 * 320)]))
        // Chroma carries the bar colours.
        #expect(Set(f0.bytes[f0.uOffset..<f0.vOffset]).count > 4)
    }

    @Test func counterIsAmbiguousOnAFlatFrame() {
        var grey = I420Frame(width: 320, height: 180)
        for i in 0..<(320 * 180) { grey.bytes[i] = 128 }
        #expect(SyntheticVideoSource.readCounter(from: grey) == nil)
        #expect(SyntheticVideoSource.readCounter(from: I420Frame(width: 20, height: 20)) == nil)
    }

    @Test func i420FrameHelpers() throws {
        let f = I420Frame(width: 5, height: 3)
        #expect(f.chromaWidth == 3 && f.chromaHeight == 2 && f.bytes.count == 15 + 12)
        #expect(I420Frame(width: 5, height: 3, bytes: [UInt8](repeating: 0, count: 26)) == nil)
        #expect(I420Frame(width: 0, height: 3, bytes: []) == nil)
        #expect(f.luma(x: 4, y: 2) == 16 && f.luma(x: 5, y: 0) == nil && f.luma(x: -1, y: 0) == nil)
        #expect(f.meanLuma(x: -10, y: -10, width: 100, height: 100) == 16)
        #expect(f.meanLuma(x: 10, y: 10, width: 2, height: 2) == nil)
        #expect(f.lumaMeanSquaredError(comparedTo: f) == 0)
        #expect(f.lumaMeanSquaredError(comparedTo: I420Frame(width: 4, height: 3)) == nil)
    }
}
