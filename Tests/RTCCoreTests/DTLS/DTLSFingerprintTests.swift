import Testing
@testable import RTCCore

@Suite struct DTLSFingerprintTests {
    /// An SDP fingerprint as Chromium writes it (RFC 8122 §5 grammar, upper-case hex).
    static let chromeValue =
        "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:42:6A:5B:D3:20:1F:59:49:03:2E:36:7F"

    @Test func parsesSDPValue() throws {
        let f = try DTLSFingerprint(Self.chromeValue)
        #expect(f.hash == .sha256)
        #expect(f.digest.count == 32)
        #expect(f.digest.prefix(4) == [0x4A, 0xAD, 0xB9, 0xB1])
        #expect(f.digest.last == 0x7F)
        #expect(f.sdpValue == Self.chromeValue)
        #expect(f.description == Self.chromeValue)
    }

    @Test func acceptsCaseWhitespaceAndCRLF() throws {
        let lower = "SHA-256 " + Self.chromeValue.dropFirst(8).lowercased() + "\r\n"
        let f = try DTLSFingerprint("  " + lower)
        #expect(f == (try DTLSFingerprint(Self.chromeValue)))
    }

    @Test(arguments: DTLSFingerprintHash.allCases)
    func everyHashRoundTrips(hash: DTLSFingerprintHash) throws {
        var rng = SeededRandom(seed: UInt64(hash.digestLength))
        for _ in 0..<50 {
            let f = try #require(DTLSFingerprint(hash: hash, digest: rng.bytes(hash.digestLength)))
            let again = try DTLSFingerprint(f.sdpValue)
            #expect(again == f)
            #expect(f.sdpValue.hasPrefix(hash.sdpName + " "))
            #expect(f.sdpValue.count == hash.sdpName.count + 1 + hash.digestLength * 3 - 1)
        }
        #expect(DTLSFingerprint(hash: hash, digest: [1, 2, 3]) == nil)
        #expect(DTLSFingerprintHash(sdpName: hash.sdpName.uppercased()) == hash)
    }

    @Test func refusesWeakOrUnknownHashes() {
        for name in ["md5", "md2", "sha-3", "sha256", "x"] {
            let value = name + " AB:CD"
            #expect(throws: ParseError.self) { try DTLSFingerprint(value) }
        }
        do {
            _ = try DTLSFingerprint("md5 AB:CD")
            Issue.record("md5 accepted")
        } catch {
            #expect(error.kind == .invalidValue)
            #expect(error.format == .sdp)
            #expect(error.offset == 0)
        }
    }

    @Test func malformedValuesGiveTypedErrors() {
        let cases: [(String, ParseError.Kind, Int)] = [
            ("", .syntax, 0),
            ("sha-256", .syntax, 7),
            ("sha-256 ", .syntax, 8),
            ("sha-256 4A:AD", .invalidLength, 13),                // too short
            ("sha-256 4A-AD", .syntax, 10),                       // wrong separator
            ("sha-256 4G:AD", .syntax, 8),                        // not hex
            ("sha-256 4A:A", .syntax, 11),                        // odd digit
            ("sha-256 4A::AD", .syntax, 11),                      // empty pair
            ("sha-256 :4A", .syntax, 8),
            ("sha-1 " + Array(repeating: "AB", count: 21).joined(separator: ":"), .invalidLength, 66),
        ]
        for (value, kind, offset) in cases {
            do {
                _ = try DTLSFingerprint(value)
                Issue.record("accepted \(value)")
            } catch {
                #expect(error.kind == kind, "\(value)")
                #expect(error.offset == offset, "\(value)")
            }
        }
    }

    @Test func everyTruncationGivesValueOrTypedError() {
        let bytes = Array(Self.chromeValue.utf8)
        for n in 0...bytes.count {
            let prefix = Array(bytes[0..<n])
            let result = prefix.withUnsafeBytes { raw -> Result<DTLSFingerprint, ParseError> in
                do throws(ParseError) { return .success(try DTLSFingerprint(parsing: raw)) }
                catch { return .failure(error) }
            }
            switch result {
            case .success: #expect(n == bytes.count)
            case .failure(let e): #expect(e.format == .sdp)
            }
        }
    }

    @Test func fuzzEntryNeverTrapsOnRandomAndMutatedInput() {
        var rng = SeededRandom(seed: 42)
        let seed = Array(Self.chromeValue.utf8)
        var parsed = 0
        for i in 0..<20_000 {
            var input: [UInt8]
            if i % 2 == 0 {
                input = rng.bytes(Int(rng.next() % 120))
            } else {
                input = seed
                for _ in 0..<Int(rng.next() % 4) {
                    guard !input.isEmpty else { break }
                    let at = Int(rng.next() % UInt64(input.count))
                    switch rng.next() % 3 {
                    case 0: input[at] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: input.remove(at: at)
                    default: input.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
                    }
                }
            }
            if input.withUnsafeBytes({ DTLSFingerprint.fuzz($0) }) { parsed += 1 }
        }
        #expect(seed.withUnsafeBytes { DTLSFingerprint.fuzz($0) })
        #expect(parsed > 0)
    }

    @Test func matchesCertificateUnderEveryHash() throws {
        let cert = DTLSTestCertificates.alice
        for hash in DTLSFingerprintHash.allCases {
            let f = try #require(cert.fingerprint(using: hash))
            #expect(f.matches(x509: cert.x509))
            #expect(!f.matches(x509: DTLSTestCertificates.bob.x509))
            // Through SDP text and back.
            #expect(try DTLSFingerprint(f.sdpValue).matches(x509: cert.x509))
        }
    }
}
