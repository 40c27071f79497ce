import Testing
@testable import RTCCore

@Suite struct DependencyDescriptorTests {
    typealias S = RTPTestSupport
    typealias D = DDTestSupport

    /// A key frame's descriptor carrying the L1T3 structure of A.10.2.1, encoded by hand from
    /// the bit layout of A.8.2.
    static let l1t3KeyFrame = S.hex("""
        c0 00 01     # S=1 E=1 template 0 | frame_number 1
        80 02        # T=1 A=0 D=0 F=0 C=0 | template_id_offset 000000 | dt_cnt_minus_one 00010
        14 ea aa 44 10
                     # next_layer_idc 00 01 01 00 11 (templates S0T0 S0T0 S0T1 S0T2 S0T2)
                     # dtis SSS SSS SD- D-- D-- (10 10 10 | 10 10 10 | 10 01 00 | 01 00 00 | 01 00 00)
        4d 14 10 20 84 27
                     # fdiffs: 0 | 1 0011 0 | 1 0001 0 | 1 0000 0 | 1 0000 0   ({}, {4}, {2}, {1}, {1})
                     # chain_cnt ns(4) = 01 (1 chain); protected_by ns(1): no bits
                     # chain fdiffs 0000 0100 0010 0001 0011 (0 4 2 1 3) | resolutions_present 1
        02 7f 01 67  # 639 + 1 = 640, 359 + 1 = 360
        """)

    @Test func handEncodedL1T3StructureParses() throws {
        var reader = DependencyDescriptorReader()
        let r = try D.read(&reader, Self.l1t3KeyFrame).get()
        #expect(r.descriptor.startOfFrame && r.descriptor.endOfFrame && r.descriptor.frameNumber == 1)
        #expect(r.descriptor.hasStructure && r.descriptor.templateID == 0)
        #expect(r.descriptor.activeDecodeTargets == nil)
        #expect(reader.structure == D.l1t3())
        #expect(reader.structureGeneration == 1 && reader.activeDecodeTargets == 0b111)
        let s = reader.structure
        #expect(s.templateCount == 5 && s.decodeTargetCount == 3 && s.chainCount == 1)
        #expect(s.layers(ofDecodeTarget: 0)! == (0, 2) && s.layers(ofDecodeTarget: 1)! == (0, 1))
        #expect(s.layers(ofDecodeTarget: 2)! == (0, 0) && s.layers(ofDecodeTarget: 3) == nil)
        #expect(s.chain(protecting: 2) == 0 && s.resolution(spatialID: 0) == VideoResolution(width: 640, height: 360))
        let f = try #require(r.frame)
        #expect(f.templateIndex == 0 && f.spatialID == 0 && f.temporalID == 0)
        #expect(f.decodeTargetIndications.description == "SSS" && f.frameDiffs.isEmpty && f.chainDiffs[0] == 0)
        #expect(f.resolution == VideoResolution(width: 640, height: 360))
    }

    @Test func writerReproducesTheHandEncodedBytes() throws {
        let d = DependencyDescriptor(startOfFrame: true, endOfFrame: true, templateID: 0, frameNumber: 1)
        #expect(try D.write(d, structure: D.l1t3(), attach: true) == Self.l1t3KeyFrame)
    }

    @Test func mandatoryFieldsResolveAgainstTheStoredStructure() throws {
        var reader = DependencyDescriptorReader()
        _ = try D.read(&reader, Self.l1t3KeyFrame).get()
        // Template 3 (S0T2, D--, fdiff 1, chain 1), frame 3, middle packet (S=0 E=0).
        let r = try D.read(&reader, S.hex("03 00 03")).get()
        #expect(!r.descriptor.startOfFrame && !r.descriptor.endOfFrame && r.descriptor.frameNumber == 3)
        let f = try #require(r.frame)
        #expect(f.templateIndex == 3 && f.temporalID == 2)
        #expect(f.decodeTargetIndications[0] == .discardable && f.decodeTargetIndications[1] == .notPresent)
        #expect(Array(f.frameDiffs) == [1] && f.chainDiffs[0] == 1)
        // The same descriptor written back is 3 bytes.
        #expect(try D.write(r.descriptor, structure: reader.structure) == S.hex("03 00 03"))
        #expect(reader.structureGeneration == 1)
    }

    /// Extended fields without a structure: active decode targets, custom DTIs, custom frame
    /// diffs of two sizes, custom chain diffs — by hand.
    static let customFields = S.hex("""
        82 12 34     # S=1 E=0 template 2 | frame 0x1234
        7b           # T=0 A=1 D=1 F=1 C=1 | active 011
        d1 1c 4a c0 50
                     # dtis 11 01 00 (RD-) | fdiffs 01 0001 (2), 11 000100101011 (300), 00
                     # chain fdiff 00000101 (5) | padding 0000
        """)

