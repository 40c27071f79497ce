import Testing
@testable import RTCCore

@Suite struct RTCPRoundTripTests {
    @Test(arguments: 0..<RTCPRandomPackets.kindCount)
    func randomPacketsOfEachKind(kind: Int) throws {
        var gen = RTCPRandomPackets(seed: 0x5254_4350 &+ UInt64(kind))
        for _ in 0..<2_000 {
            let p = gen.packet(kind: kind)
            let bytes = try encodeRTCP(p)
            #expect(bytes.count % 4 == 0)
            let back = try parseRTCP(bytes)
            #expect(back == p)
            if back != p { return }
            #expect(fuzzRTCP(bytes))
        }
    }

    @Test func randomCompounds() throws {
        var gen = RTCPRandomPackets(seed: 0xC0C0)
        for _ in 0..<2_000 {
            // Packets written with RTCP padding must come last; keep those to the end.
            var packets = (0..<gen.int(1...6)).map { _ in gen.packet() }
            let padded = { (p: RTCPPacket) -> Bool in
                (try? encodeRTCP(p)).map { $0[0] & 0x20 != 0 } ?? false
            }
            packets = packets.filter { !padded($0) } + packets.filter(padded).prefix(1)
            let bytes = try encodeCompound(packets)
            #expect(bytes.count == RTCPPacket.compoundSize(packets))
            #expect(try parseCompound(bytes) == packets)
            #expect(fuzzRTCP(bytes))
        }
    }

    @Test func compoundWriterFailsWithoutWritingWhenTooSmall() throws {
        let packets: [RTCPPacket] = [
            .receiverReport(ReceiverReport(ssrc: SSRC(1))),
            .sourceDescription(SourceDescription(source: SSRC(1), cname: "x")),
        ]
        let size = RTCPPacket.compoundSize(packets)
        var buf = [UInt8](repeating: 0xEE, count: size - 1)
        buf.withUnsafeMutableBytes { raw in
            var w = ByteWriter(raw, format: .rtcp)
            let e = #expect(throws: WriteError.self) { try RTCPPacket.write(compound: packets, to: &w) }
            #expect(e?.needed == size)
            #expect(w.position == 0)
        }
        #expect(buf.allSatisfy { $0 == 0xEE })
    }
}
