import Testing
@testable import RTCCore

/// The depacketizer's reassembly and loss policy (see the VP8Depacketizer doc comment), on
/// fake frames so that each scenario controls exactly which packets arrive.
@Suite struct VP8DepacketizerTests {
    typealias M = MediaTestSupport

    static let params = RTPStreamParameters(
        ssrc: SSRC(7), payloadType: PayloadType(96), clockRate: 90_000, maxPacketSize: 500,
        initialSequenceNumber: SequenceNumber(65000))

    /// Packets of each frame (a 1,200-byte frame takes 3 packets at this MTU).
    func packetize(_ frames: [VP8EncodedFrame]) throws -> [[[UInt8]]] {
        var p = VP8Packetizer(parameters: Self.params, initialPictureID: 0x7FF0, initialTL0PicIdx: 250)
        return try frames.map { try p.packetize($0) }
    }

    func run(_ packets: [[UInt8]]) throws -> (VP8Depacketizer, [VP8DepacketizerOutput]) {
        var d = VP8Depacketizer()
        var out: [VP8DepacketizerOutput] = []
        for p in packets {
            try d.push(p)
            out += M.drain(&d)
        }
        return (d, out)
    }

    /// Delivered frames, by index into the input frames (picture IDs start at 0x7FF0).
    func delivered(_ outputs: [VP8DepacketizerOutput]) -> [Int] {
        M.frames(outputs).map { Int(($0.pictureID! &- 0x7FF0) & 0x7FFF) }
    }

    func dropped(_ outputs: [VP8DepacketizerOutput]) -> [(Int, VP8FrameDropReason)] {
        M.drops(outputs).map { (Int(($0.1! &- 0x7FF0) & 0x7FFF), $0.0) }
    }

    @Test func inOrderStreamIsDeliveredWhole() throws {
        let frames = (0..<20).map { M.fakeFrame(index: $0, keyframe: $0 == 0, length: 1200) }
        let packets = try packetize(frames)
        #expect(packets.allSatisfy { $0.count == 3 })
        let (d, out) = try run(packets.flatMap { $0 })
        #expect(delivered(out) == Array(0..<20))
        let got = M.frames(out)
        #expect(zip(got, frames).allSatisfy { $0.bytes == $1.bytes })
        #expect(got[0].isKeyframe && got[0].width == 320 && got[0].height == 180 && !got[1].isKeyframe)
        #expect(got[0].firstSequenceNumber == SequenceNumber(65000) && got[0].lastSequenceNumber == SequenceNumber(65002))
        #expect(got.allSatisfy { $0.packetCount == 3 })
        #expect(d.stats.framesDelivered == 20 && d.stats.framesDropped == 0 && !d.isWaitingForKeyframe)
        #expect(M.keyframeRequests(out) == 0)
    }

    @Test func reorderingWithinAFrameIsTolerated() throws {
        let frames = (0..<6).map { M.fakeFrame(index: $0, keyframe: $0 == 0, length: 1200) }
        var rng = SeededRandom(seed: 3)
        let packets = try packetize(frames).flatMap { $0.shuffled(using: &rng) }
        let (_, out) = try run(packets)
        #expect(delivered(out) == Array(0..<6))
    }

    @Test func duplicatesLateAndPaddingPackets() throws {
        let frames = (0..<4).map { M.fakeFrame(index: $0, keyframe: $0 == 0, length: 1200) }
        let p = try packetize(frames)
        var d = VP8Depacketizer()
        try d.push(p[0][0]); try d.push(p[0][0]); try d.push(p[0][1]); try d.push(p[0][2])
        try d.push(p[0][1])  // after delivery: late
        // A padding-only packet between frames takes a sequence number without breaking anything.
        var pad = VP8Packetizer(parameters: Self.params).stream
        pad.nextSequenceNumber = SequenceNumber(65003)
        var twcc: UInt16 = 0
        let padding = try RTPTestSupport.write { dst throws(WriteError) in
            try pad.writeHeader(timestamp: 0, marker: false, now: .zero, transportSequence: &twcc, into: dst)
        }
        try d.push(padding)
        for frame in p[1...] { for q in frame { try d.push(Self.shift(q, by: 1)) } }
        let out = M.drain(&d)
        #expect(delivered(out) == [0, 1, 2, 3])
        #expect(d.stats.duplicatePackets == 1 && d.stats.latePackets == 1)
        #expect(d.stats.missingPackets == 0 && d.stats.framesDropped == 0)
    }

