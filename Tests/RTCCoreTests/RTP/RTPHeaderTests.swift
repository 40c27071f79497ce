import Testing
@testable import RTCCore

@Suite struct RTPHeaderTests {
    typealias S = RTPTestSupport

    @Test func minimalHeader() throws {
        let bytes = S.hex("""
            80 08 00 01   # V=2 P=0 X=0 CC=0 | M=0 PT=8 (PCMA) | sequence 1
            00 00 00 a0   # timestamp 160
            de ad be ef   # SSRC
            d5 d5 d5 d5   # payload
            """)
        let h = try S.header(bytes)
        #expect(h.version == 2)
        #expect(!h.hasPadding && !h.hasExtension && !h.marker)
        #expect(h.payloadType == PayloadType(8))
        #expect(h.sequenceNumber == SequenceNumber(1))
        #expect(h.timestamp == 160)
        #expect(h.ssrc == SSRC(0xDEAD_BEEF))
        #expect(h.csrcs.isEmpty)
        #expect(h.payloadOffset == 12 && h.payloadLength == 4 && h.paddingLength == 0)
        #expect(h.packetLength == bytes.count)
        #expect(h.extensionForm == nil)
    }

    @Test func headerOnlyIsValid() throws {
        let h = try S.header(S.hex("80 00 00 00 00 00 00 00 00 00 00 00"))
        #expect(h.payloadLength == 0)
    }

    @Test func vp8FixtureFields() throws {
        let bytes = S.hex(try fixture("vp8-keyframe-one-byte-ext.hex"))
        let h = try S.header(bytes)
        #expect(h.hasExtension && !h.marker)
        #expect(h.payloadType == PayloadType(96))
        #expect(h.sequenceNumber == SequenceNumber(0x1A2B))
        #expect(h.timestamp == 90_000)
        #expect(h.ssrc == SSRC(0x1234_5678))
        #expect(h.extensionProfile == 0xBEDE)
        #expect(h.extensionForm == .oneByte)
        #expect(h.extensionOffset == 16 && h.extensionLength == 16)
        #expect(h.payloadOffset == 32)
        #expect(h.payloadLength == bytes.count - 32)
    }

    @Test func csrcsTwoByteAndPadding() throws {
        let bytes = S.hex(try fixture("csrc-two-byte-ext-padding.hex"))
        let h = try S.header(bytes)
        #expect(h.hasPadding && h.hasExtension && h.marker)
        #expect(Array(h.csrcs) == [SSRC(2), SSRC(3)])
        #expect(h.sequenceNumber == SequenceNumber(65535))
        #expect(h.timestamp == 0xFFFF_FFFF)
        #expect(h.extensionForm == .twoByte(appBits: 0))
        #expect(h.extensionOffset == 24 && h.extensionLength == 12)
        #expect(h.payloadOffset == 36 && h.payloadLength == 2 && h.paddingLength == 3)
        bytes.withUnsafeBytes { raw in
            #expect(Array(h.payload(in: raw)) == [0xAA, 0xBB])
        }
    }

    @Test func paddingOnlyProbe() throws {
        let h = try S.header(S.hex(try fixture("rtx-padding-probe.hex")))
        #expect(h.paddingLength == 8 && h.payloadLength == 0)
        #expect(h.payloadType == PayloadType(97))
    }

