import Testing
@testable import RTCCore

@Suite struct VP9PayloadDescriptorTests {
    typealias S = RTPTestSupport

    func parse(_ hex: String) -> Result<VP9PayloadDescriptor, ParseError> {
        S.run(S.hex(hex), VP9PayloadDescriptor.parse)
    }

    @Test func nonFlexibleKeyFrameWithScalabilityStructure() throws {
        let bytes = S.hex("""
            aa              # I=1 P=0 L=1 F=0 B=1 E=0 V=1 Z=0
            80 01           # M=1 picture ID 1
            00              # TID=0 U=0 SID=0 D=0
            00              # TL0PICIDX 0
            38              # SS: N_S=1 Y=1 G=1
            01 40 00 b4     #   320 x 180
            02 80 01 68     #   640 x 360
            02              #   N_G = 2
            04 01           #   TID=0 U=0 R=1, P_DIFF 1
            38 01 02        #   TID=1 U=1 R=2, P_DIFF 1, 2
            82 49 83        # frame data
            """)
        let d = try S.run(bytes, VP9PayloadDescriptor.parse).get()
        #expect(d.isKeyframe && d.beginningOfFrame && !d.endOfFrame && !d.flexibleMode)
        #expect(d.pictureID == 1 && d.pictureIDIs15Bit && d.tl0PicIdx == 0)
        #expect(d.hasLayerIndices && d.spatialID == 0 && d.temporalID == 0)
        let ss = try #require(d.scalabilityStructure)
        #expect(ss.spatialLayerCount == 2 && ss.hasResolutions && ss.pictureGroupCount == 2)
        #expect(ss.resolution(layer: 0) == (320, 180) && ss.resolution(layer: 1) == (640, 360))
        #expect(d.length == bytes.count - 3)
        let groups: [VP9PictureGroup] = bytes.withUnsafeBytes { raw in
            var r = ss.pictureGroups(in: raw)
            var out: [VP9PictureGroup] = []
            while let g = try? r.next() { out.append(g) }
            return out
        }
        #expect(groups.count == 2)
        #expect(groups[1].temporalID == 1 && groups[1].switchingUpPoint && Array(groups[1].referenceDiffs) == [1, 2])
    }

    @Test func flexibleModeReferenceDiffs() throws {
        let d = try parse("""
            f4              # I=1 P=1 L=1 F=1 B=0 E=1 V=0 Z=0
            05              # M=0 picture ID 5
            52              # TID=2 U=1 SID=1 D=0
            03 05 06        # P_DIFF 1 (N=1), 2 (N=1), 3 (N=0)
            ff
            """).get()
        #expect(d.flexibleMode && d.interPicturePredicted && d.endOfFrame && !d.isKeyframe)
        #expect(d.temporalID == 2 && d.switchingUpPoint && d.spatialID == 1 && d.tl0PicIdx == nil)
        #expect(Array(d.referenceDiffs) == [1, 2, 3] && d.length == 6)
    }

    @Test func flexibleModeErrors() {
        #expect(parse("d0 05 03 05 07 09").failureKind == .invalidValue)  // four P_DIFFs
        #expect(parse("d0 05 00").failureKind == .invalidValue)           // P_DIFF 0
        #expect(parse("d0 05 03").failureKind == .truncated)              // N=1 but nothing follows
    }

    @Test func upperSpatialLayerIsNotAKeyframe() throws {
        let d = try parse("a8 80 01 02 00").get()  // I L B, SID=1
        #expect(d.spatialID == 1 && !d.isKeyframe)
    }

    @Test func minimalDescriptor() throws {
        let d = try parse("0c").get()  // B=1 E=1, nothing else
        #expect(d.isKeyframe && d.pictureID == nil && d.length == 1)
    }

    @Test func truncated() {
        for hex in ["", "80", "80 80", "a0 01", "20 00", "02", "02 10 00 01", "02 08", "02 08 01", "02 08 01 04"] {
            #expect(parse(hex).failureKind == .truncated, "\(hex)")
        }
    }

    @Test func rewriteInPlace() throws {
        var b = S.hex("aa 80 01 00 07 00")
        _ = try S.mutate(&b) { buf throws(ParseError) in
            try VP9PayloadDescriptor.rewrite(buf, pictureID: 0x1234, tl0PicIdx: 9)
        }
        #expect(b == S.hex("aa 92 34 00 09 00"))
    }

