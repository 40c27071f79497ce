import Testing
@testable import RTCCore

@Suite struct RTXPacketCacheTests {
    typealias S = StreamsTestSupport

    func store(_ c: inout RTXPacketCache, _ bytes: [UInt8], _ seq: UInt16, at t: Instant) -> Bool {
        bytes.withUnsafeBytes { c.store($0, sequenceNumber: SequenceNumber(seq), sentAt: t) }
    }

    func bytes(_ c: RTXPacketCache, _ seq: UInt16, at t: Instant) -> [UInt8]? {
        c.withPacket(SequenceNumber(seq), now: t) { raw, _ in Array(raw) }
    }

    @Test func capacityRoundsUpToAPowerOfTwo() {
        #expect(RTXPacketCache(capacity: 500).capacity == 512)
        #expect(RTXPacketCache(capacity: 512).capacity == 512)
        #expect(RTXPacketCache(capacity: 0).capacity == 1)
        #expect(RTXPacketCache(capacity: 1_000_000, maxPacketSize: 4).capacity == 32_768)
        #expect(RTXPacketCache(capacity: 4, maxPacketSize: 0).maxPacketSize == 1)
    }

    @Test func storesAndAnswersByteIdentical() {
        var c = RTXPacketCache(capacity: 8, maxPacketSize: 64)
        let p = S.packet(seq: 100, ts: 1, payload: [1, 2, 3])
        #expect(store(&c, p, 100, at: .zero))
        #expect(bytes(c, 100, at: S.ms(10)) == p)
        #expect(c.contains(SequenceNumber(100), now: S.ms(10)))
        #expect(bytes(c, 108, at: S.ms(10)) == nil, "same slot, other sequence number")
        #expect(bytes(c, 101, at: S.ms(10)) == nil, "never stored")
        let sent = c.withPacket(SequenceNumber(100), now: S.ms(10)) { _, at in at }
        #expect(sent == .zero)
    }

    @Test func overwrittenSlotAnswersNothing() {
        var c = RTXPacketCache(capacity: 4, maxPacketSize: 64)
        for s: UInt16 in 0..<6 { #expect(store(&c, [UInt8(s)], s, at: .zero)) }
        #expect(bytes(c, 0, at: .zero) == nil && bytes(c, 1, at: .zero) == nil)
        #expect(bytes(c, 4, at: .zero) == [4] && bytes(c, 5, at: .zero) == [5] && bytes(c, 2, at: .zero) == [2])
    }

    @Test func refusesEmptyAndOversizedPackets() {
        var c = RTXPacketCache(capacity: 4, maxPacketSize: 8)
        #expect(store(&c, [1, 2, 3], 1, at: .zero))
        #expect(!store(&c, [UInt8](repeating: 9, count: 9), 5, at: .zero), "too big")
        #expect(bytes(c, 1, at: .zero) == nil, "the slot was cleared")
        #expect(!store(&c, [], 2, at: .zero))
        #expect(store(&c, [UInt8](repeating: 7, count: 8), 3, at: .zero))
        #expect(bytes(c, 3, at: .zero) == [UInt8](repeating: 7, count: 8))
    }

    @Test func maxAge() {
        var c = RTXPacketCache(capacity: 4, maxPacketSize: 8, maxAge: .milliseconds(1000))
        _ = store(&c, [1], 1, at: S.ms(0))
        #expect(bytes(c, 1, at: S.ms(1000)) == [1])
        #expect(bytes(c, 1, at: S.ms(1001)) == nil)
    }

    @Test func retransmitHonoursTheMinimumInterval() {
        var c = RTXPacketCache(capacity: 4, maxPacketSize: 8)
        _ = store(&c, [1], 1, at: S.ms(0))
        let a = c.retransmit(SequenceNumber(1), now: S.ms(10), minInterval: .milliseconds(100)) { Array($0) }
        #expect(a == [1] && c.resendCount(SequenceNumber(1)) == 1)
        let b = c.retransmit(SequenceNumber(1), now: S.ms(60), minInterval: .milliseconds(100)) { Array($0) }
        #expect(b == nil, "asked again within one RTT")
        let d = c.retransmit(SequenceNumber(1), now: S.ms(110), minInterval: .milliseconds(100)) { Array($0) }
        #expect(d == [1] && c.resendCount(SequenceNumber(1)) == 2)
        #expect(c.resendCount(SequenceNumber(2)) == 0)
        // A new packet in the slot starts over.
        _ = store(&c, [5], 5, at: S.ms(120))
        #expect(c.resendCount(SequenceNumber(5)) == 0 && c.resendCount(SequenceNumber(1)) == 0)
        c.removeAll()
        #expect(bytes(c, 5, at: S.ms(120)) == nil)
    }

    @Test func errorsFromTheBodyPropagate() {
        struct Boom: Error {}
        var c = RTXPacketCache(capacity: 4, maxPacketSize: 8)
        _ = store(&c, [1], 1, at: .zero)
        #expect(throws: Boom.self) {
            try c.withPacket(SequenceNumber(1), now: .zero) { (_, _) throws(Boom) in throw Boom() }
        }
    }

