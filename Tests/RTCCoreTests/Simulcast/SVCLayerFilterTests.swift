import Testing
@testable import RTCCore

@Suite struct SVCLayerFilterTests {
    typealias D = DDTestSupport

    /// One VP9 packet: layer indices, B/E, P, U, D.
    static func vp9(t: Int, s: Int = 0, u: Bool = false, p: Bool = true, d: Bool = false,
                    b: Bool = true, e: Bool = true, ss: Int? = nil) -> VP9PayloadDescriptor {
        var v = VP9PayloadDescriptor()
        v.hasLayerIndices = true
        v.temporalID = UInt8(t)
        v.spatialID = UInt8(s)
        v.switchingUpPoint = u
        v.interPicturePredicted = p
        v.interLayerDependency = d
        v.beginningOfFrame = b
        v.endOfFrame = e
        v.tl0PicIdx = 0
        if let n = ss {
            v.scalabilityStructure = VP9ScalabilityStructure(spatialLayerCount: n, hasResolutions: false, hasPictureGroups: false,
                                                             pictureGroupCount: 0, pictureGroupsOffset: 0, length: 1)
        }
        return v
    }

    /// L1T3 as libwebrtc sends it: TID 0 2 1 2, U on the second and third picture.
    static let l1t3TID = [0, 2, 1, 2]
    static let l1t3U = [false, true, true, false]

    @Test func vp9L1T3TemporalDownAndUpAtSwitchingPoints() {
        var f = SVCLayerFilter(target: SVCLayers(spatial: 0, temporal: 2))
        var forwarded: [Int] = []
        // picture → target set before it
        let targets: [Int: Int] = [5: 0, 11: 2, 16: 1, 20: 2]
        for i in 0..<24 {
            if let t = targets[i] { f.setTarget(SVCLayers(spatial: 0, temporal: t)) }
            let d = Self.vp9(t: Self.l1t3TID[i % 4], u: Self.l1t3U[i % 4], p: i != 0)
            let r = f.filterVP9(d, timestamp: UInt32(i * 3000), marker: true)
            if r.forward {
                forwarded.append(i)
                #expect(r.marker)
            } else {
                #expect(r.dropReason == .temporalLayerNotSelected)
            }
        }
        // 0-4 all; target T0 from 5: 8; target T2 at 11 (U=0): waits, 12 (T0), 13 (T2 U) switches,
        // 14, 15; target T1 at 16: 16, 17 dropped (T2), 18 (T1 U); target T2 at 20: 20, 21 (T2 U) …
        #expect(forwarded == [0, 1, 2, 3, 4, 8, 12, 13, 14, 15, 16, 18, 20, 21, 22, 23])
        #expect(f.current == SVCLayers(spatial: 0, temporal: 2) && !f.keyframeNeeded)
    }

    @Test func vp9TemporalUpSkipsNonSwitchingPoints() {
        var f = SVCLayerFilter(target: SVCLayers(spatial: 0, temporal: 0))
        _ = f.filterVP9(Self.vp9(t: 0, p: false), timestamp: 0, marker: true)
        f.setTarget(SVCLayers(spatial: 0, temporal: 1))
        // A TID 1 picture without U is not a switch point; with U it is.
        #expect(!f.filterVP9(Self.vp9(t: 1, u: false), timestamp: 3000, marker: true).forward)
        #expect(f.filterVP9(Self.vp9(t: 0), timestamp: 6000, marker: true).forward)
        let r = f.filterVP9(Self.vp9(t: 1, u: true), timestamp: 9000, marker: true)
        #expect(r.forward && r.switched && f.current?.temporal == 1)
        // TID 2 stays above the target.
        #expect(f.filterVP9(Self.vp9(t: 2, u: true), timestamp: 12000, marker: true).dropReason == .temporalLayerNotSelected)
    }