    @Test func randomRoundTrip() throws {
        var rng = SeededRandom(seed: 0x9628)
        for _ in 0..<5000 {
            var d = VP9PayloadDescriptor()
            d.interPicturePredicted = rng.next() % 2 == 0
            d.flexibleMode = rng.next() % 2 == 0
            d.beginningOfFrame = rng.next() % 2 == 0
            d.endOfFrame = rng.next() % 2 == 0
            d.notUpperLayerReference = rng.next() % 2 == 0
            if rng.next() % 4 != 0 {
                d.pictureIDIs15Bit = rng.next() % 2 == 0
                d.pictureID = UInt16(rng.next() % (d.pictureIDIs15Bit ? 0x8000 : 0x80))
            }
            d.hasLayerIndices = rng.next() % 2 == 0
            if d.hasLayerIndices {
                d.temporalID = UInt8(rng.next() % 8)
                d.switchingUpPoint = rng.next() % 2 == 0
                d.spatialID = UInt8(rng.next() % 8)
                d.interLayerDependency = rng.next() % 2 == 0
                if !d.flexibleMode { d.tl0PicIdx = UInt8(truncatingIfNeeded: rng.next()) }
            }
            if d.flexibleMode && d.interPicturePredicted {
                for _ in 0...(rng.next() % 3) { d.referenceDiffs.append(UInt8(rng.next() % 127) + 1) }
            }
            var groups: [VP9PictureGroup] = []
            if rng.next() % 3 == 0 {
                var ss = VP9ScalabilityStructure(
                    spatialLayerCount: Int(rng.next() % 8) + 1, hasResolutions: rng.next() % 2 == 0,
                    hasPictureGroups: rng.next() % 2 == 0, pictureGroupCount: 0, pictureGroupsOffset: 0, length: 0)
                if ss.hasResolutions {
                    for l in 0..<ss.spatialLayerCount {
                        ss.setResolution(layer: l, width: UInt16(truncatingIfNeeded: rng.next()),
                                         height: UInt16(truncatingIfNeeded: rng.next()))
                    }
                }
                if ss.hasPictureGroups {
                    for _ in 0..<(rng.next() % 5) {
                        var diffs = VP9ReferenceDiffs()
                        for _ in 0..<(rng.next() % 4) { diffs.append(UInt8(truncatingIfNeeded: rng.next())) }
                        groups.append(VP9PictureGroup(temporalID: UInt8(rng.next() % 8),
                                                      switchingUpPoint: rng.next() % 2 == 0, referenceDiffs: diffs))
                    }
                }
                d.scalabilityStructure = ss
            }
            let bytes = try S.write { dst throws(WriteError) in
                var w = ByteWriter(dst, format: .vp9)
                try d.write(groups: groups, to: &w)
                return w.position
            }
            let p = try S.run(bytes, VP9PayloadDescriptor.parse).get()
            #expect(p.length == bytes.count)
            #expect(p.pictureID == d.pictureID && p.pictureIDIs15Bit == d.pictureIDIs15Bit)
            #expect(p.interPicturePredicted == d.interPicturePredicted && p.flexibleMode == d.flexibleMode)
            #expect(p.beginningOfFrame == d.beginningOfFrame && p.endOfFrame == d.endOfFrame)
            #expect(p.notUpperLayerReference == d.notUpperLayerReference && p.hasLayerIndices == d.hasLayerIndices)
            #expect(p.temporalID == d.temporalID && p.spatialID == d.spatialID && p.switchingUpPoint == d.switchingUpPoint)
            #expect(p.interLayerDependency == d.interLayerDependency && p.tl0PicIdx == d.tl0PicIdx)
            #expect(p.referenceDiffs == d.referenceDiffs)
            #expect(p.scalabilityStructure?.spatialLayerCount == d.scalabilityStructure?.spatialLayerCount)
            if let ss = p.scalabilityStructure, let want = d.scalabilityStructure {
                #expect(ss.pictureGroupCount == groups.count)
                if want.hasResolutions {
                    for l in 0..<want.spatialLayerCount { #expect(ss.resolution(layer: l) == want.resolution(layer: l)) }
                }
                let got: [VP9PictureGroup] = bytes.withUnsafeBytes { raw in
                    var r = ss.pictureGroups(in: raw)
                    var out: [VP9PictureGroup] = []
                    while let g = try? r.next() { out.append(g) }
                    return out
                }
                #expect(got == groups)
            }
        }
    }
}
