import Testing
@testable import RTCCore

@Suite struct RTCPTransportWideCongestionControlTests {
    typealias TWCC = TransportWideCongestionControl

    static func results(_ pairs: [(UInt16, Int64?)]) -> [TWCCPacketResult] {
        pairs.map { TWCCPacketResult(sequenceNumber: SequenceNumber($0.0), arrivalMicroseconds: $0.1) }
    }

    func parseFixture(_ name: String) throws -> (TWCC, [UInt8]) {
        let bytes = try RTCPTestSupport.fixture(name)
        return (try parseWith(bytes, TWCC.parse), bytes)
    }

    @Test func runLengthVectorAcrossWrap() throws {
        let (fb, bytes) = try parseFixture("twcc-run-length.hex")
        #expect(fb.senderSSRC == SSRC(0x1122_3344))
        #expect(fb.mediaSSRC == SSRC(0xAABB_CCDD))
        #expect(fb.baseSequenceNumber.rawValue == 65533)
        #expect(fb.packetStatusCount == 4)
        #expect(fb.referenceTime == 1)
        #expect(fb.feedbackPacketCount == 7)
        #expect(fb.chunks == [TWCCPacketStatusChunk(runLength: .receivedSmallDelta, length: 4)!])
        #expect(fb.receiveDeltas == [4, 8, 0, 255])
        #expect(fb.packetResults() == Self.results([(65533, 65000), (65534, 67000), (65535, 67000), (0, 130_750)]))
        #expect(try encodeRTCP(.transportWideCongestionControl(fb)) == bytes)
    }

    @Test func oneBitVectorNegativeReferenceTime() throws {
        let (fb, bytes) = try parseFixture("twcc-one-bit-vector.hex")
        #expect(fb.referenceTime == -1)
        #expect(fb.referenceTimeMicroseconds == -64000)
        #expect(fb.chunks.map(\.kind) == [.oneBitVector])
        #expect(fb.receiveDeltas == [1, 2, 3, 4, 5, 6])
        let received: [Bool] = [true, false, true, true, false, false, true, true, true, false]
        let r = fb.packetResults()
        #expect(r.map(\.isReceived) == received)
        #expect(r.map(\.sequenceNumber.rawValue) == Array(256..<266))
        #expect(r.compactMap(\.arrivalMicroseconds) == [-63750, -63250, -62500, -61500, -60250, -58750])
        #expect(try encodeRTCP(.transportWideCongestionControl(fb)) == bytes)
    }