    /// L3T3-like full SVC: three layer frames per picture, S1/S2 inter-layer predicted (D=1),
    /// inter-picture predicted (P=1) except on key pictures; the publisher's marker on S2.
    static func picture(_ f: inout SVCLayerFilter, _ index: Int, key: Bool, tid: Int = 0,
                        skip: Set<Int> = []) -> [(s: Int, forward: Bool, marker: Bool, reason: SVCDropReason?)] {
        var out: [(Int, Bool, Bool, SVCDropReason?)] = []
        for s in 0..<3 where !skip.contains(s) {
            let d = vp9(t: tid, s: s, u: false, p: !key, d: s > 0, ss: key && s == 0 ? 3 : nil)
            let r = f.filterVP9(d, timestamp: UInt32(index * 3000), marker: s == 2)
            out.append((s, r.forward, r.marker, r.dropReason))
        }
        return out
    }

    @Test func vp9L3T3SpatialDownThenUpWaitsForAKeyframe() {
        var f = SVCLayerFilter()
        #expect(f.keyframeNeeded)
        // Not started: a delta picture is dropped, waiting for a key picture.
        #expect(Self.picture(&f, 0, key: false).allSatisfy { !$0.forward && $0.reason == .notAKeyframe })
        let k = Self.picture(&f, 1, key: true)
        #expect(k.map(\.forward) == [true, true, true] && k.map(\.marker) == [false, false, true])
        #expect(f.current == SVCLayers(spatial: 2, temporal: 7) && !f.keyframeNeeded)
        // Down to S0: at the next picture; the marker moves to S0's last packet.
        f.setTarget(SVCLayers(spatial: 0, temporal: 7))
        let down = Self.picture(&f, 2, key: false)
        #expect(down.map(\.forward) == [true, false, false] && down[0].marker)
        #expect(down[1].reason == .spatialLayerNotSelected && !f.keyframeNeeded)
        // Up to S2: delta pictures cannot switch (P=1); a key frame is needed.
        f.setTarget(SVCLayers(spatial: 2, temporal: 7))
        #expect(f.keyframeNeeded)
        for i in 3..<6 {
            let p = Self.picture(&f, i, key: false)
            #expect(p.map(\.forward) == [true, false, false] && p[0].marker && f.keyframeNeeded)
        }
        let up = Self.picture(&f, 6, key: true)
        #expect(up.map(\.forward) == [true, true, true] && up.map(\.marker) == [false, false, true])
        #expect(!f.keyframeNeeded && f.current?.spatial == 2)
        // Up to S1 only, on an intra-only S1 layer frame (P=0) of a delta picture.
        f.setTarget(SVCLayers(spatial: 0, temporal: 7))
        _ = Self.picture(&f, 7, key: false)
        f.setTarget(SVCLayers(spatial: 1, temporal: 7))
        var s1 = Self.vp9(t: 0, s: 1, p: false, d: true)
        #expect(f.filterVP9(Self.vp9(t: 0, s: 0), timestamp: 8 * 3000, marker: false).forward)
        let r = f.filterVP9(s1, timestamp: 8 * 3000, marker: false)
        #expect(r.forward && r.switched && r.marker && f.current?.spatial == 1)
        // An inter-layer predicted S1 switch frame whose S0 was not seen does not switch.
        f.setTarget(SVCLayers(spatial: 0, temporal: 7))
        _ = Self.picture(&f, 9, key: false)
        f.setTarget(SVCLayers(spatial: 1, temporal: 7))
        s1.beginningOfFrame = true
        #expect(!f.filterVP9(s1, timestamp: 10 * 3000, marker: false).forward)
    }

    @Test func vp9MarkerOnTheLastPacketOfTheHighestForwardedLayer() {
        var f = SVCLayerFilter(target: SVCLayers(spatial: 0, temporal: 7))
        // A key picture: S0 in two packets (B, E), S1 in two packets, publisher marker on S1's E.
        let packets = [Self.vp9(t: 0, s: 0, p: false, e: false, ss: 2), Self.vp9(t: 0, s: 0, p: false, b: false),
                       Self.vp9(t: 0, s: 1, p: false, d: true, e: false), Self.vp9(t: 0, s: 1, p: false, d: true, b: false)]
        let r = packets.enumerated().map { f.filterVP9($1, timestamp: 90, marker: $0 == 3) }
        #expect(r.map(\.forward) == [true, true, false, false] && r.map(\.marker) == [false, true, false, false])
        // The SS says two layers: a target of S3 is S1, reached on the key picture; no key frame asked.
        var g = SVCLayerFilter(target: SVCLayers(spatial: 3, temporal: 7))
        let all = packets.enumerated().map { g.filterVP9($1, timestamp: 90, marker: $0 == 3) }
        #expect(all.map(\.forward) == [true, true, true, true] && all.map(\.marker) == [false, false, false, true])
        #expect(!g.keyframeNeeded && g.current?.spatial == 1)
    }

