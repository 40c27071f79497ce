import Testing
@testable import RTCCore

@Suite struct H264PayloadDescriptorTests {
    typealias S = RTPTestSupport

    func parse(_ hex: String) -> Result<H264PayloadDescriptor, ParseError> {
        S.run(S.hex(hex), H264PayloadDescriptor.parse)
    }

    @Test func singleNALUnits() throws {
        let idr = try parse("65 88 84 00").get()          // IDR
        #expect(idr.packetization == .singleNALUnit && idr.nalUnitType == 5 && idr.nalRefIdc == 3 && idr.isKeyframe)
        let sps = try parse("67 42 c0 1f").get()
        #expect(sps.containsSPS && sps.isKeyframe)
        let pps = try parse("68 ce 3c 80").get()
        #expect(pps.containsPPS && !pps.isKeyframe)
        let slice = try parse("41 9a 02").get()            // non-IDR slice, NRI 2
        #expect(slice.nalUnitType == 1 && slice.nalRefIdc == 2 && !slice.isKeyframe)
        let sei = try parse("06 05").get()
        #expect(sei.nalRefIdc == 0 && !sei.isKeyframe)
        #expect(try parse("e5 00").get().forbiddenBit)
    }

    @Test func stapAFixtureIsKeyframe() throws {
        let d = try parse("""
            78              # STAP-A (type 24), NRI 3
            00 05 67 42 c0 1f 8c   # SPS
            00 03 68 ce 3c         # PPS
            00 04 65 88 84 00      # IDR
            """).get()
        #expect(d.packetization == .stapA && d.nalUnitCount == 3)
        #expect(d.containsSPS && d.containsPPS && d.containsIDR && d.isKeyframe)
    }

    @Test func stapAWithoutKeyframe() throws {
        let d = try parse("78 00 02 06 05 00 03 41 9a 02").get()
        #expect(d.nalUnitCount == 2 && !d.isKeyframe)
    }

    @Test func fuA() throws {
        let start = try parse("7c 85 b8 00").get()       // FU-A, S=1, type 5
        #expect(start.packetization == .fuA && start.isFragmentStart && !start.isFragmentEnd)
        #expect(start.nalUnitType == 5 && start.isKeyframe)
        let middle = try parse("7c 05 aa").get()         // S=0 E=0 type 5
        #expect(!middle.isKeyframe && !middle.isFragmentStart)
        let end = try parse("7c 45 aa").get()
        #expect(end.isFragmentEnd && !end.isKeyframe)
        let inter = try parse("5c 81 aa").get()          // start of a non-IDR slice
        #expect(!inter.isKeyframe && inter.nalUnitType == 1)
    }

    @Test func malformed() {
        #expect(parse("").failureKind == .truncated)
        #expect(parse("7c").failureKind == .truncated)
        #expect(parse("78").failureKind == .truncated)
        #expect(parse("78 00").failureKind == .truncated)
        #expect(parse("78 00 00").failureKind == .invalidLength)          // zero-size unit
        #expect(parse("78 00 05 67 42").failureKind == .invalidLength)    // unit past the end
        #expect(parse("78 ff ff 67").failureKind == .invalidLength)       // overflowing size
        #expect(parse("78 00 01 78").failureKind == .invalidValue)        // nested STAP-A
        #expect(parse("7c c5 00").failureKind == .invalidValue)           // S and E
        #expect(parse("7c 9c 00").failureKind == .invalidValue)           // FU of an FU
        for t: UInt8 in [0, 25, 26, 27, 29, 30, 31] {
            #expect(S.run([0x60 | t, 0, 0, 0], H264PayloadDescriptor.parse).failureKind == .invalidValue)
        }
    }
}
