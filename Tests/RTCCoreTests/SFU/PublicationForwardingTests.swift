import Testing
@testable import RTCCore

@Suite struct SimulcastLayerPolicyTests {
    let t0 = Instant(nanoseconds: 10_000_000_000)

    @Test(arguments: [
        // (ms since each layer's last packet or nil, preferred, expected)
        ([0, 0, 0] as [Int?], nil as Int?, 2 as Int?),
        ([0, 0, nil], nil, 1),
        ([0, 0, 1500], nil, 1),          // top layer stale: not active
        ([0, 0, 0], 1, 1),               // the subscriber wants at most h
        ([0, 0, 0], 0, 0),
        ([nil, nil, 0], 0, 2),           // nothing at or below the preference: lowest active above
        ([nil, nil, nil], nil, nil),
        ([2000, 2000, 2000], nil, nil),
    ])
    func target(ages: [Int?], preferred: Int?, expected: Int?) {
        let last = ages.map { $0.map { t0 - .milliseconds(Int64($0)) } }
        #expect(SimulcastLayerPolicy.target(lastPacketAt: last, preferred: preferred, now: t0) == expected)
    }

    @Test(arguments: [
        // (active layers bit mask, layer count, preferred, expected)
        (0b111 as UInt64, 3, nil as Int?, 2 as Int?),
        (0b011, 3, nil, 1),
        (0b101, 3, 1, 0),                // h not active: the highest active at or below it
        (0b100, 3, 0, 2),                // nothing at or below: the lowest active above
        (0b110, 3, -1, 1),               // a negative preference takes the lowest active
        (0b111, 3, 7, 2),                // a preference above the top means no limit
        (0b1000, 3, nil, nil),           // a bit beyond the layer count is ignored
        (0, 3, nil, nil),
        (UInt64.max, 64, 40, 40),
        (1 << 63, 64, nil, 63),
    ])
    func targetFromMask(active: UInt64, layers: Int, preferred: Int?, expected: Int?) {
        #expect(SimulcastLayerPolicy.target(active: active, layerCount: layers, preferred: preferred) == expected)
    }
}

@Suite struct PublicationForwardingTests {
    /// A VP8 packet (one-byte extension mid) with the given keyframe flag.
    func vp8Packet(seq: UInt16, ts: UInt32, ssrc: UInt32, keyframe: Bool, start: Bool = true) -> [UInt8] {
        var p: [UInt8] = [0x90, 96, UInt8(seq >> 8), UInt8(seq & 0xFF),
                          UInt8(ts >> 24), UInt8((ts >> 16) & 0xFF), UInt8((ts >> 8) & 0xFF), UInt8(ts & 0xFF),
                          UInt8(ssrc >> 24), UInt8((ssrc >> 16) & 0xFF), UInt8((ssrc >> 8) & 0xFF), UInt8(ssrc & 0xFF),
                          0xBE, 0xDE, 0x00, 0x01, 0x40, 0x31, 0x00, 0x00]  // mid "1"
        // VP8 descriptor: S bit on a start packet, partition 0; payload header P bit 0 = keyframe
        p += [start ? 0x10 : 0x00]
        p += keyframe ? [0x50, 0x42, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0x68, 0x01] : [0x51, 0x42, 0x00, 0, 0, 0, 0, 0]
        p += [UInt8](repeating: 0xAB, count: 100)
        return p
    }

    struct Forwarded {
        var seq: UInt16
        var ts: UInt32
        var ssrc: UInt32
        var slot: Int
    }

    func forward(_ pub: Publication, _ bytes: [UInt8], layer: Int, now: Instant) -> [Forwarded] {
        var out: [Forwarded] = []
        var scratch = [UInt8](repeating: 0, count: 2048)
        bytes.withUnsafeBytes { raw in
            guard let (h, v) = try? RTPHeader.parseForForwarding(raw, map: pub.sourceMap) else { return }
            scratch.withUnsafeMutableBytes { dst in
                pub.forward(packet: raw, header: h, values: v, layer: layer, now: now, scratch: dst) { sub, n in
                    let w = UnsafeRawBufferPointer(rebasing: dst[0..<n])
                    if let oh = try? RTPHeader.parse(w) {
                        out.append(Forwarded(seq: oh.sequenceNumber.rawValue, ts: oh.timestamp,
                                             ssrc: oh.ssrc.rawValue, slot: sub.slot))
                    }
                }
            }
        }
        return out
    }

    func makePublication(layers: Int) -> Publication {
        var map = RTPExtensionMap()
        map.register(.mid, id: 4)
        return Publication(id: 1, kind: .video, codec: .vp8, layerCount: layers, sourceMap: map)
    }

    func subscription(slot: Int) -> Subscription {
        var map = RTPExtensionMap()
        map.register(.mid, id: 4)
        return Subscription(slot: slot, outSSRC: SSRC(0xAAAA_0000 + UInt32(slot)), outPayloadType: PayloadType(96),
                            mid: Mid("0"), destinationMap: map, clockRate: 90_000)
    }

