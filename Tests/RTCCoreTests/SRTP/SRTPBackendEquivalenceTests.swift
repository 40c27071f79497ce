import Testing
@testable import RTCCore

private typealias S = SRTPTestSupport

/// The openssl backend against libsrtp2, the reference: for every profile, the same keys and
/// the same packets must give the same bytes and the same verdict (`SRTPError` equal, status
/// included), and the same ``SRTPStats``, packet after packet.
@Suite struct SRTPBackendEquivalenceTests {
    /// One operation on a session: the resulting bytes, or the error.
    static func apply(_ session: SRTPSession, _ packet: [UInt8], rtcp: Bool, protect: Bool) -> Result<[UInt8], SRTPError> {
        Result { () throws(SRTPError) -> [UInt8] in
            protect ? try S.protect(session, packet, rtcp: rtcp) : try S.unprotect(session, packet, rtcp: rtcp)
        }
    }

    /// A random RTP packet (RFC 3550 §5.1): random CSRC count, optional one-byte-header
    /// extension (RFC 8285) of 0–5 words, optional padding, 0–1,200 payload bytes.
    static func randomRTP(_ rng: inout SeededRandom, ssrc: UInt32, seq: UInt16) -> [UInt8] {
        let cc = rng.next() % 4 == 0 ? Int(rng.next() % 16) : 0
        let hasExtension = rng.next() % 2 == 0
        let padding = rng.next() % 8 == 0 ? Int(rng.next() % 16) + 1 : 0
        var p: [UInt8] = [0x80 | (hasExtension ? 0x10 : 0) | (padding > 0 ? 0x20 : 0) | UInt8(cc),
                          UInt8(truncatingIfNeeded: rng.next() & 0xFF), UInt8(seq >> 8), UInt8(seq & 0xFF)]
        p += rng.bytes(4)  // timestamp
        p += [UInt8(ssrc >> 24), UInt8((ssrc >> 16) & 0xFF), UInt8((ssrc >> 8) & 0xFF), UInt8(ssrc & 0xFF)]
        p += rng.bytes(4 * cc)
        if hasExtension {
            let words = Int(rng.next() % 6)
            p += [0xBE, 0xDE, 0, UInt8(words)] + rng.bytes(4 * words)
        }
        p += rng.bytes(Int(rng.next() % 1_201))
        if padding > 0 { p += [UInt8](repeating: 0, count: padding - 1) + [UInt8(padding)] }
        return p
    }

    /// A random compound RTCP packet: a sender/receiver report header with `ssrc`, 0–300 bytes.
    static func randomRTCP(_ rng: inout SeededRandom, ssrc: UInt32) -> [UInt8] {
        var p: [UInt8] = [0x80 | UInt8(rng.next() % 32), 200 + UInt8(rng.next() % 7), 0, UInt8(rng.next() % 64)]
        p += [UInt8(ssrc >> 24), UInt8((ssrc >> 16) & 0xFF), UInt8((ssrc >> 8) & 0xFF), UInt8(ssrc & 0xFF)]
        return p + rng.bytes(Int(rng.next() % 301))
    }

