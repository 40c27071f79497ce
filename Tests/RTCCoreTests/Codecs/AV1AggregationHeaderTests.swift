import Testing
@testable import RTCCore

@Suite struct AV1AggregationHeaderTests {
    typealias S = RTPTestSupport

    func parse(_ hex: String) -> Result<AV1AggregationHeader, ParseError> {
        S.run(S.hex(hex), AV1AggregationHeader.parse)
    }

    @Test func newCodedVideoSequence() throws {
        let h = try parse("""
            28              # Z=0 Y=0 W=2 N=1
            0b              # element 1: 11 bytes
            0a 0b 00 00 00 24 c6 ab df 3e fe   # sequence header OBU (type 1)
            32 05 10 00 a0 b0                  # element 2 (last, no size): frame OBU (type 6)
            """).get()
        #expect(h.isKeyframe && h.obuElementCountField == 2 && h.obuElementCount == 2)
        #expect(h.firstOBUType == 1 && h.containsSequenceHeader)
        #expect(h.byte == 0x28)
    }

    @Test func sizedElementsWithWZero() throws {
        let h = try parse("""
            40              # Z=0 Y=1 W=0 N=0
            02 32 00        # element: 2 bytes, frame OBU
            03 32 00 00     # element: 3 bytes
            """).get()
        #expect(!h.isKeyframe && h.continuesInNextPacket && h.obuElementCount == 2 && h.firstOBUType == 6)
    }

    @Test func continuationElementIsNotTyped() throws {
        let h = try parse("90 0a 0b 0c").get()  // Z=1 W=1: one element continuing an OBU
        #expect(h.continuesPreviousOBU && h.firstOBUType == nil && !h.containsSequenceHeader)
    }

    @Test func multiByteLEB128() throws {
        var bytes: [UInt8] = [0x00, 0x80, 0x01]  // W=0, size 128 in two leb128 bytes
        bytes += [UInt8](repeating: 0x32, count: 128)
        let h = try S.run(bytes, AV1AggregationHeader.parse).get()
        #expect(h.obuElementCount == 1)
    }

    @Test func malformed() {
        #expect(parse("").failureKind == .truncated)
        #expect(parse("28").failureKind == .invalidValue)                       // no element
        #expect(parse("00 05 32 00").failureKind == .invalidLength)             // size past end
        #expect(parse("00 ff ff ff ff ff ff ff ff 01").failureKind == .invalidLength)  // leb128 > 8 bytes
        #expect(parse("00 ff ff ff ff 7f").failureKind == .invalidLength)       // value ≥ 2^32
        #expect(parse("00 80").failureKind == .truncated)                       // leb128 cut
        #expect(parse("30 01 32").failureKind == .invalidLength)                // W=3 but one element
        #expect(parse("10 32 00").isSuccess)                                     // W=1
    }
}
