import Testing
@testable import RTCCore

@Suite struct VP8PacketizerTests {
    typealias M = MediaTestSupport
    typealias S = RTPTestSupport

    static let params = RTPStreamParameters(
        ssrc: SSRC(0x1234_5678), payloadType: PayloadType(96), clockRate: 90_000,
        mid: Mid("0"), rid: Rid("f"), extensionMap: M.videoMap, maxPacketSize: 1200,
        initialSequenceNumber: SequenceNumber(65530), timestampOffset: 0xFFFF_F000)

    /// The wire layout of the first packet of an L1T3 keyframe, pinned as annotated hex.
    @Test func firstPacketMatchesFixture() throws {
        var p = VP8Packetizer(parameters: Self.params, initialPictureID: 0x1267, initialTL0PicIdx: 7)
        let frame = M.fakeFrame(index: 0, keyframe: true, length: 10, layers: 3)
        let packets = try p.packetize(frame, now: Instant(nanoseconds: 1_500_000_000))
        #expect(packets.count == 1)
        let fixture = try FixtureFiles.hex("vp8-l1t3-keyframe.hex")
        #expect(packets[0] == fixture)
    }

    @Test func splitsFramesIntoPacketsWithinTheMTU() throws {
        for size in [1, 10, 1100, 1149, 1150, 1151, 5000, 20_000] {
            var p = VP8Packetizer(parameters: Self.params, initialPictureID: 0x7FFE)
            let frame = M.fakeFrame(index: 3, keyframe: false, length: size)
            let packets = try p.packetize(frame)
            var reassembled: [UInt8] = []
            for (i, bytes) in packets.enumerated() {
                #expect(bytes.count <= 1200)
                let (h, v) = try S.forwarding(bytes, map: M.videoMap)
                #expect(h.sequenceNumber == SequenceNumber(65530) &+ UInt16(i))
                #expect(h.marker == (i == packets.count - 1))
                #expect(h.timestamp == 0xFFFF_F000 &+ 9000 && h.ssrc == SSRC(0x1234_5678))
                #expect(v.mid == Mid("0") && v.rid == Rid("f") && v.transportSequence == UInt16(1 + i))
                #expect(v.absSendTime == 0)
                let payload = Array(bytes[h.payloadOffset..<(h.payloadOffset + h.payloadLength)])
                let d = try S.run(payload, VP8PayloadDescriptor.parse).get()
                #expect(d.startOfPartition == (i == 0) && d.partitionIndex == 0)
                #expect(d.pictureID == 0x7FFE && d.pictureIDIs15Bit)
                #expect(d.tl0PicIdx == nil && d.temporalLayer == nil)
                reassembled += payload[d.length...]
            }
            #expect(reassembled == frame.bytes)
            // Sizes are balanced: no two payloads differ by more than one byte.
            let sizes = packets.map(\.count)
            #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1)
            // 28 header bytes (12 fixed + 16 extension block) and a 4-byte descriptor leave 1168.
            #expect(packets.count == (max(10, size) + 1167) / 1168)
            // The picture ID wraps at 15 bits.
            let next = try p.packetize(frame)
            let d = try S.run(Array(next[0][try S.header(next[0]).payloadOffset...]), VP8PayloadDescriptor.parse).get()
            #expect(d.pictureID == 0x7FFF)
            let wrapped = try p.packetize(frame)
            #expect(try S.run(Array(wrapped[0][try S.header(wrapped[0]).payloadOffset...]), VP8PayloadDescriptor.parse).get().pictureID == 0)
        }
    }

    @Test func tl0PicIdxAdvancesOnBaseFrames() throws {
        var p = VP8Packetizer(parameters: Self.params, initialPictureID: 5, initialTL0PicIdx: 254)
        let frames = M.fakeL1T3(count: 9, length: 300)
        var seen: [(UInt8?, UInt8?, Bool, Bool, UInt16?)] = []
        for f in frames {
            let pk = try p.packetize(f)
            let h = try S.header(pk[0])
            let d = try S.run(Array(pk[0][h.payloadOffset...]), VP8PayloadDescriptor.parse).get()
            seen.append((d.temporalLayer, d.tl0PicIdx, d.layerSync, d.nonReference, d.pictureID))
        }
        #expect(seen.map(\.0) == [0, 2, 1, 2, 0, 2, 1, 2, 0])
        #expect(seen.map(\.1) == [254, 254, 254, 254, 255, 255, 255, 255, 0])
        #expect(seen.map(\.2) == [false, true, true, false, false, true, true, false, false])
        #expect(seen.map(\.3) == [false, true, false, true, false, true, false, true, false])
        #expect(seen.map(\.4) == (5..<14).map { UInt16($0) })
    }

