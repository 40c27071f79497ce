import Testing
@testable import RTCCore

@Suite struct RTPRewriteTests {
    typealias S = RTPTestSupport

    func rewrite(_ packet: [UInt8], _ spec: RTPRewrite, from src: RTPExtensionMap, to dst: RTPExtensionMap,
                 capacity: Int = 2048) throws -> (bytes: [UInt8], written: RTPWrittenPacket) {
        let h = try S.header(packet)
        var written = RTPWrittenPacket(length: 0, payloadOffset: 0, payloadLength: 0)
        let out = try S.write(capacity: capacity) { dstBuf throws(WriteError) in
            try S.borrow(packet) { raw throws(WriteError) in
                written = try spec.write(packet: raw, header: h, sourceMap: src, destinationMap: dst, into: dstBuf)
                return written.length
            }
        }
        return (out, written)
    }

    func fixture(_ name: String) throws -> [UInt8] {
        S.hex(try String(contentsOf: S.packageRoot.appendingPathComponent("Fixtures/rtp/\(name)"), encoding: .utf8))
    }

    @Test func subscriberRewriteOfSimulcastLayer() throws {
        let src = try fixture("vp8-keyframe-one-byte-ext.hex")
        let dstMap = RTPExtensionMap([(1, .mid), (2, .absSendTime), (5, .transportWideCC)])
        let spec = RTPRewrite(ssrc: SSRC(0xCAFE_0001), sequenceNumber: SequenceNumber(42), timestamp: 123_456,
                              payloadType: PayloadType(100), marker: true, transportSequence: 0x9999,
                              mid: Mid("v1"), dropKinds: [.rid, .repairedRid])
        let (out, written) = try rewrite(src, spec, from: S.chromeMap, to: dstMap)
        let (h, v) = try S.forwarding(out, map: dstMap)
        #expect(h.ssrc == SSRC(0xCAFE_0001) && h.sequenceNumber == SequenceNumber(42))
        #expect(h.timestamp == 123_456 && h.payloadType == PayloadType(100) && h.marker)
        #expect(h.extensionForm == .oneByte)
        #expect(v.mid == Mid("v1") && v.transportSequence == 0x9999 && v.absSendTime == 0x010203)
        #expect(v.rid == nil && v.elementCount == 3)
        #expect(written.payloadOffset == h.payloadOffset && written.length == out.count)
        let srcHeader = try S.header(src)
        #expect(Array(out[h.payloadOffset...]) == Array(src[srcHeader.payloadOffset...]))
        // The source bytes are untouched (rewrite while copying).
        #expect(src == (try fixture("vp8-keyframe-one-byte-ext.hex")))
    }

    @Test func twoByteFormWhenAnIDIsAbove14() throws {
        let src = try fixture("opus-audio-level.hex")
        let dstMap = RTPExtensionMap([(1, .audioLevel), (20, .transportWideCC)])
        let (out, _) = try rewrite(src, RTPRewrite(transportSequence: 7), from: S.chromeMap, to: dstMap)
        let (h, v) = try S.forwarding(out, map: dstMap)
        #expect(h.extensionForm == .twoByte(appBits: 0))
        #expect(v.transportSequence == 7 && v.audioLevel?.level == 106 && v.audioLevel?.voiceActivity == true)
    }

    @Test func identityRewriteIsByteExact() throws {
        for name in ["opus-audio-level.hex", "h264-stap-a-keyframe.hex", "vp9-keyframe-ss.hex",
                     "av1-new-sequence.hex", "rtx-padding-probe.hex"] {
            let src = try fixture(name)
            let (out, _) = try rewrite(src, RTPRewrite(), from: S.chromeMap, to: S.chromeMap)
            #expect(out == src, "\(name)")
        }
    }

    @Test func dropCSRCsPaddingAndUnknownElements() throws {
        let src = try fixture("csrc-two-byte-ext-padding.hex")
        let (out, _) = try rewrite(src, RTPRewrite(dropCSRCs: true, dropPadding: true), from: S.chromeMap, to: S.chromeMap)
        let (h, v) = try S.forwarding(out, map: S.chromeMap)
        #expect(h.csrcs.isEmpty && !h.hasPadding && h.paddingLength == 0)
        // The empty mid (length 0) needs the two-byte form, so the block stays two-byte;
        // ID 20 is not registered and is dropped.
        #expect(h.extensionForm == .twoByte(appBits: 0))
        #expect(v.rid == Rid("q") && v.elementCount == 2)
        #expect(h.payloadLength == 2)
        // Keeping padding and CSRCs:
        let (kept, _) = try rewrite(src, RTPRewrite(), from: S.chromeMap, to: S.chromeMap)
        let k = try S.header(kept)
        #expect(k.csrcs.count == 2 && k.paddingLength == 3 && k.payloadLength == 2)
    }

