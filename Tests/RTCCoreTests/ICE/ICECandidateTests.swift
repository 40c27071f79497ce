import Testing
@testable import RTCCore

@Suite struct ICECandidateTests {
    @Test func chromiumServerReflexive() throws {
        let line = "candidate:842163049 1 udp 1677729535 198.51.100.7 56143 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag sXbq network-cost 999"
        let c = try ICECandidate(parsing: line)
        #expect(c.foundation == "842163049")
        #expect(c.component == 1)
        #expect(c.transport == "udp")
        #expect(c.priority == 1_677_729_535)
        #expect(c.address == TransportAddress("198.51.100.7:56143"))
        #expect(c.type == .serverReflexive)
        #expect(c.relatedAddress == "0.0.0.0")
        #expect(c.relatedPort == 0)
        #expect(c.extensionValue("ufrag") == "sXbq")
        #expect(c.extensionValue("network-cost") == "999")
        #expect(c.description == line)
    }

    @Test func hostIPv6TCPAndPrefixes() throws {
        let c = try ICECandidate(parsing: "a=candidate:1 1 TCP 2128609279 2001:db8::7 9 typ host tcptype active\r\n")
        #expect(c.transport == "tcp")
        #expect(!c.isUDP)
        #expect(c.address == TransportAddress("[2001:db8::7]:9"))
        #expect(c.extensionValue("tcptype") == "active")
        #expect(c.description == "candidate:1 1 tcp 2128609279 2001:db8::7 9 typ host tcptype active")
    }

    @Test func mdnsAddressHasNoTransportAddress() throws {
        let c = try ICECandidate(parsing: "candidate:3 1 udp 2113937151 1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718.local 54321 typ host generation 0")
        #expect(c.address == nil)
        #expect(c.connectionAddress.hasSuffix(".local"))
    }

    @Test func relayAndUnknownType() throws {
        let c = try ICECandidate(parsing: "candidate:9 2 udp 16777215 203.0.113.9 3478 typ relay raddr 198.51.100.7 rport 5000")
        #expect(c.type == .relay && c.component == 2 && c.relatedPort == 5000)
        let u = try ICECandidate(parsing: "candidate:9 1 udp 1 203.0.113.9 3478 typ future")
        #expect(u.type == .other("future"))
        #expect(u.description.hasSuffix("typ future"))
    }

    @Test(arguments: [
        "",
        "candidate:",
        "candidat:1 1 udp 1 1.2.3.4 5 typ host",
        "candidate:1 1 udp 1 1.2.3.4 5 typ",
        "candidate:1 0 udp 1 1.2.3.4 5 typ host",
        "candidate:1 257 udp 1 1.2.3.4 5 typ host",
        "candidate:1 1 udp 12345678901 1.2.3.4 5 typ host",
        "candidate:1 1 udp 4294967296 1.2.3.4 5 typ host",
        "candidate:1 1 udp 1 1.2.3.4 65536 typ host",
        "candidate:1 1 udp 1 1.2.3.4 5 type host",
        "candidate:1 1 udp 1 1.2.3.4 5 typ host generation",
        "candidate:1 1 udp 1 1.2.3.4 5 typ host raddr 1.2.3.4 rport x",
        "candidate:a-b 1 udp 1 1.2.3.4 5 typ host",
        "candidate:123456789012345678901234567890123 1 udp 1 1.2.3.4 5 typ host",
        "candidate:1 1 u(p 1 1.2.3.4 5 typ host",
        "candidate:1 1 udp -1 1.2.3.4 5 typ host",
    ])
    func malformed(line: String) {
        #expect(throws: ParseError.self) { _ = try ICECandidate(parsing: line) }
        #expect(ICECandidate(line) == nil)
    }

    @Test func errorsCarryOffsets() {
        do {
            _ = try ICECandidate(parsing: "candidate:1 1 udp 1 1.2.3.4 99999 typ host")
            Issue.record("parsed")
        } catch {
            #expect(error.format == .sdp)
            #expect(error.kind == .syntax)
            #expect(error.offset == 28)  // "99999"
        }
    }