    /// Seeded random packets across the sequence wrap: every packet still in the ring comes
    /// back byte for byte.
    @Test(arguments: 0..<4)
    func randomPacketsRoundTrip(seed: UInt64) {
        var rng = SeededRandom(seed: 0xCAC4E &+ seed)
        var c = RTXPacketCache(capacity: 512, maxPacketSize: 1200)
        var sent: [UInt16: [UInt8]] = [:]
        var seq = UInt16(65000 &+ UInt16(truncatingIfNeeded: rng.next() % 300))
        for i in 0..<3000 {
            let payload = rng.bytes(Int(rng.next() % 1100))
            let p = S.packet(seq: seq, ts: UInt32(i) * 3000, payload: payload, twcc: UInt16(truncatingIfNeeded: i))
            #expect(store(&c, p, seq, at: S.ms(Int64(i))))
            sent[seq] = p
            seq &+= 1
        }
        for back in 1...600 {
            let s = seq &- UInt16(back)
            let got = bytes(c, s, at: S.ms(3000))
            if back <= 512 {
                #expect(got == sent[s], "seq \(s)")
            } else {
                #expect(got == nil)
            }
        }
    }

    /// The whole repair loop: a sender stores what it sends; a lossy path; the receiver's
    /// NackGenerator asks; the sender answers from the cache with RTX; the receiver unwraps
    /// the RTX packets. Every lost packet is recovered with a byte-identical payload.
    @Test(arguments: 0..<4)
    func nackRepairLoop(seed: UInt64) throws {
        var rng = SeededRandom(seed: 0x4E4C &+ seed)
        var cache = RTXPacketCache(capacity: 512, maxPacketSize: 1200)
        var rtx = RTXPacketizer(ssrc: SSRC(0xBBBB), payloadType: PayloadType(97),
                                initialSequenceNumber: SequenceNumber(UInt16(truncatingIfNeeded: rng.next())))
        var nack = NackGenerator(senderSSRC: SSRC(0xAAAA), mediaSSRC: SSRC(0x1122_3344))
        nack.roundTripTime = .milliseconds(40)
        var received: [UInt16: [UInt8]] = [:]  // seq → payload, at the receiver
        var originals: [UInt16: [UInt8]] = [:]
        var lost = Set<UInt16>()
        var seq = UInt16(truncatingIfNeeded: rng.next())
        var out = [UInt8](repeating: 0, count: 1500)
        var recoveredByRTX = 0

        func deliver(_ packet: [UInt8], now: Instant, isRTX: Bool) throws {
            try packet.withUnsafeBytes { raw in
                let h = try RTPHeader.parse(raw)
                var s = h.sequenceNumber
                var payload = Array(h.payload(in: raw))
                if isRTX {
                    let (osn, p) = try #require(RTXPacketizer.originalSequenceNumber(rtxPayload: h.payload(in: raw)))
                    s = osn
                    payload = Array(p)
                }
                received[s.rawValue] = payload
                nack.handlePacket(s, isRetransmission: isRTX, now: now)
            }
        }

        for i in 0..<2000 {
            let now = S.ms(Int64(i) * 10)
            let payload = rng.bytes(20 + Int(rng.next() % 1000))
            let p = S.packet(seq: seq, ts: UInt32(i) * 900, payload: payload, twcc: UInt16(truncatingIfNeeded: i))
            _ = p.withUnsafeBytes { cache.store($0, sequenceNumber: SequenceNumber(seq), sentAt: now) }
            originals[seq] = payload
            if rng.next() % 100 < 5 {
                lost.insert(seq)
            } else {
                try deliver(p, now: now, isRTX: false)
            }
            nack.handleTimeout(now: now)
            // NACKs reach the sender; RTX answers reach the receiver (instantly here).
            while let o = nack.pollOutput() {
                guard case .nack(let n) = o else { continue }
                #expect(n.mediaSSRC == SSRC(0x1122_3344) && n.senderSSRC == SSRC(0xAAAA))
                for s in n.lostSequenceNumbers {
                    #expect(received[s.rawValue] == nil, "only missing packets are requested")
                    let packet: [UInt8]? = try cache.retransmit(s, now: now, minInterval: .milliseconds(20)) { orig in
                        let w = try out.withUnsafeMutableBytes { dst in
                            try rtx.write(original: orig, extensionMap: S.map, into: dst)
                        }
                        return w.map { Array(out[0..<$0.length]) }
                    } ?? nil
                    guard let packet else { continue }
                    if rng.next() % 100 < 20 { continue }  // the retransmission is lost too
                    try deliver(packet, now: now, isRTX: true)
                    recoveredByRTX += 1
                }
            }
            seq &+= 1
        }
        #expect(!lost.isEmpty)
        // Every loss older than the retry horizon was repaired, byte for byte.
        var unrepaired = 0
        for s in lost {
            if let got = received[s] {
                #expect(got == originals[s], "seq \(s)")
            } else {
                unrepaired += 1
            }
        }
        #expect(unrepaired <= 2, "losses still missing at the end: \(unrepaired)")
        #expect(nack.statistics.recoveredByRetransmission == recoveredByRTX)
        #expect(nack.statistics.recovered == recoveredByRTX)
    }
}