    /// Moves a packet's sequence number forward (to leave room for a padding packet).
    static func shift(_ packet: [UInt8], by n: UInt16) -> [UInt8] {
        var p = packet
        let seq = (UInt16(p[2]) << 8 | UInt16(p[3])) &+ n
        p[2] = UInt8(seq >> 8)
        p[3] = UInt8(seq & 0xFF)
        return p
    }

    @Test func singleLayerLossWaitsForAKeyframe() throws {
        let frames = (0..<10).map { M.fakeFrame(index: $0, keyframe: $0 == 0 || $0 == 7, length: 1200) }
        var packets = try packetize(frames)
        packets[3].remove(at: 1)  // frame 3 loses its middle packet
        let (d, out) = try run(packets.flatMap { $0 })
        #expect(delivered(out) == [0, 1, 2, 7, 8, 9])
        let drops = dropped(out)
        #expect(drops.map(\.0) == [3, 4, 5, 6])
        #expect(drops.map(\.1) == [.incomplete, .waitingForKeyframe, .waitingForKeyframe, .waitingForKeyframe])
        #expect(M.keyframeRequests(out) == 1)
        // The request comes right after the first frame that could not be used.
        let firstRequest = try #require(out.firstIndex(of: .keyframeNeeded))
        #expect(out[firstRequest - 1] == .dropped(.waitingForKeyframe, timestamp: 4 * 3000, pictureID: 0x7FF4))
        #expect(d.stats.missingPackets == 1 && d.stats.keyframeRequests == 1 && !d.isWaitingForKeyframe)
    }

    @Test func wholeFrameLossWithoutTemporalLayersAlsoWaits() throws {
        let frames = (0..<6).map { M.fakeFrame(index: $0, keyframe: $0 == 0, length: 1200) }
        var packets = try packetize(frames)
        packets[2] = []
        let (d, out) = try run(packets.flatMap { $0 })
        #expect(delivered(out) == [0, 1])
        #expect(dropped(out).map(\.1) == [.waitingForKeyframe, .waitingForKeyframe, .waitingForKeyframe])
        #expect(d.isWaitingForKeyframe && d.stats.missingPackets == 3)
    }

    @Test func streamMustStartWithAKeyframe() throws {
        let frames = (0..<5).map { M.fakeFrame(index: $0, keyframe: $0 == 3, length: 300) }
        var packets = try packetize(frames)
        packets[0] = []
        let (_, out) = try run(packets.flatMap { $0 })
        #expect(delivered(out) == [3, 4])
        #expect(dropped(out).map(\.1) == [.waitingForKeyframe, .waitingForKeyframe])
        #expect(M.keyframeRequests(out) == 1)
    }

    @Test func partlyLostNonReferenceFrameBreaksNothing() throws {
        let frames = M.fakeL1T3(count: 12, length: 1200)
        var packets = try packetize(frames)
        packets[5].remove(at: 2)     // TL2, N=1: its other packets say it is non-reference
        let (d, out) = try run(packets.flatMap { $0 })
        #expect(delivered(out) == [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11])
        #expect(dropped(out).map(\.0) == [5] && dropped(out).map(\.1) == [.incomplete])
        #expect(M.keyframeRequests(out) == 0 && !d.isWaitingForKeyframe)
    }

    @Test func wholeLostFrameOfUnknownLayerLetsOnlySyncFramesThrough() throws {
        let frames = M.fakeL1T3(count: 12, length: 1200)
        var packets = try packetize(frames)
        packets[1] = []              // TL2 lost whole: its layer and N bit are unknown
        let (d, out) = try run(packets.flatMap { $0 })
        // Frame 2 (TL1, Y=1) reads only TL0 and passes; frame 3 (TL2, not sync) might have
        // read the lost frame and waits for the next TL0 (frame 4). No keyframe is needed.
        #expect(delivered(out) == [0, 2, 4, 5, 6, 7, 8, 9, 10, 11])
        #expect(dropped(out).map(\.0) == [3] && dropped(out).map(\.1) == [.referenceMissing])
        #expect(M.keyframeRequests(out) == 0 && !d.isWaitingForKeyframe)
    }