    @Test func randomRoundTrip() throws {
        var rng = SeededRandom(seed: 0xCA_4D)
        let types: [ICECandidateType] = [.host, .serverReflexive, .peerReflexive, .relay]
        for _ in 0..<3000 {
            let a = STUNRoundTripTests.randomAddress(&rng)
            let hasRelated = rng.next() & 1 == 0
            var c = ICECandidate(
                foundation: String(rng.next() % 1_000_000_000), component: UInt16(1 + rng.next() % 256),
                transport: rng.next() & 3 == 0 ? "tcp" : "udp",
                priority: UInt32(truncatingIfNeeded: rng.next()), address: a,
                type: types[Int(rng.next() % 4)],
                related: hasRelated ? STUNRoundTripTests.randomAddress(&rng) : nil)
            if rng.next() & 1 == 0 {
                c.extensions = [.init(name: "generation", value: String(rng.next() % 10)),
                                .init(name: "ufrag", value: "u\(rng.next() % 9999)")]
            }
            let back = try ICECandidate(parsing: c.description)
            #expect(back == c)
            #expect(back.address == a)
        }
    }

    @Test func mutatedLinesNeverTrap() {
        var rng = SeededRandom(seed: 77)
        let seed = Array("candidate:842163049 1 udp 1677729535 198.51.100.7 56143 typ srflx raddr 0.0.0.0 rport 0 generation 0".utf8)
        var parsed = 0
        for _ in 0..<20_000 {
            var b = seed
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let i = Int(rng.next() % UInt64(b.count))
                switch rng.next() % 3 {
                case 0: b[i] = UInt8(truncatingIfNeeded: rng.next())
                case 1: b.remove(at: i)
                default: b.insert(UInt8(truncatingIfNeeded: rng.next() % 128), at: i)
                }
                if b.isEmpty { b = [0x20] }
            }
            if (try? ICECandidate(parsing: String(decoding: b, as: UTF8.self))) != nil { parsed += 1 }
        }
        #expect(parsed > 100)
    }

    @Test func hostCandidatesFromAddresses() throws {
        let addrs = [
            ICEHostAddress(base: TransportAddress("10.0.0.2:40000")!, announced: TransportAddress("203.0.113.5:40000")),
            ICEHostAddress(base: TransportAddress("[fd00::2]:40000")!),
            ICEHostAddress(base: TransportAddress("10.0.1.2:40000")!),
        ]
        let c = ICEHostAddress.hostCandidates(addrs)
        #expect(c.count == 3)
        #expect(c[0].address == TransportAddress("203.0.113.5:40000"))
        #expect(c.allSatisfy { $0.type == .host && $0.component == 1 && $0.isUDP })
        // IPv6 above IPv4, earlier IPv4 above later IPv4; type preference 126 in the top byte.
        #expect(c[1].priority > c[0].priority && c[0].priority > c[2].priority)
        #expect(c.allSatisfy { $0.priority >> 24 == 126 })
        #expect(c[0].priority == 126 << 24 | 32767 << 8 | 255)
        #expect(Set(c.map(\.foundation)).count == 3)
        for x in c { #expect(try ICECandidate(parsing: x.description) == x) }
    }

    @Test func pairPriority() {
        // RFC 8445 §6.1.2.3 with G > D and G < D.
        #expect(ICEPriority.pair(controlling: 10, controlled: 5) == (5 << 32) + 20 + 1)
        #expect(ICEPriority.pair(controlling: 5, controlled: 10) == (5 << 32) + 20)
        #expect(ICEPriority.candidate(type: .peerReflexive, localPreference: 65535, component: 1)
                == 110 << 24 | 65535 << 8 | 255)
    }

    @Test func credentials() {
        var rng = SeededRandom(seed: 5)
        let c = ICECredentials.random(using: &rng)
        #expect(c.isValid)
        #expect(c.ufrag.utf8.count == 8 && c.pwd.utf8.count == 24)
        #expect(!ICECredentials(ufrag: "abc", pwd: String(repeating: "x", count: 22)).isValid)
        #expect(!ICECredentials(ufrag: "abcd", pwd: String(repeating: "x", count: 21)).isValid)
        #expect(!c.description.contains(c.pwd))
    }
}