    @Test func fifteenCSRCs() throws {
        var bytes = S.hex("8f 00 00 00  00 00 00 00  00 00 00 00")
        for i in 0..<15 { bytes += [0, 0, 0, UInt8(i + 1)] }
        let h = try S.header(bytes)
        #expect(h.csrcs.count == 15)
        #expect(h.csrcs.map(\.rawValue) == Array(1...15))
        // One CSRC short:
        #expect(throws: ParseError(.rtp, .truncated, at: 12, "CSRC list past the end")) {
            try S.header(Array(bytes.dropLast(1)))
        }
    }

    @Test func wrongVersion() {
        for v: UInt8 in [0x00, 0x40, 0xC0] {
            let r = S.run([v] + [UInt8](repeating: 0, count: 11), RTPHeader.parse)
            #expect(r.failureKind == .unsupportedVersion)
        }
    }

    @Test func shorterThanFixedHeader() {
        for n in 0..<12 {
            #expect(S.run([UInt8](repeating: 0x80, count: n), RTPHeader.parse).failureKind == .truncated)
        }
    }

    @Test func zeroPaddingCount() {
        let r = S.run(S.hex("a0 00 00 00 00 00 00 00 00 00 00 00  01 02 00"), RTPHeader.parse)
        #expect(r.failureKind == .invalidPadding)
    }

    @Test func paddingLongerThanPayload() {
        // 3 bytes after the header, padding count 4.
        #expect(S.run(S.hex("a0 00 00 00 00 00 00 00 00 00 00 00  01 02 04"), RTPHeader.parse)
            .failureKind == .invalidPadding)
        // Padding count equal to everything after the header is fine (padding-only).
        let ok = S.run(S.hex("a0 00 00 00 00 00 00 00 00 00 00 00  01 02 03"), RTPHeader.parse)
        #expect((try? ok.get())?.payloadLength == 0)
        // Padding count 255 in a short packet: longer than the whole packet.
        #expect(S.run(S.hex("a0 00 00 00 00 00 00 00 00 00 00 00  ff"), RTPHeader.parse)
            .failureKind == .invalidPadding)
        // P set but nothing after the header: the count would be inside the header.
        #expect(S.run(S.hex("a0 00 00 00 00 00 00 00 00 00 00 ff"), RTPHeader.parse)
            .failureKind == .invalidPadding)
        // Padding must not eat into the extension block.
        #expect(S.run(S.hex("b0 00 00 00 00 00 00 00 00 00 00 00  be de 00 01  10 01 00 00  02"),
                      RTPHeader.parse).failureKind == .invalidPadding)
    }

    @Test func extensionLengthPastTheEnd() {
        // Length 2 words but only one follows.
        #expect(S.run(S.hex("90 00 00 00 00 00 00 00 00 00 00 00  be de 00 02  10 01 00 00"),
                      RTPHeader.parse).failureKind == .invalidLength)
        // Overflowing length 0xffff.
        #expect(S.run(S.hex("90 00 00 00 00 00 00 00 00 00 00 00  be de ff ff  10 01 00 00"),
                      RTPHeader.parse).failureKind == .invalidLength)
        // Extension header itself cut.
        #expect(S.run(S.hex("90 00 00 00 00 00 00 00 00 00 00 00  be de 00"),
                      RTPHeader.parse).failureKind == .truncated)
        // CSRC count pushes the extension header past the end.
        #expect(S.run(S.hex("91 00 00 00 00 00 00 00 00 00 00 00  00 00 00 01  be de"),
                      RTPHeader.parse).failureKind == .truncated)
    }

    @Test func everyFixtureTruncatedAtEveryByte() {
        for f in S.fixtures() {
            for n in 0...f.bytes.count {
                let prefix = Array(f.bytes.prefix(n))
                // A value or a typed error; never a trap.
                _ = S.run(prefix, RTPHeader.parse)
                _ = try? S.forwarding(prefix, map: S.chromeMap)
                _ = prefix.withUnsafeBytes { RTPFuzz.fuzz($0) }
            }
            #expect((try? S.forwarding(f.bytes, map: S.chromeMap)) != nil, "\(f.name)")
        }
    }

    @Test func everyFixtureWithEveryByteCorrupted() {
        for f in S.fixtures() {
            for i in 0..<f.bytes.count {
                for v: UInt8 in [0x00, 0xFF, f.bytes[i] ^ 0x80, f.bytes[i] &+ 1] {
                    var m = f.bytes
                    m[i] = v
                    _ = m.withUnsafeBytes { RTPFuzz.fuzz($0) }
                }
            }
        }
    }

    func fixture(_ name: String) throws -> String {
        let url = S.packageRoot.appendingPathComponent("Fixtures/rtp").appendingPathComponent(name)
        return try String(contentsOf: url, encoding: .utf8)
    }
}

extension Result where Failure == ParseError {
    /// The error kind, or nil on success.
    var failureKind: ParseError.Kind? {
        if case .failure(let e) = self { return e.kind }
        return nil
    }
}
