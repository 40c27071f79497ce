import Testing
@testable import RTCCore

@Suite struct RTPExtensionValuesTests {
    typealias S = RTPTestSupport

    @Test func chromeVP8Fixture() throws {
        let bytes = S.hex(try fixtureText("vp8-keyframe-one-byte-ext.hex"))
        let (h, v) = try S.forwarding(bytes, map: S.chromeMap)
        #expect(h.payloadOffset == 32)
        #expect(v.absSendTime == 0x010203)
        #expect(v.transportSequence == 5)
        #expect(v.mid == Mid("0"))
        #expect(v.rid == Rid("h"))
        #expect(v.repairedRid == nil && v.audioLevel == nil && !v.hasDependencyDescriptor)
        #expect(v.elementCount == 4)
    }

    @Test func opusFixture() throws {
        let bytes = S.hex(try fixtureText("opus-audio-level.hex"))
        let (_, v) = try S.forwarding(bytes, map: S.chromeMap)
        #expect(v.audioLevel?.voiceActivity == true)
        #expect(v.audioLevel?.level == 106)
        #expect(v.transportSequence == 0x1234)
    }

    @Test func twoByteFixture() throws {
        let bytes = S.hex(try fixtureText("csrc-two-byte-ext-padding.hex"))
        let (_, v) = try S.forwarding(bytes, map: S.chromeMap)
        #expect(v.mid == nil)  // empty mid ignored
        #expect(v.rid == Rid("q"))
        #expect(v.elementCount == 3)
    }

    @Test func unregisteredIDsAreIgnored() throws {
        let bytes = S.hex(try fixtureText("vp8-keyframe-one-byte-ext.hex"))
        let (_, v) = try S.forwarding(bytes, map: RTPExtensionMap())
        #expect(v == { var e = RTPExtensionValues(); e.elementCount = 4; return e }())
    }

    @Test func otherKindsDecoded() throws {
        let map = RTPExtensionMap([(1, .videoOrientation), (2, .transmissionOffset), (3, .playoutDelay),
                                   (4, .absCaptureTime), (5, .videoContentType), (6, .dependencyDescriptor),
                                   (7, .transportWideCC02)])
        let bytes = S.hex("""
            90 00 00 00  00 00 00 00  00 00 00 00
            be de 00 08
            10 03                      # CVO: rotation 3 (270°)
            22 ff ff fe                # toffset -2
            32 01 40 64                # playout delay: min 0x014, max 0x064
            47 01 02 03 04 05 06 07 08 # abs-capture-time
            50 01                      # content type 1 (screenshare)
            62 80 01 02                # dependency descriptor, 3 bytes
            73 00 09 80 00             # transport-wide-cc-02: seq 9 + feedback request
            00 00                      # padding
            """)
        let (h, v) = try S.forwarding(bytes, map: map)
        #expect(v.videoOrientation == 3)
        #expect(v.transmissionOffset == -2)
        #expect(v.playoutDelay?.minimum == 0x14 && v.playoutDelay?.maximum == 0x64)
        #expect(v.absCaptureTime == 0x0102_0304_0506_0708)
        #expect(v.videoContentType == 1)
        #expect(v.hasDependencyDescriptor)
        #expect(v.transportSequence == 9)
        bytes.withUnsafeBytes { raw in
            #expect(v.dependencyDescriptor.map { Array($0.data(in: raw)) } == [0x80, 0x01, 0x02])
        }
        #expect(h.payloadLength == 0)
    }

    @Test func wrongLengthsAreIgnored() throws {
        let bytes = S.hex("""
            90 00 00 00  00 00 00 00  00 00 00 00
            be de 00 02
            21 01 02        # abs-send-time with 2 bytes: ignored
            32 00 00 01     # twcc with 3 bytes: ignored
            00
            """)
        let map = RTPExtensionMap([(2, .absSendTime), (3, .transportWideCC)])
        let (_, v) = try S.forwarding(bytes, map: map)
        #expect(v.absSendTime == nil && v.transportSequence == nil && v.elementCount == 2)
    }

