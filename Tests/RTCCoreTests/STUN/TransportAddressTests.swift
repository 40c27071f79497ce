import Testing
@testable import RTCCore

@Suite struct STUNTransportAddressTests {
    @Test func ipv4TextRoundTrip() {
        let a = TransportAddress("127.0.0.1:5000")
        #expect(a == TransportAddress(ipv4: 0x7F00_0001, port: 5000))
        #expect(a?.description == "127.0.0.1:5000")
        #expect(TransportAddress("0.0.0.0:0")?.description == "0.0.0.0:0")
        #expect(TransportAddress("255.255.255.255:65535")?.description == "255.255.255.255:65535")
    }

    @Test func ipv6TextRoundTrip() {
        let a = TransportAddress("[::1]:5000")
        #expect(a == TransportAddress(ipv6Hi: 0, lo: 1, port: 5000))
        #expect(a?.description == "[::1]:5000")
        #expect(TransportAddress("[::]:9")?.description == "[::]:9")
    }

    /// RFC 5952 §4 canonical forms.
    @Test(arguments: [
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:DB8::AAAA", "2001:db8::aaaa"),
        ("1:0:2:0:3:0:4:0", "1:0:2:0:3:0:4:0"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("::ffff:c000:0201", "::ffff:192.0.2.1"),
        ("fe80::1:2:3:4", "fe80::1:2:3:4"),
        ("1::", "1::"),
        ("::", "::"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
        ("64:ff9b::10.0.0.1", "64:ff9b::a00:1"),
    ])
    func ipv6Canonical(input: String, canonical: String) {
        #expect(IPAddress(input)?.description == canonical, "\(input)")
        #expect(IPAddress(canonical) == IPAddress(input))
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4:", "1..2.3", "01234.1.1.1", "a.b.c.d",
        ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::", "1:2:3:4:5:6:7", ":1::", "1:::2",
        "fe80::1%eth0", "::1.2.3", "1.2.3.4::",
    ])
    func invalidIPs(text: String) {
        #expect(IPAddress(text) == nil, "\(text)")
    }

    @Test(arguments: [
        "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "::1:5000", "[::1]",
        "[::1]5000", "[127.0.0.1]:5000", "[::1:5000", "::1]:5000", ":5000", "[]:1", "1.2.3.4:1x",
    ])
    func invalidTransportAddresses(text: String) {
        #expect(TransportAddress(text) == nil, "\(text)")
    }

    @Test func randomRoundTrip() {
        var rng = SeededRandom(seed: 0x5EED_AD)
        for i in 0..<5000 {
            let port = UInt16(truncatingIfNeeded: rng.next())
            let a: TransportAddress
            if i % 2 == 0 {
                a = TransportAddress(ipv4: UInt32(truncatingIfNeeded: rng.next()), port: port)
            } else {
                // Make zero runs likely, to exercise "::" placement.
                var hi = rng.next(), lo = rng.next()
                let mask = rng.next()
                for g in 0..<4 where mask >> UInt64(g) & 1 == 1 { hi &= ~(0xFFFF << (16 * UInt64(g))) }
                for g in 0..<4 where mask >> UInt64(g + 4) & 1 == 1 { lo &= ~(0xFFFF << (16 * UInt64(g))) }
                a = TransportAddress(ipv6Hi: hi, lo: lo, port: port)
            }
            #expect(TransportAddress(a.description) == a, "\(a)")
        }
    }

    @Test func octetsAndFlags() {
        #expect(IPAddress("192.0.2.1")?.octets == [192, 0, 2, 1])
        #expect(IPAddress("::1")?.octets == [UInt8](repeating: 0, count: 15) + [1])
        #expect(IPAddress.loopbackV4.isLoopback && IPAddress.loopbackV6.isLoopback)
        #expect(IPAddress("fe80::1")?.isLinkLocal == true)
        #expect(IPAddress("2001:db8::1")?.isLinkLocal == false)
        let raw: [UInt8] = [10, 0, 0, 7]
        #expect(raw.withUnsafeBytes { IPAddress(bytes: $0) } == IPAddress("10.0.0.7"))
    }
}