    @Test func addsExtensionsToAPacketWithout() throws {
        let src = try fixture("h264-stap-a-keyframe.hex")
        let (out, _) = try rewrite(src, RTPRewrite(transportSequence: 1, mid: Mid("a"), absSendTime: 0xABCDEF),
                                   from: S.chromeMap, to: S.chromeMap)
        let (h, v) = try S.forwarding(out, map: S.chromeMap)
        #expect(h.hasExtension && v.transportSequence == 1 && v.mid == Mid("a") && v.absSendTime == 0xABCDEF)
    }

    @Test func foreignProfileCopiedVerbatim() throws {
        let src = S.hex("90 60 00 01  00 00 00 02  00 00 00 03  ab cd 00 01  11 22 33 44  55 66")
        let (out, _) = try rewrite(src, RTPRewrite(ssrc: SSRC(9)), from: S.chromeMap, to: S.chromeMap)
        #expect(Array(out[12...]) == Array(src[12...]))
        #expect(try S.header(out).ssrc == SSRC(9))
    }

    @Test func destinationTooSmallAtEverySize() throws {
        let src = try fixture("vp8-keyframe-one-byte-ext.hex")
        let spec = RTPRewrite(transportSequence: 3)
        let full = try rewrite(src, spec, from: S.chromeMap, to: S.chromeMap).bytes
        for cap in 0..<full.count {
            #expect(throws: WriteError.self) { try rewrite(src, spec, from: S.chromeMap, to: S.chromeMap, capacity: cap) }
        }
    }

    @Test func malformedElementsStopCopyingWithoutTrapping() throws {
        // Header parses (block length fits) but the element runs past the block.
        let src = S.hex("90 60 00 01  00 00 00 02  00 00 00 03  be de 00 01  31 00 05 4f  aa")
        let (out, _) = try rewrite(src, RTPRewrite(), from: S.chromeMap, to: S.chromeMap)
        let (_, v) = try S.forwarding(out, map: S.chromeMap)
        #expect(v.transportSequence == 5)
    }

    /// Random packets, maps and specs: the output parses and carries exactly the expected values.
    @Test func randomRewrites() throws {
        var rng = SeededRandom(seed: 0x5EED_0003)
        let gen = RTPExtensionValuesTests()
        for _ in 0..<2000 {
            let srcMap = gen.randomMap(&rng)
            let dstMap = gen.randomMap(&rng)
            let header = gen.randomHeader(&rng)
            let payload = rng.bytes(Int(rng.next() % 50))
            let padding = rng.next() % 4 == 0 ? Int(rng.next() % 20) + 1 : 0
            let packet = try S.write { dst throws(WriteError) in
                try S.borrow(payload) { src throws(WriteError) in
                    try RTPPacketWriter.write(header: header, values: gen.randomValues(&rng), map: srcMap,
                                              payload: src, paddingLength: padding, into: dst)
                }
            }
            let (_, srcValues) = try S.forwarding(packet, map: srcMap)
            var spec = RTPRewrite()
            if rng.next() % 2 == 0 { spec.transportSequence = UInt16(truncatingIfNeeded: rng.next()) }
            if rng.next() % 3 == 0 { spec.mid = gen.randomToken(&rng) }
            if rng.next() % 3 == 0 { spec.absSendTime = UInt32(rng.next() % 0x100_0000) }
            if rng.next() % 2 == 0 { spec.dropKinds = [.rid, .repairedRid] }
            spec.dropPadding = rng.next() % 2 == 0
            let (out, written) = try rewrite(packet, spec, from: srcMap, to: dstMap)
            let (h, v) = try S.forwarding(out, map: dstMap)

            var expected = srcValues
            for k in [RTPExtensionKind.rid, .repairedRid] where spec.dropKinds.contains(k) {
                if k == .rid { expected.rid = nil } else { expected.repairedRid = nil }
            }
            if let m = spec.mid { expected.mid = m }
            if let t = spec.transportSequence { expected.transportSequence = t }
            if let a = spec.absSendTime { expected.absSendTime = a }
            expected = gen.keepRegistered(expected, dstMap)
            var count = 0
            expected.forEachEncodable(map: dstMap) { _, _ in count += 1 }
            expected.elementCount = count
            #expect(v == expected)
            #expect(h.payloadLength == payload.count && written.payloadLength == payload.count)
            #expect(h.paddingLength == (spec.dropPadding ? 0 : padding))
            #expect(Array(out[written.payloadOffset..<(written.payloadOffset + written.payloadLength)]) == payload)
            if v != expected { break }
        }
    }
}