    @Test func customFieldsOverrideTheTemplate() throws {
        var reader = DependencyDescriptorReader()
        _ = try D.read(&reader, Self.l1t3KeyFrame).get()
        let r = try D.read(&reader, Self.customFields).get()
        let d = r.descriptor
        #expect(d.activeDecodeTargets == 0b011 && reader.activeDecodeTargets == 0b011)
        #expect(d.customDecodeTargetIndications?.description == "RD-")
        #expect(d.customFrameDiffs.map(Array.init) == [2, 300] && d.customChainDiffs?[0] == 5)
        let f = try #require(r.frame)
        #expect(f.templateIndex == 2 && f.temporalID == 1 && f.decodeTargetIndications.description == "RD-")
        #expect(Array(f.frameDiffs) == [2, 300] && f.chainDiffs[0] == 5)
        #expect(try D.write(d, structure: reader.structure) == Self.customFields)
    }

    @Test func l3t3RoundTripsThroughWriterAndReader() throws {
        let s = D.l3t3()
        #expect(s.templateCount == 15 && s.maxSpatialID == 2 && s.maxTemporalID == 2)
        let expected: [(Int, Int)] = [(2, 2), (2, 1), (2, 0), (1, 2), (1, 1), (1, 0), (0, 2), (0, 1), (0, 0)]
        for (dt, e) in expected.enumerated() { #expect(s.layers(ofDecodeTarget: dt)! == e) }
        var key = DependencyDescriptor(startOfFrame: true, endOfFrame: false, templateID: 1, frameNumber: 0xFFFF)
        key.activeDecodeTargets = 0b1_1111_1111
        let bytes = try D.write(key, structure: s, attach: true)
        var reader = DependencyDescriptorReader()
        let r = try D.read(&reader, bytes).get()
        #expect(reader.structure == s && r.descriptor.hasStructure && r.descriptor.frameNumber == 0xFFFF)
        #expect(reader.structure.resolution(spatialID: 2) == VideoResolution(width: 1280, height: 720))
        // Every template ID (1...15) resolves to its template; 0 and 16 are outside.
        for id in 1...15 {
            let d = DependencyDescriptor(startOfFrame: true, endOfFrame: true, templateID: UInt8(id), frameNumber: UInt16(id))
            let f = try #require(try D.read(&reader, try D.write(d, structure: nil)).get().frame)
            #expect(f.templateIndex == id - 1)
            #expect(f.decodeTargetIndications == s.template(at: id - 1)!.decodeTargetIndications)
        }
        for id in [0, 16, 63] {
            let d = DependencyDescriptor(startOfFrame: true, endOfFrame: true, templateID: UInt8(id), frameNumber: 9)
            #expect(try D.read(&reader, try D.write(d, structure: nil)).get().frame == nil)
        }
        // Sending the same structure again does not change the generation; another one does.
        _ = try D.read(&reader, bytes).get()
        #expect(reader.structureGeneration == 1)
        key.activeDecodeTargets = nil
        _ = try D.read(&reader, try D.write(key, structure: D.l1t3(offset: 20), attach: true)).get()
        #expect(reader.structureGeneration == 2 && reader.structure.decodeTargetCount == 3)
    }

    @Test func templateIDOffsetWraps() throws {
        let s = D.l1t3(offset: 62)
        var reader = DependencyDescriptorReader()
        let key = DependencyDescriptor(startOfFrame: true, endOfFrame: true, templateID: 62, frameNumber: 1)
        _ = try D.read(&reader, try D.write(key, structure: s, attach: true)).get()
        // IDs 62, 63, 0, 1, 2 are templates 0...4.
        for (id, index) in [(62, 0), (63, 1), (0, 2), (1, 3), (2, 4)] {
            let f = try D.read(&reader, [UInt8(0xC0 | id), 0, 2]).get().frame
            #expect(f?.templateIndex == index)
        }
        #expect(try D.read(&reader, [0xC3, 0, 2]).get().frame == nil)
    }

    /// Descriptors captured from Chromium 156 (VP8 simulcast q/h/f with the dependency
    /// descriptor negotiated, Fixtures/replay/chromium-vp8-simulcast.pcap): each simulcast
    /// stream's key frame carries its own structure with its resolution.
    @Test func chromiumCapturedDescriptors() throws {
        let keyFrames: [(String, VideoResolution)] = [
            ("8000018002044eaaaf2860414d34538a0940413fc0b3c0", VideoResolution(width: 1280, height: 720)),
            ("8000028002044eaaaf2860414d34538a0940409fc059c0", VideoResolution(width: 640, height: 360)),
            ("c000038002044eaaaf2860414d34538a0940404fc02cc0", VideoResolution(width: 320, height: 180)),
        ]
        for (hex, size) in keyFrames {
            var reader = DependencyDescriptorReader()
            let r = try D.read(&reader, S.hex(hex)).get()
            let s = reader.structure
            #expect(s.decodeTargetCount == 3 && s.templateCount == 7 && s.maxTemporalID == 2 && s.chainCount == 0)
            // Chromium numbers the decode targets from the lowest frame rate.
            #expect(s.layers(ofDecodeTarget: 0)! == (0, 0) && s.layers(ofDecodeTarget: 2)! == (0, 2))
            #expect(s.resolution(spatialID: 0) == size && r.frame?.resolution == size)
            #expect(r.frame?.decodeTargetIndications.description == "SSS" && r.frame?.frameDiffs.isEmpty == true)
            // Written back from the parsed structure, the bytes are the same.
            #expect(try D.write(r.descriptor, structure: s, attach: true) == S.hex(hex))
        }
        // Later packets of the 1280x720 stream: 3-byte descriptors and custom frame diffs.
        var reader = DependencyDescriptorReader()
        _ = try D.read(&reader, S.hex(keyFrames[0].0)).get()
        let next = try D.read(&reader, S.hex("000001")).get()
        #expect(next.frame?.templateIndex == 0 && !next.descriptor.startOfFrame)
        for hex in ["c500041240", "85000a1240", "82000d1360", "83000712a0"] {
            let r = try D.read(&reader, S.hex(hex)).get()
            let f = try #require(r.frame)
            #expect(r.descriptor.customFrameDiffs != nil && f.spatialID == 0)
            #expect(try D.write(r.descriptor, structure: reader.structure) == S.hex(hex))
        }
    }

    @Test func missingStructureIsNotAnError() throws {
        var reader = DependencyDescriptorReader()
        let r = try D.read(&reader, S.hex("c3 00 05")).get()
        #expect(r.frame == nil && reader.unresolvedPackets == 1 && !reader.hasStructure)
        // Extended fields cannot be sized without a structure: only the mandatory ones are read.
        let c = try D.read(&reader, Self.customFields).get()
        #expect(c.descriptor.missingStructure && c.frame == nil && c.descriptor.frameNumber == 0x1234)
        #expect(c.descriptor.activeDecodeTargets == nil)
    }

    @Test func truncatedDescriptorsGiveTypedErrors() {
        for n in 0..<Self.l1t3KeyFrame.count where n != 3 {  // 3 bytes: the mandatory fields alone
            var reader = DependencyDescriptorReader()
            let r = D.read(&reader, Array(Self.l1t3KeyFrame.prefix(n)))
            #expect(r.failureKind == .truncated, "prefix \(n)")
            #expect(!reader.hasStructure)
        }
        var reader = DependencyDescriptorReader()
        _ = D.read(&reader, Self.l1t3KeyFrame)
        // A failed structure packet leaves the stored structure alone.
        _ = D.read(&reader, Array(S.hex("c0 00 01 80 0a").prefix(5)))
        #expect(reader.structure == D.l1t3() && reader.structureGeneration == 1)
        for n in 4..<Self.customFields.count {
            #expect(D.read(&reader, Array(Self.customFields.prefix(n))).failureKind == .truncated, "prefix \(n)")
        }
    }

    @Test func structuresBeyondTheLimitsAreRefused() throws {
        func structure(_ bits: String) -> [UInt8] {
            // Mandatory fields, then T=1 and the structure bits, zero-padded.
            var all = "110000000000000000000001" + "10000" + bits
            while all.count % 8 != 0 { all += "0" }
            return stride(from: 0, to: all.count, by: 8).map { i in
                let start = all.index(all.startIndex, offsetBy: i)
                return UInt8(all[start..<all.index(start, offsetBy: 8)], radix: 2)!
            }
        }
        var reader = DependencyDescriptorReader()
        // 65 templates (64 × next_layer_idc 0).
        let many = structure("000000" + "00000" + String(repeating: "00", count: 64) + "11" + String(repeating: "0", count: 200))
        #expect(D.read(&reader, many).failureKind == .invalidValue)
        // A fifth spatial layer.
        let spatial = structure("000000" + "00000" + "10101010" + "11" + String(repeating: "0", count: 40))
        #expect(D.read(&reader, spatial).failureKind == .invalidValue)
        // A ninth temporal layer.
        let temporal = structure("000000" + "00000" + String(repeating: "01", count: 8) + "11" + String(repeating: "0", count: 60))
        #expect(D.read(&reader, temporal).failureKind == .invalidValue)
        // 17 frame diffs in one template (one template, one decode target).
        let fdiffs = structure("000000" + "00000" + "11" + "10" + String(repeating: "10000", count: 17) + "0" + String(repeating: "0", count: 20))
        #expect(D.read(&reader, fdiffs).failureKind == .invalidValue)
        #expect(!reader.hasStructure)
        // 16 are fine.
        let sixteen = structure("000000" + "00000" + "11" + "10" + String(repeating: "10000", count: 16) + "0" + "0" + "0" + String(repeating: "0", count: 8))
        _ = try D.read(&reader, sixteen).get()
        #expect(reader.structure.template(at: 0)?.frameDiffs.count == 16)
    }

    @Test func writerRefusesWhatItCannotEncode() {
        var d = DependencyDescriptor(startOfFrame: true, endOfFrame: true, templateID: 0, frameNumber: 1)
        d.activeDecodeTargets = 0b1000  // bit 3 with 3 decode targets
        #expect(throws: WriteError.self) { try D.write(d, structure: D.l1t3()) }
        #expect(throws: WriteError.self) { try D.write(d, structure: nil) }
        d.activeDecodeTargets = nil
        d.customDecodeTargetIndications = DecodeTargetIndications("SS")
        #expect(throws: WriteError.self) { try D.write(d, structure: D.l1t3()) }
        // Templates whose layers no next_layer_idc reaches.
        #expect(FrameDependencyStructure(decodeTargetCount: 1, templates: [D.t(0, 1, "S", [], [])]) == nil)
        #expect(FrameDependencyStructure(decodeTargetCount: 1, templates: [D.t(0, 0, "S", [], []), D.t(0, 2, "S", [], [])]) == nil)
        #expect(FrameDependencyTemplate(spatialID: 0, temporalID: 0, dtis: "S", fdiffs: [17]) == nil)
    }

    @Test func nonSymmetricCodesMatchTheSpecTable() throws {
        // ns(5): 0 → 00, 1 → 01, 2 → 10, 3 → 110, 4 → 111.
        let codes = ["00", "01", "10", "110", "111"]
        for (v, code) in codes.enumerated() {
            var buf = [UInt8](repeating: 0, count: 4)
            let n = buf.withUnsafeMutableBytes { raw -> Int in
                var w = BitWriter(raw, format: .av1)
                try? w.writeNonSymmetric(UInt32(v), 5)
                return w.bitPosition
            }
            #expect(n == code.count)
            let bits = String(String(buf[0], radix: 2).leftPadded(8).prefix(n))
            #expect(bits == code)
            let back = buf.withUnsafeBytes { raw -> UInt32? in
                var r = BitReader(raw, format: .av1)
                return try? r.readNonSymmetric(5)
            }
            #expect(back == UInt32(v))
        }
    }

    /// Random bytes, and bit flips of valid descriptors, through readers with and without a
    /// structure: a value or a typed error, never a trap.
    @Test func fuzzRandomBytesNeverTrap() {
        var rng = SeededRandom(seed: 0xDD)
        var fresh = DependencyDescriptorReader()
        var primed = DependencyDescriptorReader()
        _ = D.read(&primed, Self.l1t3KeyFrame)
        var parsed = 0
        let seeds = [Self.l1t3KeyFrame, Self.customFields, S.hex("8000018002044eaaaf2860414d34538a0940413fc0b3c0")]
        for i in 0..<30_000 {
            var bytes: [UInt8]
            if i % 2 == 0 {
                bytes = rng.bytes(Int(rng.next() % 40))
                if !bytes.isEmpty, i % 4 == 0 { bytes[min(3, bytes.count - 1)] |= 0x80 }  // claim a structure
            } else {
                bytes = seeds[Int(rng.next() % UInt64(seeds.count))]
                for _ in 0...(rng.next() % 4) {
                    let bit = Int(rng.next() % UInt64(bytes.count * 8))
                    bytes[bit / 8] ^= 1 << UInt8(bit % 8)
                }
                if rng.next() % 3 == 0 { bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count + 1)))) }
            }
            if case .success(let r) = D.read(&fresh, bytes) { parsed += 1; _ = r.frame?.chainDiffs[40] }
            if case .success(let r) = D.read(&primed, bytes) { parsed += 1; _ = r.frame?.decodeTargetIndications[40] }
        }
        #expect(parsed > 1_000)
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