    @Test func elementPastTheEndThrows() {
        let bytes = S.hex("90 00 00 00  00 00 00 00  00 00 00 00  be de 00 01  13 00 01 02")
        #expect(throws: ParseError.self) { try S.forwarding(bytes, map: S.chromeMap) }
    }

    /// Seeded random values written with RTPPacketWriter and parsed back, thousands of times.
    @Test func randomValuesRoundTrip() throws {
        var rng = SeededRandom(seed: 0x5EED_0001)
        for _ in 0..<3000 {
            let map = randomMap(&rng)
            var values = randomValues(&rng)
            let header = randomHeader(&rng)
            let payload = rng.bytes(Int(rng.next() % 64))
            let padding = rng.next() % 3 == 0 ? Int(rng.next() % 255) + 1 : 0
            let packet = try S.write { dst throws(WriteError) in
                try S.borrow(payload) { src throws(WriteError) in
                    try RTPPacketWriter.write(header: header, values: values, map: map, payload: src,
                                              paddingLength: padding, into: dst)
                }
            }
            let n = packet.count
            let (h, v) = try S.forwarding(packet, map: map)
            #expect(h.payloadType == header.payloadType && h.sequenceNumber == header.sequenceNumber)
            #expect(h.timestamp == header.timestamp && h.ssrc == header.ssrc && h.marker == header.marker)
            #expect(h.csrcs == header.csrcs)
            #expect(h.paddingLength == padding)
            #expect(h.packetLength == n)
            packet.withUnsafeBytes { raw in #expect(Array(h.payload(in: raw)) == payload) }
            // Only values whose kind the map registers survive.
            var count = 0
            values.forEachEncodable(map: map) { _, _ in count += 1 }
            values = keepRegistered(values, map)
            values.elementCount = count
            #expect(v == values)
            if v != values { break }
        }
    }

    /// Seeded random raw elements in both forms (with padding between them) round-trip.
    @Test func randomElementsRoundTrip() throws {
        var rng = SeededRandom(seed: 0x5EED_0002)
        for _ in 0..<3000 {
            let twoByte = rng.next() % 2 == 0
            var elements: [(id: UInt8, data: [UInt8])] = []
            for _ in 0..<Int(rng.next() % 8) {
                if twoByte {
                    elements.append((UInt8(rng.next() % 255) + 1, rng.bytes(Int(rng.next() % 40))))
                } else {
                    elements.append((UInt8(rng.next() % 14) + 1, rng.bytes(Int(rng.next() % 16) + 1)))
                }
            }
            let form: RTPExtensionForm = twoByte ? .twoByte(appBits: UInt8(rng.next() % 16)) : .oneByte
            let packet = try RTPPacketWriter.packet(
                header: randomHeader(&rng), form: form, elements: elements, payload: rng.bytes(10),
                paddingLength: Int(rng.next() % 4))
            let got = try S.elements(packet)
            #expect(got.map(\.id) == elements.map(\.id))
            #expect(got.map(\.data) == elements.map(\.data))
            #expect(try S.header(packet).extensionForm == form)
        }
    }

    // MARK: - generators

    func randomHeader(_ rng: inout SeededRandom) -> RTPHeader {
        var csrcs = RTPCSRCList()
        for _ in 0..<Int(rng.next() % 16) { csrcs.append(SSRC(UInt32(truncatingIfNeeded: rng.next()))) }
        return RTPHeader(
            marker: rng.next() % 2 == 0, payloadType: PayloadType(UInt8(truncatingIfNeeded: rng.next())),
            sequenceNumber: SequenceNumber(UInt16(truncatingIfNeeded: rng.next())),
            timestamp: UInt32(truncatingIfNeeded: rng.next()), ssrc: SSRC(UInt32(truncatingIfNeeded: rng.next())),
            csrcs: csrcs)
    }

    func randomMap(_ rng: inout SeededRandom) -> RTPExtensionMap {
        let kinds: [RTPExtensionKind] = [.mid, .rid, .repairedRid, .absSendTime, .transportWideCC, .audioLevel,
                                         .videoOrientation, .transmissionOffset, .playoutDelay, .absCaptureTime,
                                         .videoContentType]
        let wide = rng.next() % 4 == 0
        var ids = Array(1...(wide ? 255 : 14)).map(UInt8.init)
        var map = RTPExtensionMap()
        for k in kinds where rng.next() % 5 != 0 {
            let i = Int(rng.next() % UInt64(ids.count))
            map.register(k, id: ids.remove(at: i))
        }
        return map
    }

    func randomToken(_ rng: inout SeededRandom) -> ShortID? {
        let bytes = rng.bytes(Int(rng.next() % 16) + 1)
        return bytes.withUnsafeBytes { ShortID(bytes: $0) }
    }

    func randomValues(_ rng: inout SeededRandom) -> RTPExtensionValues {
        var v = RTPExtensionValues()
        if rng.next() % 2 == 0 { v.mid = randomToken(&rng) }
        if rng.next() % 2 == 0 { v.rid = randomToken(&rng) }
        if rng.next() % 2 == 0 { v.repairedRid = randomToken(&rng) }
        if rng.next() % 2 == 0 { v.absSendTime = UInt32(truncatingIfNeeded: rng.next()) & 0xFF_FFFF }
        if rng.next() % 2 == 0 { v.transportSequence = UInt16(truncatingIfNeeded: rng.next()) }
        if rng.next() % 2 == 0 { v.audioLevel = (rng.next() % 2 == 0, UInt8(rng.next() % 128)) }
        if rng.next() % 2 == 0 { v.videoOrientation = UInt8(truncatingIfNeeded: rng.next()) }
        if rng.next() % 2 == 0 {
            v.transmissionOffset = Int32(truncatingIfNeeded: Int64(rng.next() % 0x100_0000) - 0x80_0000)
        }
        if rng.next() % 2 == 0 {
            v.playoutDelay = (UInt16(rng.next() % 4096), UInt16(rng.next() % 4096))
        }
        if rng.next() % 2 == 0 { v.absCaptureTime = rng.next() }
        if rng.next() % 2 == 0 { v.videoContentType = UInt8(truncatingIfNeeded: rng.next()) }
        return v
    }

    func keepRegistered(_ v: RTPExtensionValues, _ map: RTPExtensionMap) -> RTPExtensionValues {
        var o = RTPExtensionValues()
        if map.id(for: .mid) != nil { o.mid = v.mid }
        if map.id(for: .rid) != nil { o.rid = v.rid }
        if map.id(for: .repairedRid) != nil { o.repairedRid = v.repairedRid }
        if map.id(for: .absSendTime) != nil { o.absSendTime = v.absSendTime }
        if map.id(for: .transportWideCC) != nil { o.transportSequence = v.transportSequence }
        if map.id(for: .audioLevel) != nil { o.audioLevel = v.audioLevel }
        if map.id(for: .videoOrientation) != nil { o.videoOrientation = v.videoOrientation }
        if map.id(for: .transmissionOffset) != nil { o.transmissionOffset = v.transmissionOffset }
        if map.id(for: .playoutDelay) != nil { o.playoutDelay = v.playoutDelay }
        if map.id(for: .absCaptureTime) != nil { o.absCaptureTime = v.absCaptureTime }
        if map.id(for: .videoContentType) != nil { o.videoContentType = v.videoContentType }
        return o
    }

    func fixtureText(_ name: String) throws -> String {
        try String(contentsOf: S.packageRoot.appendingPathComponent("Fixtures/rtp/\(name)"), encoding: .utf8)
    }
}