    @Test func startsOnAKeyframeAndRequestsOne() {
        let pub = makePublication(layers: 1)
        let s = subscription(slot: 0)
        pub.add(s)
        #expect(pub.takeKeyframeRequest() == 0)
        let t = Instant(nanoseconds: 1_000_000_000)
        #expect(forward(pub, vp8Packet(seq: 10, ts: 900, ssrc: 5, keyframe: false), layer: 0, now: t).isEmpty)
        #expect(s.drops[.notAKeyframe] == 1)
        let first = forward(pub, vp8Packet(seq: 11, ts: 3900, ssrc: 5, keyframe: true), layer: 0, now: t)
        #expect(first.count == 1 && first[0].ssrc == 0xAAAA_0000)
        let next = forward(pub, vp8Packet(seq: 12, ts: 6900, ssrc: 5, keyframe: false, start: false), layer: 0, now: t)
        #expect(next.count == 1 && next[0].seq == first[0].seq &+ 1 && next[0].ts == first[0].ts &+ 3000)
    }

    @Test func publisherRestartKeepsTheSubscriberStreamContinuous() {
        let pub = makePublication(layers: 1)
        let s = subscription(slot: 3)
        pub.add(s)
        var t = Instant(nanoseconds: 1_000_000_000)
        var last: Forwarded?
        for i in 0..<5 {
            let out = forward(pub, vp8Packet(seq: UInt16(100 + i), ts: UInt32(i * 3000), ssrc: 5, keyframe: i == 0), layer: 0, now: t)
            last = out.last ?? last
            t = t + .milliseconds(33)
        }
        // New SSRC, new sequence and timestamp space (a reconnected publisher).
        pub.restartSubscriptions()
        var after: [Forwarded] = []
        for i in 0..<3 {
            after += forward(pub, vp8Packet(seq: UInt16(60_000 + i), ts: UInt32(7_777_777 + i * 3000), ssrc: 9,
                                            keyframe: i == 0), layer: 0, now: t)
            t = t + .milliseconds(33)
        }
        #expect(after.count == 3)
        #expect(after[0].seq == last!.seq &+ 1)            // no jump in sequence numbers
        #expect(after[0].ssrc == last!.ssrc)               // same SSRC for the subscriber
        #expect(after[0].ts &- last!.ts < 90_000)          // timestamp re-based by the wall-clock gap
        #expect(after[1].seq == after[0].seq &+ 1)
    }

    @Test func switchesUpOnlyOnAKeyframeOfTheTargetLayer() {
        let pub = makePublication(layers: 2)
        let s = subscription(slot: 1)
        pub.add(s)
        var t = Instant(nanoseconds: 1_000_000_000)
        // Only the low layer arrives at first.
        _ = forward(pub, vp8Packet(seq: 1, ts: 0, ssrc: 100, keyframe: true), layer: 0, now: t)
        #expect(s.currentLayer == 0)
        t = t + .milliseconds(33)
        // The high layer starts with a delta frame: not yet.
        let d = forward(pub, vp8Packet(seq: 500, ts: 3000, ssrc: 200, keyframe: false), layer: 1, now: t)
        #expect(d.isEmpty && s.currentLayer == 0)
        let low = forward(pub, vp8Packet(seq: 2, ts: 3000, ssrc: 100, keyframe: false, start: false), layer: 0, now: t)
        #expect(low.count == 1)
        // Its keyframe switches the subscription up, continuing the sequence.
        let k = forward(pub, vp8Packet(seq: 501, ts: 6000, ssrc: 200, keyframe: true), layer: 1, now: t)
        #expect(s.currentLayer == 1 && k.count == 1 && k[0].seq == low[0].seq &+ 1)
        // The low layer is now dropped for this subscription.
        #expect(forward(pub, vp8Packet(seq: 3, ts: 6000, ssrc: 100, keyframe: false, start: false), layer: 0, now: t).isEmpty)
        #expect(s.drops[.layerNotSelected] >= 1)
    }

    @Test func startsOnALowerLayerKeyframeThenMovesUp() {
        let pub = makePublication(layers: 2)
        let s = subscription(slot: 2)
        var t = Instant(nanoseconds: 1_000_000_000)
        // Both layers are active before the subscription exists.
        _ = forward(pub, vp8Packet(seq: 1, ts: 0, ssrc: 100, keyframe: false), layer: 0, now: t)
        _ = forward(pub, vp8Packet(seq: 500, ts: 0, ssrc: 200, keyframe: false), layer: 1, now: t)
        pub.add(s)
        _ = pub.takeKeyframeRequest()
        t = t + .milliseconds(33)
        // The low layer's keyframe comes first: the subscriber gets a picture at once.
        let low = forward(pub, vp8Packet(seq: 2, ts: 3000, ssrc: 100, keyframe: true), layer: 0, now: t)
        #expect(low.count == 1 && s.currentLayer == 0)
        #expect(pub.takeKeyframeRequest() == 1)   // and the top layer is asked for a keyframe
        let up = forward(pub, vp8Packet(seq: 501, ts: 3000, ssrc: 200, keyframe: true), layer: 1, now: t)
        #expect(up.count == 1 && s.currentLayer == 1 && up[0].seq == low[0].seq &+ 1)
    }

    @Test func pausedSubscriptionsGetNothingAndOthersCarryOn() {
        let pub = makePublication(layers: 1)
        let a = subscription(slot: 0)
        let b = subscription(slot: 1)
        pub.add(a)
        pub.add(b)
        b.paused = true
        let out = forward(pub, vp8Packet(seq: 1, ts: 0, ssrc: 5, keyframe: true), layer: 0, now: Instant(nanoseconds: 1))
        #expect(out.map(\.slot) == [0])
        #expect(b.drops[.paused] == 1)
        pub.removeSubscription(slot: 0, outSSRC: a.outSSRC)
        #expect(pub.subscriptions.count == 1 && pub.totalDrops[.paused] == 1)
    }
}