    @Test func twoBitVectorSmallLargeNegative() throws {
        let (fb, bytes) = try parseFixture("twcc-two-bit-vector.hex")
        #expect(fb.chunks.map(\.kind) == [.twoBitVector])
        #expect(fb.receiveDeltas == [16, 1024, -4, 0, 512])
        #expect(fb.packetResults() == Self.results([
            (0x1234, 1_028_000), (0x1235, nil), (0x1236, 1_284_000), (0x1237, 1_283_000),
            (0x1238, 1_283_000), (0x1239, nil), (0x123A, 1_411_000),
        ]))
        #expect(try encodeRTCP(.transportWideCongestionControl(fb)) == bytes)
    }

    @Test func longRunThenVector() throws {
        let (fb, bytes) = try parseFixture("twcc-long-run.hex")
        #expect(fb.packetStatusCount == 8194)
        #expect(fb.referenceTime == 0x7F_FFFF)
        let r = fb.packetResults()
        #expect(r.count == 8194)
        #expect(r.prefix(8191).allSatisfy { !$0.isReceived })
        let base = Int64(0x7F_FFFF) * 64000
        #expect(Array(r.suffix(3)) == Self.results([(8191, base + 250), (8192, base + 64250), (8193, nil)]))
        #expect(try encodeRTCP(.transportWideCongestionControl(fb)) == bytes)
    }

    @Test func chunkAccessors() {
        let run = TWCCPacketStatusChunk(rawValue: 0x1FFF)
        #expect(run.kind == .runLength && run.capacity == 8191 && run.symbol(at: 5000) == .notReceived)
        let v1 = TWCCPacketStatusChunk(rawValue: 0xACE0)
        #expect(v1.kind == .oneBitVector && v1.capacity == 14)
        #expect((0..<14).map { v1.rawSymbol(at: $0) } == [1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0])
        let v2 = TWCCPacketStatusChunk(rawValue: 0xD292)
        #expect((0..<7).map { v2.rawSymbol(at: $0) } == [1, 0, 2, 2, 1, 0, 2])
        #expect(TWCCPacketStatusChunk(twoBitVector: [.receivedSmallDelta, .notReceived, .receivedLargeOrNegativeDelta,
                                                     .receivedLargeOrNegativeDelta, .receivedSmallDelta, .notReceived,
                                                     .receivedLargeOrNegativeDelta]) == v2)
        #expect(TWCCPacketStatusChunk(runLength: .notReceived, length: 8192) == nil)
        #expect(TWCCPacketStatusChunk(oneBitVector: [TWCCPacketStatus.receivedLargeOrNegativeDelta]) == nil)
        #expect(TWCCPacketStatusChunk(twoBitVector: Array(repeating: TWCCPacketStatus.notReceived, count: 8)) == nil)
        #expect(TWCCPacketStatusChunk(rawValue: 0x6000).symbol(at: 0) == nil)  // reserved run symbol
    }

    // MARK: builder

    /// `b.add` outside the #expect macro (it cannot call mutating methods).
    func add(_ b: inout TWCCFeedbackBuilder, _ seq: SequenceNumber, arrivalMicroseconds: Int64?) -> Bool {
        b.add(seq, arrivalMicroseconds: arrivalMicroseconds)
    }

    func add(_ b: inout TWCCFeedbackBuilder, _ r: TWCCPacketResult) -> Bool { b.add(r) }

    func build(_ r: [TWCCPacketResult], max: Int = TWCCFeedbackBuilder.maxRTCPPacketSize) throws -> TWCC {
        try TWCC(senderSSRC: SSRC(1), mediaSSRC: SSRC(2), feedbackPacketCount: 3, packets: r, maxPacketSize: max)
    }

    /// Builds, writes, parses and expands; checks the result is what went in.
    func roundTrip(_ r: [TWCCPacketResult]) throws -> TWCC {
        let fb = try build(r)
        let bytes = try encodeRTCP(.transportWideCongestionControl(fb))
        let back = try parseWith(bytes, TWCC.parse)
        #expect(back == fb)
        #expect(back.packetResults() == r)
        return fb
    }

    @Test func builderRunLength() throws {
        let r = (0..<100).map { TWCCPacketResult(sequenceNumber: SequenceNumber(UInt16($0)), arrivalMicroseconds: 1000 * Int64($0)) }
        let fb = try roundTrip(r)
        #expect(fb.chunks == [TWCCPacketStatusChunk(runLength: .receivedSmallDelta, length: 100)!])
        #expect(fb.referenceTime == 0)
    }

    @Test func builderOneBitVectors() throws {
        // Alternating received/lost: 1-bit vectors of 14.
        let r = (0..<28).map {
            TWCCPacketResult(sequenceNumber: SequenceNumber(UInt16($0)), arrivalMicroseconds: $0 % 2 == 0 ? 500 * Int64($0) : nil)
        }
        let fb = try roundTrip(r)
        #expect(fb.chunks.map(\.kind) == [.oneBitVector, .oneBitVector])
    }

    @Test func builderTwoBitVectors() throws {
        // Small, large, negative and lost mixed: 2-bit vectors.
        let times: [Int64?] = [0, 100_000, 99_000, nil, 99_250, 200_000, nil, 150_000, 150_250]
        let r = times.enumerated().map { TWCCPacketResult(sequenceNumber: SequenceNumber(UInt16(60000 + $0.offset)), arrivalMicroseconds: $0.element) }
        let fb = try roundTrip(r)
        #expect(fb.chunks.first?.kind == .twoBitVector)
        #expect(fb.receiveDeltas.contains { $0 < 0 })
        #expect(fb.receiveDeltas.contains { $0 > 255 })
    }

    @Test func builderGapsAreLostAndWrap() throws {
        var b = TWCCFeedbackBuilder(senderSSRC: SSRC(1), mediaSSRC: SSRC(2), feedbackPacketCount: 0)
        #expect(add(&b, SequenceNumber(65530), arrivalMicroseconds: 10_000))
        #expect(add(&b, SequenceNumber(2), arrivalMicroseconds: 11_000))  // 65531…1 missing
        #expect(!add(&b, SequenceNumber(1), arrivalMicroseconds: 12_000))  // older: refused
        #expect(!add(&b, SequenceNumber(2), arrivalMicroseconds: 12_000))  // duplicate: refused
        let r = b.build().packetResults()
        #expect(r.count == 9)
        #expect(r.first == TWCCPacketResult(sequenceNumber: SequenceNumber(65530), arrivalMicroseconds: 10_000))
        #expect(r.last == TWCCPacketResult(sequenceNumber: SequenceNumber(2), arrivalMicroseconds: 11_000))
        #expect(r.dropFirst().dropLast().allSatisfy { !$0.isReceived })
    }

    @Test func builderRoundsToTicksWithoutDrift() throws {
        // 333 µs apart: each encoded time stays within 125 µs of the true one.
        let r = (0..<500).map { TWCCPacketResult(sequenceNumber: SequenceNumber(UInt16($0)), arrivalMicroseconds: 1_000_003 + 333 * Int64($0)) }
        let fb = try build(r)
        let back = fb.packetResults()
        for (a, b) in zip(r, back) {
            #expect(a.sequenceNumber == b.sequenceNumber)
            #expect(abs(a.arrivalMicroseconds! - b.arrivalMicroseconds!) <= 125)
        }
    }

    @Test func builderRefusesDeltaBeyond16Bits() {
        var b = TWCCFeedbackBuilder(senderSSRC: SSRC(1), mediaSSRC: SSRC(2), feedbackPacketCount: 0)
        #expect(add(&b, SequenceNumber(1), arrivalMicroseconds: 0))
        #expect(add(&b, SequenceNumber(2), arrivalMicroseconds: 8_191_750))  // +32767 ticks
        #expect(!add(&b, SequenceNumber(3), arrivalMicroseconds: 8_191_750 * 2 + 250))
        #expect(add(&b, SequenceNumber(3), arrivalMicroseconds: 8_191_750 - 8_192_000))  // −32768 ticks
        #expect(b.statusCount == 3)
    }

    @Test func maxPacketStatusCount() throws {
        // 65535 statuses: first and last received, the rest lost (runs of 8191). Sequence
        // numbers are in serial order, so each step must be under half the space: two lost
        // markers in between.
        let r = [
            TWCCPacketResult(sequenceNumber: SequenceNumber(100), arrivalMicroseconds: 5_000),
            TWCCPacketResult(sequenceNumber: SequenceNumber(100 &+ 30000), arrivalMicroseconds: nil),
            TWCCPacketResult(sequenceNumber: SequenceNumber(100 &+ 60000), arrivalMicroseconds: nil),
            TWCCPacketResult(sequenceNumber: SequenceNumber(100 &+ 65534), arrivalMicroseconds: 6_000),
        ]
        let fb = try build(r)
        #expect(fb.packetStatusCount == 65535)
        #expect(fb.marshalSize <= 48)
        let bytes = try encodeRTCP(.transportWideCongestionControl(fb))
        let back = try parseWith(bytes, TWCC.parse)
        let expanded = back.packetResults()
        #expect(expanded.count == 65535)
        #expect(expanded.first == r[0])
        #expect(expanded.last == r[3])
        #expect(expanded[30000] == r[1] && expanded[60000] == r[2])
        #expect(expanded.filter(\.isReceived).count == 2)
        // One more does not fit.
        var b = TWCCFeedbackBuilder(senderSSRC: SSRC(1), mediaSSRC: SSRC(2), feedbackPacketCount: 0,
                                    maxPacketSize: TWCCFeedbackBuilder.maxRTCPPacketSize)
        for p in r { #expect(add(&b, p)) }
        #expect(!add(&b, SequenceNumber(100 &+ 65535), arrivalMicroseconds: 7_000))
        // A jump of half the sequence space or more reads as an old packet.
        var c = TWCCFeedbackBuilder(senderSSRC: SSRC(1), mediaSSRC: SSRC(2), feedbackPacketCount: 0)
        #expect(add(&c, SequenceNumber(0), arrivalMicroseconds: 0))
        #expect(!add(&c, SequenceNumber(0x8001), arrivalMicroseconds: 0))
        #expect(add(&c, SequenceNumber(0x8000), arrivalMicroseconds: 0))
        #expect(b.statusCount == 65535)
    }

    @Test func everyStatusReceivedAt65535() throws {
        // 65535 received packets with alternating small/large deltas: the biggest real packet.
        var t: Int64 = 0
        let r = (0..<65535).map { i -> TWCCPacketResult in
            t += i % 3 == 0 ? 70_000 : 250
            return TWCCPacketResult(sequenceNumber: SequenceNumber(UInt16(truncatingIfNeeded: 40000 + i)), arrivalMicroseconds: t)
        }
        let fb = try build(r)
        #expect(fb.packetStatusCount == 65535)
        let bytes = try encodeRTCP(.transportWideCongestionControl(fb))
        #expect(try parseWith(bytes, TWCC.parse).packetResults() == r)
    }

    @Test func builderSplitsAtMaxSize() throws {
        var rng = SeededRandom(seed: 77)
        var t: Int64 = 1_000_000
        let r = (0..<3000).map { i -> TWCCPacketResult in
            t += 250 * Int64.random(in: 0...360, using: &rng)
            let lost = Int.random(in: 0..<10, using: &rng) == 0
            return TWCCPacketResult(sequenceNumber: SequenceNumber(UInt16(truncatingIfNeeded: 65000 + i)), arrivalMicroseconds: lost ? nil : t)
        }
        let packets = TWCCFeedbackBuilder.build(senderSSRC: SSRC(1), mediaSSRC: SSRC(2), firstFeedbackPacketCount: 254,
                                                packets: r, maxPacketSize: 300)
        #expect(packets.count > 1)
        var all: [TWCCPacketResult] = []
        for (i, fb) in packets.enumerated() {
            #expect(fb.feedbackPacketCount == UInt8(truncatingIfNeeded: 254 + i))
            #expect(fb.marshalSize <= 300)
            let bytes = try encodeRTCP(.transportWideCongestionControl(fb))
            all += try parseWith(bytes, TWCC.parse).packetResults()
        }
        #expect(all.map(\.sequenceNumber) == r.map(\.sequenceNumber))
        for (a, b) in zip(r, all) { #expect(a.arrivalMicroseconds == b.arrivalMicroseconds) }
    }

    @Test func randomResultsRoundTrip() throws {
        var rng = SeededRandom(seed: 0x7477_6363)
        for _ in 0..<2_000 {
            var seq = UInt16.random(in: 0...UInt16.max, using: &rng)
            var t = Int64.random(in: -400_000_000_000...400_000_000_000, using: &rng) / 250 * 250
            var r: [TWCCPacketResult] = []
            let style = Int.random(in: 0..<4, using: &rng)
            for _ in 0..<Int.random(in: 1...300, using: &rng) {
                let lost = Int.random(in: 0..<(style == 3 ? 2 : 8), using: &rng) == 0
                if lost {
                    r.append(TWCCPacketResult(sequenceNumber: SequenceNumber(seq), arrivalMicroseconds: nil))
                    seq &+= 1
                    continue
                }
                switch style {
                case 0: t += 250 * Int64.random(in: 0...255, using: &rng)                   // small only
                case 1: t += 250 * Int64.random(in: -32768...32767, using: &rng)            // any 16-bit
                case 2: t += 250 * Int64.random(in: -10...300, using: &rng)
                default: t += 250 * Int64.random(in: 0...3, using: &rng)
                }
                r.append(TWCCPacketResult(sequenceNumber: SequenceNumber(seq), arrivalMicroseconds: t))
                seq &+= Int.random(in: 0..<10, using: &rng) == 0 ? UInt16.random(in: 1...50, using: &rng) : 1
            }
            // Fill gaps so the input equals the expansion.
            var full: [TWCCPacketResult] = []
            for p in r {
                if let last = full.last {
                    var s = last.sequenceNumber &+ 1
                    while s != p.sequenceNumber {
                        full.append(TWCCPacketResult(sequenceNumber: s, arrivalMicroseconds: nil))
                        s = s &+ 1
                    }
                }
                full.append(p)
            }
            // Reference times beyond 24 bits wrap; keep the comparison to deltas then.
            let fb = try build(full)
            let bytes = try encodeRTCP(.transportWideCongestionControl(fb))
            let back = try parseWith(bytes, TWCC.parse)
            #expect(back == fb)
            let expanded = back.packetResults()
            #expect(expanded.map(\.sequenceNumber) == full.map(\.sequenceNumber))
            #expect(expanded.map(\.isReceived) == full.map(\.isReceived))
            let got = expanded.compactMap(\.arrivalMicroseconds)
            let want = full.compactMap(\.arrivalMicroseconds)
            if let g0 = got.first, let w0 = want.first {
                let wrap = Int64(1 << 24) * 64000
                #expect((g0 - w0) % wrap == 0)
                #expect(zip(got, want).allSatisfy { $0.0 - g0 == $0.1 - w0 })
            }
        }
    }

    // MARK: malformed

    @Test func statusCountNotCoveredByChunks() {
        // Count 65535 with a single run of 4: the packet ends before the chunks cover it.
        let bytes = RTCPTestSupport.hex("""
            8f cd 00 06  00 00 00 01  00 00 00 02
            00 00 ff ff  00 00 00 00
            20 04 01 01  01 01 00 00
            """)
        #expect(throws: ParseError.self) { try parseRTCP(bytes) }
    }

    @Test func deltasMissing() {
        // Run of 10 small deltas but only 4 delta bytes.
        let bytes = RTCPTestSupport.hex("""
            8f cd 00 06  00 00 00 01  00 00 00 02
            00 00 00 0a  00 00 00 00
            20 0a 01 01  01 01 00 00
            """)
        #expect(throws: ParseError.self) { try parseRTCP(bytes) }
    }

    @Test func reservedSymbol() {
        let run3 = RTCPTestSupport.hex("8f cd 00 05 00 00 00 01 00 00 00 02 00 00 00 01 00 00 00 00 60 01 00 00")
        #expect(throws: ParseError.self) { try parseRTCP(run3) }
        let vec3 = RTCPTestSupport.hex("8f cd 00 05 00 00 00 01 00 00 00 02 00 00 00 01 00 00 00 00 f0 00 00 00")
        #expect(throws: ParseError.self) { try parseRTCP(vec3) }
        // A reserved symbol past the status count is unused and accepted.
        let unused = RTCPTestSupport.hex("8f cd 00 05 00 00 00 01 00 00 00 02 00 00 00 01 00 00 00 00 c3 00 00 00")
        #expect((try? parseRTCP(unused)) != nil)
    }

    @Test func statusCountZeroAndTrailingBytes() throws {
        let empty = RTCPTestSupport.hex("8f cd 00 04 00 00 00 01 00 00 00 02 00 05 00 00 00 00 00 09")
        guard case .transportWideCongestionControl(let fb) = try parseRTCP(empty) else {
            Issue.record("not TWCC")
            return
        }
        #expect(fb.packetStatusCount == 0 && fb.chunks.isEmpty && fb.packetResults().isEmpty)
        #expect(try encodeRTCP(.transportWideCongestionControl(fb)) == empty)
        // Trailing bytes after the deltas (P-bit padding or zero fill) are ignored.
        var padded = try RTCPTestSupport.fixture("twcc-run-length.hex")
        padded[0] |= 0x20
        padded[27] = 2
        #expect((try? parseRTCP(padded)) != nil)
        padded += [0, 0, 0, 0]
        padded[3] = 7
        padded[31] = 6
        #expect((try? parseRTCP(padded)) != nil)
    }

    @Test func inconsistentValuesAreNotWritten() {
        let base = TWCC(senderSSRC: SSRC(1), mediaSSRC: SSRC(2), baseSequenceNumber: SequenceNumber(0),
                        packetStatusCount: 2, referenceTime: 0, feedbackPacketCount: 0,
                        chunks: [TWCCPacketStatusChunk(runLength: .receivedSmallDelta, length: 2)!],
                        receiveDeltas: [1, 2])
        #expect((try? encodeRTCP(.transportWideCongestionControl(base))) != nil)
        var a = base
        a.receiveDeltas = [1]
        var b = base
        b.receiveDeltas = [1, 300]  // too big for a small delta
        var c = base
        c.packetStatusCount = 3  // not covered
        var d = base
        d.chunks.append(TWCCPacketStatusChunk(runLength: .notReceived, length: 1)!)  // extra chunk
        var e = base
        e.referenceTime = 0x80_0000  // beyond 24 bits
        for bad in [a, b, c, d, e] {
            #expect(throws: WriteError.self) { try encodeRTCP(.transportWideCongestionControl(bad)) }
            // Iterating an inconsistent value never traps.
            _ = bad.packetResults()
        }
    }

    @Test func zeroLengthRunsCostBytesNotWork() {
        // 60 zero-length run chunks then a run covering the count: valid, bounded by bytes.
        var bytes = RTCPTestSupport.hex("8f cd 00 00 00 00 00 01 00 00 00 02 00 00 00 03 00 00 00 00")
        bytes += Array(repeating: 0, count: 120)
        bytes += [0x00, 0x03, 0, 0]
        let words = bytes.count / 4 - 1
        bytes[3] = UInt8(words)
        guard case .transportWideCongestionControl(let fb) = try? parseRTCP(bytes) else {
            Issue.record("did not parse")
            return
        }
        #expect(fb.chunks.count == 61)
        #expect(fb.packetResults().count == 3)
    }
}