    @Test func losingTL1DropsTheTL2FrameThatReferencesIt() throws {
        let frames = M.fakeL1T3(count: 12, length: 1200)
        var packets = try packetize(frames)
        packets[6] = []              // TL1 of the second period
        let (d, out) = try run(packets.flatMap { $0 })
        // Frame 7 (TL2, not a sync frame) reads GOLDEN written by frame 6: dropped until the
        // next TL0 (frame 8) heals the layers, with no keyframe request.
        #expect(delivered(out) == [0, 1, 2, 3, 4, 5, 8, 9, 10, 11])
        #expect(dropped(out).map(\.0) == [7] && dropped(out).map(\.1) == [.referenceMissing])
        #expect(M.keyframeRequests(out) == 0 && !d.isWaitingForKeyframe)
    }

    @Test func partialTL1LossAlsoDropsItsDependants() throws {
        let frames = M.fakeL1T3(count: 8, length: 1200)
        var packets = try packetize(frames)
        packets[2].removeLast()      // TL1, marker packet lost
        let (_, out) = try run(packets.flatMap { $0 })
        #expect(delivered(out) == [0, 1, 4, 5, 6, 7])
        #expect(dropped(out).map(\.0) == [2, 3])
        #expect(dropped(out).map(\.1) == [.incomplete, .referenceMissing])
    }

    @Test func lostBaseFrameBreaksTheChainEvenForSyncFrames() throws {
        let frames = M.fakeL1T3(count: 12, length: 1200)
        var packets = try packetize(frames)
        packets[2] = []              // TL1 (reference) of period 0 lost
        packets[4] = []              // TL0 of period 1 lost → the base chain is broken
        let (d, out) = try run(packets.flatMap { $0 })
        // Frame 3 (TL2 reading GOLDEN of the lost frame 2): reference missing. Frames from 5 on
        // belong to a TL0 that never arrived: wait for a keyframe.
        #expect(delivered(out) == [0, 1])
        #expect(dropped(out).map(\.1) == [.referenceMissing] + Array(repeating: .waitingForKeyframe, count: 7))
        #expect(M.keyframeRequests(out) == 1 && d.isWaitingForKeyframe)
    }

    @Test func losingTL0WaitsForAKeyframeThenRecovers() throws {
        let frames = M.fakeL1T3(count: 14, keyframes: [0, 10], length: 1200)
        var packets = try packetize(frames)
        packets[4].remove(at: 0)     // TL0 of period 1 loses its first packet
        let (d, out) = try run(packets.flatMap { $0 })
        #expect(delivered(out) == [0, 1, 2, 3, 10, 11, 12, 13])
        let drops = dropped(out)
        #expect(drops.map(\.0) == [4, 5, 6, 7, 8, 9])
        #expect(drops.first?.1 == .incomplete && drops.dropFirst().allSatisfy { $0.1 == .waitingForKeyframe })
        #expect(M.keyframeRequests(out) == 1 && !d.isWaitingForKeyframe)
        #expect(d.stats.droppedIncomplete == 1 && d.stats.droppedWaitingForKeyframe == 5)
    }

    @Test func bufferOverflowDiscardsTheOldest() throws {
        // A frame whose marker never comes keeps its packets buffered until a later frame
        // completes; with a tiny buffer the oldest go first.
        var d = VP8Depacketizer(maxBufferedPackets: 16)
        #expect(d.maxBufferedPackets == 16)
        var params = Self.params
        params.maxPacketSize = 100
        var p = VP8Packetizer(parameters: params)
        var big = try p.packetize(M.fakeFrame(index: 0, keyframe: true, length: 4000))
        big.removeLast()
        for q in big { try d.push(q) }
        let out = M.drain(&d)
        #expect(d.stats.droppedBufferOverflow >= 1)
        #expect(M.drops(out).first?.0 == .bufferOverflow)
        #expect(M.frames(out).isEmpty)
    }

    @Test func malformedPacketsGiveTypedErrors() throws {
        let frames = [M.fakeFrame(index: 0, keyframe: true, length: 40, layers: 3)]
        let packet = try packetize(frames)[0][0]
        var d = VP8Depacketizer()
        for n in 0..<packet.count {
            do {
                try d.push(Array(packet.prefix(n)))
            } catch {
                #expect(error.format == .rtp || error.format == .vp8)
            }
        }
        var rng = SeededRandom(seed: 11)
        for _ in 0..<5000 {
            var q = packet
            for _ in 0..<3 { q[Int(rng.next() % UInt64(q.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            q = Array(q.prefix(Int(rng.next() % UInt64(q.count + 1))))
            try? d.push(q)
            _ = M.drain(&d)
        }
    }
}
