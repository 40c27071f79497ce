import Testing
@testable import RTCCore

@Suite struct RTXPacketizerTests {
    typealias S = StreamsTestSupport

    static let original = S.hex("""
        90 e0 00 0a   # V=2 X=1 CC=0 | M=1 PT=96 | seq 10
        00 00 0b b8   # timestamp 3000
        11 22 33 44   # SSRC
        be de 00 01   # one-byte extension block, 1 word
        11 00 05 00   # ID 1 (transport-wide-cc) L=1: 0x0005, pad
        de ad be ef   # payload
        """)

    static let expectedRTX = S.hex("""
        90 e1 01 f4   # M=1 PT=97 (RTX) | RTX seq 500
        00 00 0b b8   # timestamp 3000 (same as the original)
        55 66 77 88   # RTX SSRC
        be de 00 01
        11 01 02 00   # transport-wide seq replaced: 0x0102
        00 0a         # OSN = 10
        de ad be ef   # original payload
        """)

    func write(_ p: inout RTXPacketizer, _ original: [UInt8], twcc: UInt16? = nil, capacity: Int = 1500)
        throws(WriteError) -> [UInt8] {
        var out = [UInt8](repeating: 0xEE, count: capacity)
        let n: Result<Int, WriteError> = out.withUnsafeMutableBytes { dst in
            original.withUnsafeBytes { src in
                do throws(WriteError) {
                    guard let w = try p.write(original: src, extensionMap: S.map, transportSequence: twcc, into: dst)
                    else { return .success(-1) }
                    return .success(w.length)
                } catch { return .failure(error) }
            }
        }
        let len = try n.get()
        return len < 0 ? [] : Array(out[0..<len])
    }

    @Test func rfc4588Layout() throws {
        var p = RTXPacketizer(ssrc: SSRC(0x5566_7788), payloadType: PayloadType(97),
                              initialSequenceNumber: SequenceNumber(500))
        let rtx = try write(&p, Self.original, twcc: 0x0102)
        #expect(rtx == Self.expectedRTX)
        #expect(p.nextSequenceNumber == SequenceNumber(501))
        // The receiver side: OSN and the original payload back.
        let h = try rtx.withUnsafeBytes { raw in try RTPHeader.parse(raw) }
        let (osn, payload) = try #require(rtx.withUnsafeBytes { raw in
            RTXPacketizer.originalSequenceNumber(rtxPayload: h.payload(in: raw)).map { ($0.0, Array($0.payload)) }
        })
        #expect(osn == SequenceNumber(10) && payload == [0xDE, 0xAD, 0xBE, 0xEF])
    }

    @Test func keepsTheExtensionWhenNoNewTWCC() throws {
        var p = RTXPacketizer(ssrc: SSRC(1), payloadType: PayloadType(97), initialSequenceNumber: SequenceNumber(65535))
        let rtx = try write(&p, Self.original)
        let h = try rtx.withUnsafeBytes { raw in try RTPHeader.parse(raw) }
        let v = try rtx.withUnsafeBytes { raw in try RTPExtensionValues.parse(packet: raw, header: h, map: S.map) }
        #expect(v.transportSequence == 5)
        #expect(h.sequenceNumber == SequenceNumber(65535) && p.nextSequenceNumber == SequenceNumber(0))
        #expect(h.marker && h.timestamp == 3000 && h.ssrc == SSRC(1) && h.payloadType == PayloadType(97))
    }

    @Test func dropsPaddingAndKeepsCSRCs() throws {
        var h = RTPHeader(payloadType: PayloadType(96), sequenceNumber: SequenceNumber(7), timestamp: 9, ssrc: SSRC(3))
        h.csrcs.append(SSRC(0xAAAA_AAAA))
        let original = try RTPPacketWriter.packet(header: h, payload: [1, 2, 3], paddingLength: 5)
        var p = RTXPacketizer(ssrc: SSRC(4), payloadType: PayloadType(97), initialSequenceNumber: SequenceNumber(0))
        let rtx = try write(&p, original)
        let r = try rtx.withUnsafeBytes { raw in try RTPHeader.parse(raw) }
        #expect(!r.hasPadding && r.csrcs.count == 1 && r.csrcs[0] == SSRC(0xAAAA_AAAA))
        #expect(Array(rtx[r.payloadOffset...]) == [0, 7, 1, 2, 3])
    }

    @Test func emptyPayloadOriginal() throws {
        let original = S.packet(seq: 0x1234, ts: 1, payload: [])
        var p = RTXPacketizer(ssrc: SSRC(4), payloadType: PayloadType(97), initialSequenceNumber: SequenceNumber(0))
        let rtx = try write(&p, original)
        #expect(rtx.count == 14 && rtx[12] == 0x12 && rtx[13] == 0x34)
    }

    @Test func invalidOriginalGivesNil() throws {
        var p = RTXPacketizer(ssrc: SSRC(4), payloadType: PayloadType(97), initialSequenceNumber: SequenceNumber(3))
        #expect(try write(&p, [0x80, 0x60, 0x00]).isEmpty)
        #expect(p.nextSequenceNumber == SequenceNumber(3))
    }

    /// Every destination shorter than needed throws bufferTooSmall (never traps), and the
    /// `needed` it reports is enough.
    @Test func everyShortDestination() throws {
        var p = RTXPacketizer(ssrc: SSRC(0x5566_7788), payloadType: PayloadType(97),
                              initialSequenceNumber: SequenceNumber(500))
        for capacity in 0..<Self.expectedRTX.count {
            do {
                _ = try write(&p, Self.original, twcc: 0x0102, capacity: capacity)
                Issue.record("capacity \(capacity) should not fit")
            } catch {
                #expect(error.kind == .bufferTooSmall)
                #expect(error.needed > capacity)
                #expect(error.needed <= Self.expectedRTX.count + 16, "needed \(error.needed)")
            }
        }
        #expect(p.nextSequenceNumber == SequenceNumber(500), "failed writes use no sequence number")
        let rtx = try write(&p, Self.original, twcc: 0x0102, capacity: Self.expectedRTX.count)
        #expect(rtx == Self.expectedRTX)
    }

    @Test func originalSequenceNumberOfShortPayload() {
        let short: [UInt8] = [0x01]
        #expect(short.withUnsafeBytes { RTXPacketizer.originalSequenceNumber(rtxPayload: $0) } == nil)
    }

    @Test func allocateSequenceNumberSharesTheSpace() throws {
        var p = RTXPacketizer(ssrc: SSRC(4), payloadType: PayloadType(97), initialSequenceNumber: SequenceNumber(10))
        #expect(p.allocateSequenceNumber() == SequenceNumber(10))
        let rtx = try write(&p, Self.original)
        #expect(rtx[2] == 0 && rtx[3] == 11)
    }
}