    @Test func vp9LossAndReorderingNeverTrap() {
        var rng = SeededRandom(seed: 9)
        var f = SVCLayerFilter()
        var packets: [(VP9PayloadDescriptor, UInt32, Bool)] = []
        for i in 0..<600 {
            let tid = Self.l1t3TID[i % 4]
            for s in 0..<3 {
                for part in 0..<2 {
                    var d = Self.vp9(t: tid, s: s, u: Self.l1t3U[i % 4], p: i % 50 != 0, d: s > 0, b: part == 0, e: part == 1)
                    if rng.next() % 97 == 0 { d.spatialID = UInt8(rng.next() % 8); d.temporalID = UInt8(rng.next() % 8) }
                    packets.append((d, UInt32(truncatingIfNeeded: 0xFFFF_0000 &+ UInt32(i) &* 3000), s == 2 && part == 1))
                }
            }
        }
        var forwarded = 0
        var i = 0
        while i < packets.count {
            if rng.next() % 10 == 0 { i += 1; continue }                            // 10% loss
            if rng.next() % 10 == 0, i + 1 < packets.count { packets.swapAt(i, i + 1) }  // reordering
            if rng.next() % 40 == 0 { f.setTarget(SVCLayers(spatial: Int(rng.next() % 4), temporal: Int(rng.next() % 4))) }
            let (d, ts, m) = packets[i]
            let r = f.filterVP9(d, timestamp: ts, marker: m)
            if r.forward { forwarded += 1 } else { #expect(r.dropReason != nil && !r.marker) }
            i += 1
        }
        #expect(forwarded > 500)
    }

    @Test func vp9SourceRestartWithEarlierTimestamps() {
        var f = SVCLayerFilter(target: SVCLayers(spatial: 0, temporal: 2))
        #expect(f.filterVP9(Self.vp9(t: 0, p: false), timestamp: 2_000_000, marker: true).forward)
        #expect(f.filterVP9(Self.vp9(t: 2, u: true), timestamp: 2_003_000, marker: true).forward)
        // The publisher restarted: timestamps 10 s behind are new pictures, not late packets.
        let d = f.filterVP9(Self.vp9(t: 1, u: true), timestamp: 1_100_000, marker: true)
        #expect(d.forward)
        #expect(f.filterVP9(Self.vp9(t: 1, u: true), timestamp: 1_103_000, marker: true).forward)
        // reset(): back to waiting for a key frame.
        f.reset()
        #expect(f.keyframeNeeded && f.current == nil && f.target == SVCLayers(spatial: 0, temporal: 2))
        #expect(f.filterVP9(Self.vp9(t: 0), timestamp: 1_106_000, marker: true).dropReason == .notAKeyframe)
        #expect(f.filterVP9(Self.vp9(t: 0, p: false), timestamp: 1_109_000, marker: true).forward)
    }

    // MARK: Dependency descriptor

    /// L3T3 full SVC from A.10.2.2, three frames per picture (S0, S1, S2), pictures T0 T2 T1 T2.
    /// Template IDs are template index + 1 (offset 1). Frame number = 3 × picture + spatial.
    struct L3T3Stream {
        var reader = DependencyDescriptorReader()
        let structure = D.l3t3()

        static func templateID(picture p: Int, spatial s: Int, key: Bool) -> Int {
            if key { return [1, 6, 11][s] }
            switch p % 4 {
            case 0: return [2, 7, 12][s]
            case 1: return [4, 9, 14][s]
            case 2: return [3, 8, 13][s]
            default: return [5, 10, 15][s]
            }
        }

        /// Runs one picture through `f`; returns per layer whether it was forwarded and its marker.
        mutating func picture(_ f: inout SVCLayerFilter, _ p: Int, key: Bool = false) -> [(Bool, Bool)] {
            var out: [(Bool, Bool)] = []
            for s in 0..<3 {
                let d = DependencyDescriptor(startOfFrame: true, endOfFrame: true,
                                             templateID: UInt8(Self.templateID(picture: p, spatial: s, key: key)),
                                             frameNumber: UInt16(truncatingIfNeeded: 3 * p + s))
                let bytes = try! D.write(d, structure: structure, attach: key && s == 0)
                let r = try! D.read(&reader, bytes).get()
                let dec = f.filter(r, reader: reader, marker: s == 2)
                out.append((dec.forward, dec.marker))
            }
            return out
        }
    }

    @Test func ddL3T3SwitchesDownAtOnceAndUpInSpaceOnAKeyframe() throws {
        var stream = L3T3Stream()
        var f = SVCLayerFilter()
        #expect(stream.picture(&f, 0).allSatisfy { !$0.0 })  // no structure yet
        #expect(f.keyframeNeeded)
        #expect(stream.picture(&f, 1, key: true).map(\.0) == [true, true, true])
        #expect(f.current == SVCLayers(spatial: 2, temporal: 2) && !f.keyframeNeeded)
        for p in 2..<5 {
            let r = stream.picture(&f, p)
            #expect(r.map(\.0) == [true, true, true] && r.map(\.1) == [false, false, true])
        }
        // QVGA 30 fps: a subset of HD 30 fps, at once; the marker moves to S0.
        f.setTarget(SVCLayers(spatial: 0, temporal: 2))
        for p in 5..<9 {
            let r = stream.picture(&f, p)
            #expect(r.map(\.0) == [true, false, false] && r[0].1)
        }
        #expect(f.current == SVCLayers(spatial: 0, temporal: 2))
        // What this subscriber can decode: QVGA 30, 15, 7.5 fps (decode targets 6, 7, 8); the
        // descriptor written with it as the active decode targets.
        let mask = try #require(f.decodableDecodeTargets(in: stream.structure))
        #expect(mask == 0b1_1100_0000)
        var d = DependencyDescriptor(startOfFrame: true, endOfFrame: true, templateID: 2, frameNumber: 27)
        d.activeDecodeTargets = mask
        var r2 = stream.reader
        #expect(try D.read(&r2, try D.write(d, structure: stream.structure)).get().descriptor.activeDecodeTargets == mask)
        // Back to HD: the S2 switch frames refer to S1/S2 frames not forwarded: a key frame.
        f.setTarget(SVCLayers(spatial: 2, temporal: 2))
        for p in 9..<13 { #expect(stream.picture(&f, p).map(\.0) == [true, false, false]) }
        #expect(f.keyframeNeeded)
        #expect(stream.picture(&f, 13, key: true).map(\.0) == [true, true, true])
        #expect(f.current == SVCLayers(spatial: 2, temporal: 2) && !f.keyframeNeeded)
    }

    @Test func ddL3T3TemporalDownAndUpOnTheChain() {
        var stream = L3T3Stream()
        var f = SVCLayerFilter(target: SVCLayers(spatial: 2, temporal: 0))
        _ = stream.picture(&f, 0, key: true)
        // HD 7.5 fps: T0 pictures only (0, 4, 8, …).
        var forwardedPictures: [Int] = []
        for p in 1..<9 where stream.picture(&f, p).allSatisfy(\.0) { forwardedPictures.append(p) }
        #expect(forwardedPictures == [4, 8])
        // HD 30 fps: the T0 chain (chain 2) is intact, so the next decodable frame switches.
        f.setTarget(SVCLayers(spatial: 2, temporal: 2))
        #expect(stream.picture(&f, 9).map(\.0) == [true, true, true])
        #expect(f.current == SVCLayers(spatial: 2, temporal: 2) && !f.keyframeNeeded)
        // HD 15 fps: at once.
        f.setTarget(SVCLayers(spatial: 2, temporal: 1))
        #expect(stream.picture(&f, 10).map(\.0) == [true, true, true])  // T1
        #expect(stream.picture(&f, 11).map(\.0) == [false, false, false])  // T2
        #expect(stream.picture(&f, 12).map(\.0) == [true, true, true])  // T0
    }

    @Test func ddChromiumL1T3WithoutChains() throws {
        // Chromium's VP8 structure: decode targets 7.5, 15, 30 fps, no chains.
        var reader = DependencyDescriptorReader()
        _ = try D.read(&reader, RTPTestSupport.hex("8000018002044eaaaf2860414d34538a0940413fc0b3c0")).get()
        let s = reader.structure
        var f = SVCLayerFilter(target: SVCLayers(spatial: 0, temporal: 0))
        // Template per frame: key 0, then T2 (5), T1 (3), T2 (6), T0 (1), …
        let pattern = [1, 5, 3, 6]
        var forwarded: [Int] = []
        for n in 0..<16 {
            if n == 6 { f.setTarget(SVCLayers(spatial: 0, temporal: 2)) }
            if n == 12 { f.setTarget(SVCLayers(spatial: 0, temporal: 0)) }
            let id = n == 0 ? 0 : pattern[n % 4]
            let d = DependencyDescriptor(startOfFrame: true, endOfFrame: true, templateID: UInt8(id), frameNumber: UInt16(100 + n))
            let r = try D.read(&reader, try D.write(d, structure: s, attach: n == 0)).get()
            let dec = f.filter(r, reader: reader, marker: true)
            if dec.forward { forwarded.append(n); #expect(dec.marker) }
        }
        // 7.5 fps: 0, 4; 30 fps asked at 6 (T1 template 3 has S for 30 fps): 6, 7, …; 7.5 at 12.
        #expect(forwarded == [0, 4, 6, 7, 8, 9, 10, 11, 12])
    }

    @Test func ddNewStructureWithRestartedFrameNumbers() throws {
        var stream = L3T3Stream()
        var f = SVCLayerFilter()
        for p in 1000..<1004 { _ = stream.picture(&f, p, key: p == 1000) }
        #expect(f.current == SVCLayers(spatial: 2, temporal: 2))
        // A new encoder: another structure (offset 20), frame numbers from 0.
        var reader = stream.reader
        let s = D.l1t3(offset: 20)
        let key = DependencyDescriptor(startOfFrame: true, endOfFrame: true, templateID: 20, frameNumber: 0)
        let r = try D.read(&reader, try D.write(key, structure: s, attach: true)).get()
        #expect(f.filter(r, reader: reader, marker: true).forward)
        #expect(f.current == SVCLayers(spatial: 0, temporal: 2))
        let next = DependencyDescriptor(startOfFrame: true, endOfFrame: true, templateID: 23, frameNumber: 1)
        let r2 = try D.read(&reader, try D.write(next, structure: nil)).get()
        #expect(f.filter(r2, reader: reader, marker: true).forward)
    }

    @Test func ddLostStructureAndGarbageNeverTrap() throws {
        var rng = SeededRandom(seed: 77)
        var stream = L3T3Stream()
        var f = SVCLayerFilter()
        var forwarded = 0
        for p in 0..<400 {
            if rng.next() % 30 == 0 { f.setTarget(SVCLayers(spatial: Int(rng.next() % 3), temporal: Int(rng.next() % 3))) }
            if rng.next() % 7 == 0 {
                // A garbage descriptor: a typed error, or an unresolvable frame.
                var r2 = stream.reader
                let bytes = rng.bytes(3 + Int(rng.next() % 12))
                if case .success(let r) = D.read(&r2, bytes) {
                    let dec = f.filter(r, reader: r2, marker: false)
                    if !dec.forward { #expect(dec.dropReason != nil) }
                }
                continue
            }
            forwarded += stream.picture(&f, p, key: p % 100 == 3).filter(\.0).count
        }
        #expect(forwarded > 300)
    }
}
