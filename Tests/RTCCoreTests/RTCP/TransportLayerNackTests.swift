import Testing
@testable import RTCCore

@Suite struct RTCPTransportLayerNackTests {
    @Test func rfcVector() throws {
        let bytes = try RTCPTestSupport.fixture("transport-layer-nack.hex")
        let nack = try parseWith(bytes, TransportLayerNack.parse)
        #expect(nack.senderSSRC == SSRC(0x1122_3344))
        #expect(nack.mediaSSRC == SSRC(0xAABB_CCDD))
        #expect(nack.pairs == [
            NackPair(packetID: SequenceNumber(100), lostBitmask: 0b101),
            NackPair(packetID: SequenceNumber(65534), lostBitmask: 0b11),
        ])
        #expect(nack.lostSequenceNumbers.map(\.rawValue) == [100, 101, 103, 65534, 65535, 0])
        #expect(try encodeRTCP(.transportLayerNack(nack)) == bytes)
    }

    @Test func buildFromSortedLostList() throws {
        let lost: [UInt16] = [100, 101, 103, 116, 117, 118, 200]
        let nack = TransportLayerNack(senderSSRC: SSRC(1), mediaSSRC: SSRC(2),
                                      lostSequenceNumbers: lost.map { SequenceNumber($0) })
        // 101…116 fit in PID 100's BLP (offsets 1…16); 117 starts a new pair.
        #expect(nack.pairs == [
            NackPair(packetID: SequenceNumber(100), lostBitmask: 1 << 0 | 1 << 2 | 1 << 15),
            NackPair(packetID: SequenceNumber(117), lostBitmask: 1 << 0),
            NackPair(packetID: SequenceNumber(200)),
        ])
        #expect(nack.lostSequenceNumbers.map(\.rawValue) == lost)
    }

    @Test func buildAcrossWrapAndSkipDuplicates() throws {
        let lost: [UInt16] = [65530, 65530, 65535, 0, 5, 30]
        let nack = TransportLayerNack(senderSSRC: SSRC(1), mediaSSRC: SSRC(2),
                                      lostSequenceNumbers: lost.map { SequenceNumber($0) })
        #expect(nack.pairs.count == 2)
        #expect(nack.pairs[0].packetID.rawValue == 65530)
        #expect(nack.lostSequenceNumbers.map(\.rawValue) == [65530, 65535, 0, 5, 30])
        #expect(try parseRTCP(try encodeRTCP(.transportLayerNack(nack))) == .transportLayerNack(nack))
    }

    @Test func expansionMatchesInputForRandomLists() throws {
        var rng = SeededRandom(seed: 0x4E41_434B)
        for _ in 0..<2_000 {
            var seq = UInt16.random(in: 0...UInt16.max, using: &rng)
            var lost: [UInt16] = []
            for _ in 0..<Int.random(in: 1...60, using: &rng) {
                lost.append(seq)
                seq &+= UInt16.random(in: 1...40, using: &rng)
            }
            let nack = TransportLayerNack(senderSSRC: SSRC(1), mediaSSRC: SSRC(2),
                                          lostSequenceNumbers: lost.map { SequenceNumber($0) })
            #expect(nack.lostSequenceNumbers.map(\.rawValue) == lost)
            #expect(nack.pairs.count <= lost.count)
        }
    }

    @Test func fullBitmaskExpandsTo17() {
        let pair = NackPair(packetID: SequenceNumber(65535), lostBitmask: 0xFFFF)
        #expect(pair.count == 17)
        #expect(pair.sequenceNumbers.map(\.rawValue) == [65535] + Array(0...15))
    }

    @Test func fciNotMultipleOfFour() {
        let bytes = RTCPTestSupport.hex("81 cd 00 03  00 00 00 01  00 00 00 02  00 64 00 00")
        #expect((try? parseRTCP(bytes)) != nil)
        let odd = RTCPTestSupport.hex("a1 cd 00 03  00 00 00 01  00 00 00 02  00 64 00 02")  // P=1, 2 padding
        #expect(throws: ParseError.self) { try parseRTCP(odd) }
    }
}
