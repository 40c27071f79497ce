import Testing
@testable import RTCCore

@Suite struct RTPExtensionElementReaderTests {
    typealias S = RTPTestSupport

    static let fixed = "90 00 00 01  00 00 00 02  00 00 00 03   # V=2 X=1, seq 1, ts 2, SSRC 3\n"

    func elements(form: RTPExtensionForm, _ data: String) -> Result<[(id: UInt8, data: [UInt8])], ParseError> {
        let bytes = S.hex(data)
        return bytes.withUnsafeBytes { raw in
            var r = RTPExtensionElementReader(extensionData: raw, form: form)
            var out: [(id: UInt8, data: [UInt8])] = []
            do throws(ParseError) {
                while let e = try r.next() { out.append((e.id, [UInt8](e.data(in: raw)))) }
                return .success(out)
            } catch { return .failure(error) }
        }
    }

    /// The layout of RFC 8285 §4.2's one-byte example: an element with L=0 (1 byte), one with
    /// L=1 (2 bytes), two padding bytes, one with L=3 (4 bytes); 3 words.
    @Test func rfc8285OneByteExample() throws {
        let bytes = S.hex(Self.fixed + """
            be de 00 03   # 0xBEDE, length=3
            10 aa         # ID=1 L=0: 1 byte of data
            21 bb cc      # ID=2 L=1: 2 bytes of data
            00 00         # 0 (pad) 0 (pad)
            33 01 02 03 04  # ID=3 L=3: 4 bytes of data
            """)
        let h = try S.header(bytes)
        #expect(h.extensionForm == .oneByte && h.extensionLength == 12)
        let e = try S.elements(bytes)
        #expect(e.map(\.id) == [1, 2, 3])
        #expect(e.map(\.data) == [[0xAA], [0xBB, 0xCC], [1, 2, 3, 4]])
    }

    /// The layout of RFC 8285 §4.3's two-byte example: an element with L=0, one with L=1, a
    /// padding byte, one with L=4; 3 words, profile 0x1000.
    @Test func rfc8285TwoByteExample() throws {
        let bytes = S.hex(Self.fixed + """
            10 00 00 03   # 0x100 appbits=0, length=3
            01 00         # ID=1 L=0 (no data)
            02 01 aa      # ID=2 L=1: 1 byte
            00            # 0 (pad)
            03 04 01 02 03 04   # ID=3 L=4: 4 bytes
            """)
        let h = try S.header(bytes)
        #expect(h.extensionForm == .twoByte(appBits: 0))
        let e = try S.elements(bytes)
        #expect(e.map(\.id) == [1, 2, 3])
        #expect(e.map(\.data) == [[], [0xAA], [1, 2, 3, 4]])
    }

    @Test func twoByteAppBitsAndLargeIDs() throws {
        let bytes = S.hex(Self.fixed + "10 0f 00 02   ff 02 01 02   0f 00 00 00")
        let h = try S.header(bytes)
        #expect(h.extensionForm == .twoByte(appBits: 15))
        let e = try S.elements(bytes)
        #expect(e.map(\.id) == [255, 15])
        #expect(e.map(\.data) == [[1, 2], []])
    }

    @Test func oneByteID15StopsParsing() throws {
        let r = elements(form: .oneByte, "10 aa  f0 00  20 bb  00 00 00")
        #expect(try r.get().map(\.id) == [1])
        // ID 15 with a length that would run past the end: its length is ignored.
        #expect(try elements(form: .oneByte, "ff").get().isEmpty)
    }

    @Test func oneByteIDZeroIsPaddingWhateverItsLength() throws {
        // 0x0F is ID 0 L=15: skipped as one byte, not as 16.
        #expect(try elements(form: .oneByte, "0f 10 aa").get().map(\.data) == [[0xAA]])
    }

    @Test func elementsPastTheEnd() {
        #expect(elements(form: .oneByte, "13 01 02").failureKind == .invalidLength)
        #expect(elements(form: .oneByte, "1f").failureKind == .invalidLength)
        #expect(elements(form: .twoByte(appBits: 0), "01 05 01 02").failureKind == .invalidLength)
        #expect(elements(form: .twoByte(appBits: 0), "01").failureKind == .truncated)
        #expect(elements(form: .twoByte(appBits: 0), "01 ff").failureKind == .invalidLength)
    }

    @Test func otherProfileYieldsNoElements() throws {
        let bytes = S.hex(Self.fixed + "ab cd 00 01  11 22 33 44")
        let h = try S.header(bytes)
        #expect(h.extensionForm == nil && h.extensionProfile == 0xABCD)
        #expect(try S.elements(bytes).isEmpty)
    }

    @Test func emptyBlock() throws {
        #expect(try S.elements(S.hex(Self.fixed + "be de 00 00")).isEmpty)
    }

    @Test func onlyPadding() throws {
        #expect(try elements(form: .oneByte, "00 00 00 00 00 00 00 00").get().isEmpty)
        #expect(try elements(form: .twoByte(appBits: 0), "00 00 00 00").get().isEmpty)
    }
}

extension Result where Success == [(id: UInt8, data: [UInt8])], Failure == ParseError {
    var failureKind: ParseError.Kind? {
        if case .failure(let e) = self { return e.kind }
        return nil
    }
}
