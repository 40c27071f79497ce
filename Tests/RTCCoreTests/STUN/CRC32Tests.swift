import Testing
@testable import RTCCore

@Suite struct STUNCRC32Tests {
    @Test func checkValue() {
        // The standard CRC-32 check value: CRC of "123456789".
        let s = Array("123456789".utf8)
        #expect(s.withUnsafeBytes { CRC32.checksum($0) } == 0xCBF4_3926)
        #expect([UInt8]().withUnsafeBytes { CRC32.checksum($0) } == 0)
    }

    @Test func chained() {
        var rng = SeededRandom(seed: 32)
        let data = rng.bytes(1000)
        let whole = data.withUnsafeBytes { CRC32.checksum($0) }
        let first = data[0..<377].withUnsafeBytes { CRC32.checksum($0) }
        let both = data[377...].withUnsafeBytes { CRC32.checksum($0, previous: first) }
        #expect(whole == both)
    }
}