    static func sessions(_ profile: SRTPProfile, seed: UInt64, allowRepeat: Bool = false)
        throws -> (outO: SRTPSession, outL: SRTPSession, inO: SRTPSession, inL: SRTPSession) {
        var rng = SeededRandom(seed: seed)
        let key = try #require(SRTPMasterKey(profile: profile, key: rng.bytes(profile.keyLength),
                                             salt: rng.bytes(profile.saltLength)))
        return (try SRTPSession(profile: profile, masterKey: key, direction: .outbound,
                                allowRepeatTransmission: allowRepeat, backend: .openssl),
                try SRTPSession(profile: profile, masterKey: key, direction: .outbound,
                                allowRepeatTransmission: allowRepeat, backend: .libsrtp),
                try SRTPSession(profile: profile, masterKey: key, direction: .inbound, backend: .openssl),
                try SRTPSession(profile: profile, masterKey: key, direction: .inbound, backend: .libsrtp))
    }

    /// Thousands of random RTP and RTCP packets on three SSRCs whose sequence numbers start
    /// just below 65535 (so they wrap and the ROC changes), with forward jumps and re-sends of
    /// old indices (refused by both: replay). Every protected packet is delivered to both
    /// inbound sessions reordered, duplicated, tampered (one random bit) and truncated.
    @Test(arguments: SRTPProfile.allCases)
    func randomTrafficGivesIdenticalBytesAndVerdicts(profile: SRTPProfile) throws {
        let (outO, outL, inO, inL) = try Self.sessions(profile, seed: 0x5EED &+ UInt64(profile.rawValue))
        var rng = SeededRandom(seed: 42 &+ UInt64(profile.rawValue))
        let ssrcs: [UInt32] = [0x1111_1111, 0xDEAD_BEEF, 0x0000_0002]
        var next: [UInt16] = ssrcs.map { _ in UInt16(65_535 - rng.next() % 200) }
        var wire: [(bytes: [UInt8], rtcp: Bool)] = []
        var protectedCount = 0
        var refusedOutbound = 0
        for _ in 0..<3_000 {
            let s = Int(rng.next() % UInt64(ssrcs.count))
            let rtcp = rng.next() % 8 == 0
            let packet: [UInt8]
            if rtcp {
                packet = Self.randomRTCP(&rng, ssrc: ssrcs[s])
            } else {
                var seq = next[s]
                switch rng.next() % 40 {
                case 0:                                              // a jump forward
                    seq &+= UInt16(rng.next() % 3_000)
                    next[s] = seq &+ 1
                case 1: seq &-= UInt16(1 + rng.next() % 1_500)      // an old index again: refused
                case 2: seq &-= 1                                    // the last one again: refused
                default: next[s] = seq &+ 1
                }
                packet = Self.randomRTP(&rng, ssrc: ssrcs[s], seq: seq)
            }
            let o = Self.apply(outO, packet, rtcp: rtcp, protect: true)
            let l = Self.apply(outL, packet, rtcp: rtcp, protect: true)
            #expect(o == l, "protect \(rtcp ? "RTCP" : "RTP") \(packet.prefix(12))")
            if case .success(let bytes) = o {
                protectedCount += 1
                wire.append((bytes, rtcp))
            } else {
                refusedOutbound += 1
            }
        }
        #expect(outO.stats == outL.stats)
        #expect(protectedCount > 2_800)
        #expect(refusedOutbound > 10)

        // Deliver: mostly in order, swapped with a near neighbour, sometimes duplicated,
        // tampered or truncated first.
        var order = Array(wire.indices)
        for i in order.indices where rng.next() % 6 == 0 {
            let j = min(order.count - 1, i + Int(rng.next() % 20))
            order.swapAt(i, j)
        }
        var accepted = 0
        var tampered = 0
        for i in order {
            let (bytes, rtcp) = wire[i]
            switch rng.next() % 10 {
            case 0:
                var t = bytes
                let at = Int(rng.next() % UInt64(t.count))
                t[at] ^= UInt8(1) << UInt8(rng.next() % 8)
                let o = Self.apply(inO, t, rtcp: rtcp, protect: false)
                #expect(o == Self.apply(inL, t, rtcp: rtcp, protect: false), "tampered byte \(at)")
                if case .success = o { Issue.record("tampered byte \(at) accepted") }
                tampered += 1
            case 1:
                let t = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
                let o = Self.apply(inO, t, rtcp: rtcp, protect: false)
                #expect(o == Self.apply(inL, t, rtcp: rtcp, protect: false), "truncated to \(t.count)")
                if case .success = o { Issue.record("truncated packet accepted") }
            default: break
            }
            let o = Self.apply(inO, bytes, rtcp: rtcp, protect: false)
            #expect(o == Self.apply(inL, bytes, rtcp: rtcp, protect: false))
            if case .success = o { accepted += 1 }
            if rng.next() % 20 == 0 {
                // A replay: refused by both.
                let r = Self.apply(inO, bytes, rtcp: rtcp, protect: false)
                #expect(r == Self.apply(inL, bytes, rtcp: rtcp, protect: false))
                #expect(throws: SRTPError.self) { try r.get() }
            }
        }
        #expect(inO.stats == inL.stats)
        #expect(accepted > wire.count * 9 / 10)
        #expect(tampered > 100)
        #expect(inO.stats.authFailures > 0)
        #expect(inO.stats.replays > 0)
    }

    /// Each backend's output is accepted by the other (it is the same bytes, but this checks
    /// the pairs the way a peer would use them), for RTP and RTCP, over a sequence wrap.
    @Test(arguments: SRTPProfile.allCases)
    func crossBackendRoundTrip(profile: SRTPProfile) throws {
        let (outO, outL, inO, inL) = try Self.sessions(profile, seed: 7 &+ UInt64(profile.rawValue))
        var rng = SeededRandom(seed: 99)
        for i in 0..<600 {
            let ssrc = UInt32(0xA000 + i % 2)
            let p = Self.randomRTP(&rng, ssrc: ssrc, seq: UInt16(truncatingIfNeeded: 65_300 + i / 2))
            #expect(try S.unprotect(inL, try S.protect(outO, p)) == p)   // OpenSSL → libsrtp
            #expect(try S.unprotect(inO, try S.protect(outL, p)) == p)   // libsrtp → OpenSSL
            let c = Self.randomRTCP(&rng, ssrc: ssrc)
            #expect(try S.unprotect(inL, try S.protect(outO, c, rtcp: true), rtcp: true) == c)
            #expect(try S.unprotect(inO, try S.protect(outL, c, rtcp: true), rtcp: true) == c)
        }
        #expect(inO.stats.unprotected == 1_200)
        #expect(inL.stats.unprotected == 1_200)
    }

    /// The replay window edges (RFC 3711 §3.3.2) and the ROC guess around a wrap: every
    /// verdict equal, for a window that is not a power of two too (libsrtp2 rounds it up to
    /// 32 bits).
    @Test(arguments: [64, 100, 1024])
    func replayWindowEdges(window: Int) throws {
        let profile = SRTPProfile.aes128CMHMACSHA1_80
        var rng = SeededRandom(seed: UInt64(window))
        let key = try #require(SRTPMasterKey(profile: profile, key: rng.bytes(16), salt: rng.bytes(14)))
        let out = try SRTPSession(profile: profile, masterKey: key, direction: .outbound,
                                  allowRepeatTransmission: true, backend: .libsrtp)
        let inO = try SRTPSession(profile: profile, masterKey: key, direction: .inbound, replayWindow: window, backend: .openssl)
        let inL = try SRTPSession(profile: profile, masterKey: key, direction: .inbound, replayWindow: window, backend: .libsrtp)
        // Protect a run across the wrap with the sender, then deliver arbitrary subsets.
        var packets: [UInt16: [UInt8]] = [:]
        var seq: UInt16 = 65_000
        for _ in 0..<3_000 {
            packets[seq] = try S.protect(out, S.rtp(ssrc: 5, seq: seq, payload: [UInt8(seq & 0xFF)]))
            seq &+= 1
        }
        let first: UInt16 = 65_000
        var verdicts = 0
        for step in 0..<6_000 {
            // Walk forward with random backward probes around the window edge.
            let base = UInt16(truncatingIfNeeded: Int(first) + step / 2)
            let back = rng.next() % 2 == 0 ? UInt16(rng.next() % UInt64(window + 70)) : 0
            let s = base &- back
            guard let p = packets[s] else { continue }
            let o = Self.apply(inO, p, rtcp: false, protect: false)
            #expect(o == Self.apply(inL, p, rtcp: false, protect: false), "seq \(s) at \(base)")
            verdicts += 1
        }
        #expect(verdicts > 5_000)
        #expect(inO.stats == inL.stats)
        #expect(inO.stats.replays > 100)
        #expect(inO.stats.unprotected > 2_000)
    }

    /// SRTCP replay window (128 indices in libsrtp2) and index order, both backends.
    @Test(arguments: SRTPProfile.allCases)
    func rtcpReplayWindow(profile: SRTPProfile) throws {
        let (outO, _, inO, inL) = try Self.sessions(profile, seed: 3)
        var rng = SeededRandom(seed: 11)
        var sent: [[UInt8]] = []
        for _ in 0..<600 { sent.append(try S.protect(outO, Self.randomRTCP(&rng, ssrc: 77), rtcp: true)) }
        for step in 0..<1_500 {
            let i = max(0, min(sent.count - 1, step / 2 - Int(rng.next() % 200)))
            #expect(Self.apply(inO, sent[i], rtcp: true, protect: false) == Self.apply(inL, sent[i], rtcp: true, protect: false))
        }
        #expect(inO.stats == inL.stats)
        #expect(inO.stats.replays > 100)
    }

    /// Too-short and malformed packets: the same typed error from both, never a trap.
    @Test(arguments: SRTPProfile.allCases)
    func shortAndMalformedPackets(profile: SRTPProfile) throws {
        let (outO, outL, inO, inL) = try Self.sessions(profile, seed: 5)
        var rng = SeededRandom(seed: 8)
        for length in 0..<80 {
            for _ in 0..<8 {
                var p = rng.bytes(length)
                if length > 0, rng.next() % 2 == 0 { p[0] = 0x80 | (p[0] & 0x3F) }
                if length > 0, rng.next() % 4 == 0 { p[0] &= 0xE0 }  // no CSRC, no extension
                for rtcp in [false, true] {
                    #expect(Self.apply(inO, p, rtcp: rtcp, protect: false) == Self.apply(inL, p, rtcp: rtcp, protect: false),
                            "unprotect \(rtcp) \(p)")
                    #expect(Self.apply(outO, p, rtcp: rtcp, protect: true) == Self.apply(outL, p, rtcp: rtcp, protect: true),
                            "protect \(rtcp) \(p)")
                }
            }
        }
        #expect(inO.stats == inL.stats)
        #expect(outO.stats == outL.stats)
        // Protected, then cut to every shorter length: refused the same way.
        let good = try S.protect(outO, S.rtp(ssrc: 9, seq: 1, payload: [1, 2, 3, 4, 5]))
        let goodRTCP = try S.protect(outO, S.rtcpSenderReport(ssrc: 9), rtcp: true)
        for n in 0..<good.count {
            let cut = Array(good.prefix(n))
            #expect(Self.apply(inO, cut, rtcp: false, protect: false) == Self.apply(inL, cut, rtcp: false, protect: false))
        }
        for n in 0..<goodRTCP.count {
            let cut = Array(goodRTCP.prefix(n))
            #expect(Self.apply(inO, cut, rtcp: true, protect: false) == Self.apply(inL, cut, rtcp: true, protect: false))
        }
        #expect(inO.stats == inL.stats)
    }

    /// Repeat transmission allowed (outbound): the same index protected twice gives the same
    /// bytes with both backends; an index older than the window is still refused.
    @Test(arguments: SRTPProfile.allCases)
    func repeatTransmission(profile: SRTPProfile) throws {
        let (outO, outL, _, _) = try Self.sessions(profile, seed: 21, allowRepeat: true)
        var rng = SeededRandom(seed: 4)
        for seq in [UInt16(10), 10, 11, 3_000, 11, 10, 2_999, 3_000] {
            let p = Self.randomRTP(&rng, ssrc: 1, seq: seq)
            #expect(Self.apply(outO, p, rtcp: false, protect: true) == Self.apply(outL, p, rtcp: false, protect: true), "seq \(seq)")
        }
        #expect(outO.stats == outL.stats)
        #expect(outO.stats.replays == 2)  // 11 and 10 after 3000: older than the window
    }

    /// Many SSRCs (the table grows from 8 to 300 streams), interleaved.
    @Test func manySSRCs() throws {
        let (outO, outL, inO, inL) = try Self.sessions(.aeadAES128GCM, seed: 1)
        var rng = SeededRandom(seed: 2)
        for round in 0..<6 {
            for ssrc in UInt32(1)...300 {
                let p = Self.randomRTP(&rng, ssrc: ssrc &* 0x0101_0101, seq: UInt16(round * 7))
                let o = try S.protect(outO, p)
                #expect(o == (try S.protect(outL, p)))
                #expect(Self.apply(inO, o, rtcp: false, protect: false) == Self.apply(inL, o, rtcp: false, protect: false))
            }
        }
        #expect(inO.stats.unprotected == 1_800)
        #expect(inO.stats == inL.stats)
    }

    /// The openssl backend keeps at most `maximumStreams` SSRCs: one more is a typed error,
    /// the known ones keep working, and nothing grows.
    @Test func streamLimitIsATypedError() throws {
        let profile = SRTPProfile.aeadAES128GCM
        let key = try #require(SRTPMasterKey(profile: profile, key: Array(repeating: 1, count: 16),
                                             salt: Array(repeating: 2, count: 12)))
        let out = try SRTPSession(profile: profile, masterKey: key, direction: .outbound, maximumStreams: 4)
        let unlimited = try SRTPSession(profile: profile, masterKey: key, direction: .outbound, maximumStreams: 10)
        let inb = try SRTPSession(profile: profile, masterKey: key, direction: .inbound, maximumStreams: 4)
        for ssrc in UInt32(1)...4 {
            _ = try S.unprotect(inb, try S.protect(out, S.rtp(ssrc: ssrc, seq: 1, payload: [1])))
        }
        #expect(throws: SRTPError(.tooManyStreams, status: 3)) { try S.protect(out, S.rtp(ssrc: 5, seq: 1, payload: [1])) }
        #expect(throws: SRTPError(.tooManyStreams, status: 3)) { try S.protect(out, S.rtcpSenderReport(ssrc: 5), rtcp: true) }
        // Inbound: an authenticated packet of a fifth SSRC is refused too.
        let fifth = try S.protect(unlimited, S.rtp(ssrc: 5, seq: 1, payload: [1]))
        #expect(throws: SRTPError(.tooManyStreams, status: 3)) { try S.unprotect(inb, fifth) }
        #expect(out.stats.otherErrors == 2)
        #expect(inb.stats.otherErrors == 1)
        // Known SSRCs are unaffected.
        _ = try S.unprotect(inb, try S.protect(out, S.rtp(ssrc: 3, seq: 2, payload: [2])))
        #expect(inb.stats.unprotected == 5)
        #expect(throws: SRTPError(.setupFailed)) {
            _ = try SRTPSession(profile: profile, masterKey: key, direction: .outbound, maximumStreams: 0)
        }
    }
}

/// The shared RTP and RTCP corpora through ``SRTPFuzz`` (each file, and every truncation of
/// the small ones): no trap, and both backends agree.
@Suite struct SRTPCorpusTests {
    typealias R = RTPTestSupport

    @Test func corporaThroughBothBackends() {
        let files = ["rtp-corpus", "rtcp-corpus", "crashes/rtp", "crashes/rtcp"].flatMap { R.files(in: R.corpus($0)) }
        #expect(!files.isEmpty)
        var inputs = 0
        for f in files {
            for n in f.bytes.count <= 200 ? Array(0...f.bytes.count) : [f.bytes.count] {
                let input = Array(f.bytes.prefix(n))
                #expect(input.withUnsafeBytes { SRTPFuzz.verdictsAgree($0) }, "\(f.name) prefix \(n)")
                #expect(!input.withUnsafeBytes { SRTPFuzz.fuzz($0) })
                inputs += 1
            }
        }
        #expect(inputs > 50)
    }
}