    /// The keyframe flag the existing descriptor parser reads from the first packet agrees
    /// with the encoder's, and it finds the picture size.
    @Test func keyframeDetectionAgreesWithTheEncoder() throws {
        let enc = try VP8Encoder(VP8EncoderConfiguration(
            width: 640, height: 360, targetBitrate: 600_000, keyframeInterval: 7, temporalLayers: 3))
        var src = try #require(SyntheticVideoSource(width: 640, height: 360))
        var p = VP8Packetizer(parameters: Self.params)
        var keyframes = 0
        for i in 0..<30 {
            if i == 19 { enc.forceKeyframe() }
            for f in try enc.encode(src.nextFrame()) {
                let packets = try p.packetize(f)
                for (j, bytes) in packets.enumerated() {
                    let h = try S.header(bytes)
                    let d = try S.run(Array(bytes[h.payloadOffset..<(h.payloadOffset + h.payloadLength)]),
                                      VP8PayloadDescriptor.parse).get()
                    #expect(d.isKeyframe == (f.isKeyframe && j == 0))
                    #expect(d.temporalLayer == f.temporalLayer)
                    if d.isKeyframe { #expect(d.width == 640 && d.height == 360) }
                }
                if f.isKeyframe { keyframes += 1 }
            }
        }
        #expect(keyframes == 5)  // 0, 7, 14, 19 (forced), 26
    }

    @Test func refusesAnMTUWithNoRoomForPayload() throws {
        var params = Self.params
        params.maxPacketSize = 28 + 4
        var p = VP8Packetizer(parameters: params, initialPictureID: 9)
        #expect(throws: WriteError.self) { _ = try p.packetize(M.fakeFrame(index: 0, keyframe: true, length: 50)) }
        // Nothing advanced.
        #expect(p.nextPictureID == 9 && p.stream.nextSequenceNumber == SequenceNumber(65530))
        params.maxPacketSize = 28 + 4 + 1
        p = VP8Packetizer(parameters: params)
        #expect(try p.packetize(M.fakeFrame(index: 0, keyframe: true, length: 50)).count == 50)
    }

    @Test func sharedTransportCounterAcrossStreams() throws {
        var a = VP8Packetizer(parameters: Self.params)
        var paramsB = Self.params
        paramsB.ssrc = SSRC(99)
        paramsB.rid = Rid("h")
        var b = VP8Packetizer(parameters: paramsB)
        var twcc: UInt16 = 65534
        var seen: [UInt16] = []
        for i in 0..<3 {
            let f = M.fakeFrame(index: i, keyframe: i == 0, length: 2000)
            for pk in [a, b].indices {
                var collected: [[UInt8]] = []
                if pk == 0 {
                    try a.packetize(f, now: .zero, transportSequence: &twcc) { collected.append([UInt8]($0)) }
                } else {
                    try b.packetize(f, now: .zero, transportSequence: &twcc) { collected.append([UInt8]($0)) }
                }
                for c in collected { seen.append(try #require(try S.forwarding(c, map: M.videoMap).1.transportSequence)) }
            }
        }
        #expect(seen == (0..<12).map { 65534 &+ UInt16($0) })
        // Without transport-wide-cc in the map the counter stays put.
        var params = Self.params
        params.extensionMap = RTPExtensionMap([(4, .mid)])
        var c = VP8Packetizer(parameters: params)
        var counter: UInt16 = 5
        try c.packetize(M.fakeFrame(index: 0, keyframe: true, length: 3000), now: .zero, transportSequence: &counter) { _ in }
        #expect(counter == 5)
        // An empty map writes no extension block.
        params.extensionMap = RTPExtensionMap()
        var d = VP8Packetizer(parameters: params)
        let plain = try d.packetize(M.fakeFrame(index: 0, keyframe: true, length: 30))
        #expect(try S.header(plain[0]).hasExtension == false)
    }

    @Test func absoluteSendTime() {
        #expect(AbsoluteSendTime.value(at: .zero) == 0)
        #expect(AbsoluteSendTime.value(at: Instant(nanoseconds: 1_500_000_000)) == 0x06_0000)
        #expect(AbsoluteSendTime.value(at: Instant(nanoseconds: 64_000_000_000)) == 0)
        #expect(AbsoluteSendTime.value(at: Instant(nanoseconds: 63_999_999_999)) == 0xFF_FFFF)
        #expect(AbsoluteSendTime.value(at: Instant(nanoseconds: -5)) == 0)
        #expect(AbsoluteSendTime.value(at: Instant(nanoseconds: .max)) <= 0xFF_FFFF)
    }
}
