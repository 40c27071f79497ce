import Testing
@testable import RTCCore

/// Malformed input: every case gives a value or a typed ``ParseError``; nothing traps.
@Suite struct STUNMalformedTests {
    typealias V = STUNRFC5769VectorTests
    let key = V.password

    func patched(_ bytes: [UInt8], _ change: (inout [UInt8]) -> Void) -> [UInt8] {
        var b = bytes
        change(&b)
        return b
    }

    @Test func everyVectorTruncatedAtEveryByte() {
        for v in V.allVectors {
            for n in 0..<v.count {
                let prefix = Array(v[0..<n])
                let e = STUNTestSupport.parseError(prefix)
                #expect(e?.format == .stun, "prefix \(n) parsed")
                #expect(e?.kind == .truncated || e?.kind == .invalidLength, "prefix \(n): \(String(describing: e))")
                #expect(prefix.withUnsafeBytes { STUNFuzz.fuzz($0) } == false)
            }
        }
    }

    /// Cut at each attribute boundary with the length field fixed up: a shorter, valid message.
    @Test func everyVectorCutAtAttributeBoundaries() throws {
        for v in V.allVectors {
            var boundaries: [Int] = []
            try STUNTestSupport.withMessage(v) { m in
                for a in m.attributes { boundaries.append(a.offset) }
            }
            for b in boundaries {
                let cut = patched(Array(v[0..<b])) { x in
                    x[2] = UInt8((b - 20) >> 8)
                    x[3] = UInt8((b - 20) & 0xFF)
                }
                try STUNTestSupport.withMessage(cut) { m in
                    #expect(!m.hasFingerprint)
                    if m.hasMessageIntegrity {
                        // Only FINGERPRINT was cut: the integrity still holds (long-term
                        // vector aside, which has no FINGERPRINT and another key).
                        try m.verifyMessageIntegrity(key: key)
                    } else {
                        #expect(throws: ParseError.self) { try m.verifyMessageIntegrity(key: key) }
                    }
                }
            }
        }
    }

    @Test func attributeLengthPastEnd() {
        // SOFTWARE's length (offset 22) pointed past the end of the message.
        for bad: UInt16 in [0x59, 0x100, 0xFFFF] {
            let b = patched(V.request) { x in x[22] = UInt8(bad >> 8); x[23] = UInt8(bad & 0xFF) }
            let e = STUNTestSupport.parseError(b)
            #expect(e?.kind == .invalidLength, "\(bad)")
            #expect(e?.offset == 22)
        }
        // Header length larger than the datagram, and smaller than the attributes.
        #expect(STUNTestSupport.parseError(patched(V.request) { $0[3] = 0x5C })?.kind == .truncated)
        #expect(STUNTestSupport.parseError(patched(V.request) { $0[3] = 0x54 })?.kind == .invalidLength)
        // Not a multiple of 4.
        #expect(STUNTestSupport.parseError(patched(V.request) { $0[3] = 0x57 })?.kind == .invalidLength)
        // Trailing bytes after the message.
        #expect(STUNTestSupport.parseError(V.request + [0, 0, 0, 0])?.kind == .invalidLength)
    }

    @Test func badCookieAndTopBits() {
        let e = STUNTestSupport.parseError(patched(V.request) { $0[4] = 0x22 })
        #expect(e == ParseError(.stun, .invalidValue, at: 4, "bad magic cookie"))
        let top = STUNTestSupport.parseError(patched(V.request) { $0[0] = 0x40 })
        #expect(top == ParseError(.stun, .invalidValue, at: 0, "top two bits not zero"))
    }

    @Test func badFingerprint() throws {
        let b = patched(V.request) { $0[$0.count - 1] ^= 1 }
        try STUNTestSupport.withMessage(b) { m in
            try m.verifyMessageIntegrity(key: key)  // integrity does not cover FINGERPRINT
            #expect(throws: ParseError(.stun, .integrityMismatch, at: 100, "FINGERPRINT mismatch")) {
                try m.verifyFingerprint()
            }
        }
        // A changed attribute breaks both checks.
        let c = patched(V.request) { $0[24] ^= 0x20 }  // "STUN" -> "sTUN"
        try STUNTestSupport.withMessage(c) { m in
            #expect(throws: ParseError.self) { try m.verifyFingerprint() }
            #expect(throws: ParseError.self) { try m.verifyMessageIntegrity(key: key) }
        }
    }

    @Test func integrityMismatch() throws {
        try STUNTestSupport.withMessage(V.ipv4Response) { m in
            #expect(throws: ParseError(.stun, .integrityMismatch, at: 48, "MESSAGE-INTEGRITY mismatch")) {
                try m.verifyMessageIntegrity(key: Array("VOkJxbRl1RmTxUk/WvJxBu".utf8))
            }
            #expect(throws: ParseError.self) { try m.verifyMessageIntegrity(key: []) }
        }
        // A flipped HMAC byte.
        let b = patched(V.ipv6Response) { $0[80] ^= 0x80 }
        try STUNTestSupport.withMessage(b) { m in
            let k = key
            #expect(throws: ParseError.self) { try m.verifyMessageIntegrity(key: k) }
        }
    }

    @Test func structuralAttributeRules() throws {
        let tid = STUNTransactionID(hi: 1, lo: 2)
        // An attribute after FINGERPRINT.
        var b = try STUNMessageWriter.message(type: .bindingRequest, transactionID: tid) { w throws(WriteError) in
            try w.appendFingerprint()
            try w.appendPriority(1)
        }
        #expect(STUNTestSupport.parseError(b)?.reason.description == "attribute after FINGERPRINT")
        // MESSAGE-INTEGRITY and FINGERPRINT with wrong lengths.
        b = try STUNMessageWriter.message(type: .bindingRequest, transactionID: tid) { w throws(WriteError) in
            try w.append(.messageIntegrity, value: [UInt8](repeating: 0, count: 16))
        }
        #expect(STUNTestSupport.parseError(b)?.kind == .invalidLength)
        b = try STUNMessageWriter.message(type: .bindingRequest, transactionID: tid) { w throws(WriteError) in
            try w.append(.fingerprint, value: [1, 2, 3, 4, 5, 6, 7, 8])
        }
        #expect(STUNTestSupport.parseError(b)?.kind == .invalidLength)
        // Attributes after MESSAGE-INTEGRITY are ignored (RFC 8489 §14.5), FINGERPRINT is not.
        b = try STUNMessageWriter.message(type: .bindingRequest, transactionID: tid) { w throws(WriteError) in
            try w.appendMessageIntegrity(key: [1, 2, 3])
            try w.appendPriority(9)
            try w.appendFingerprint()
        }
        try STUNTestSupport.withMessage(b) { m in
            #expect(try m.priority() == nil)
            #expect(m.attributes.map(\.type) == [.messageIntegrity, .priority, .fingerprint])
            try m.verifyFingerprint()
            // The HMAC is checked with the length field as if MESSAGE-INTEGRITY were last, so
            // the ignored PRIORITY after it does not affect it.
            try m.verifyMessageIntegrity(key: [1, 2, 3])
            #expect(throws: ParseError.self) { try m.verifyMessageIntegrity(key: [1, 2]) }
        }
    }

    @Test func malformedAttributeValues() throws {
        let tid = STUNTransactionID(hi: 7, lo: 8)
        func message(_ t: STUNAttributeType, _ v: [UInt8]) throws -> [UInt8] {
            try STUNMessageWriter.message(type: .bindingRequest, transactionID: tid) { w throws(WriteError) in
                try w.append(t, value: v)
            }
        }
        _ = try STUNTestSupport.withMessage(try message(.xorMappedAddress, [0, 3, 0, 1, 1, 2, 3, 4])) { m in
            #expect(throws: ParseError.self) { _ = try m.xorMappedAddress() }
        }
        _ = try STUNTestSupport.withMessage(try message(.xorMappedAddress, [0, 1, 0, 1, 1, 2, 3])) { m in
            #expect(throws: ParseError.self) { _ = try m.xorMappedAddress() }
        }
        _ = try STUNTestSupport.withMessage(try message(.mappedAddress, [0, 2, 0, 1, 1, 2, 3, 4])) { m in
            #expect(throws: ParseError.self) { _ = try m.mappedAddress() }
        }
        _ = try STUNTestSupport.withMessage(try message(.mappedAddress, [0, 1])) { m in
            #expect(throws: ParseError.self) { _ = try m.mappedAddress() }
        }
        _ = try STUNTestSupport.withMessage(try message(.errorCode, [0, 0, 2, 0])) { m in
            #expect(throws: ParseError.self) { _ = try m.errorCode() }
        }
        _ = try STUNTestSupport.withMessage(try message(.errorCode, [0, 0, 4, 100])) { m in
            #expect(throws: ParseError.self) { _ = try m.errorCode() }
        }
        _ = try STUNTestSupport.withMessage(try message(.errorCode, [0, 0, 4])) { m in
            #expect(throws: ParseError.self) { _ = try m.errorCode() }
        }
        _ = try STUNTestSupport.withMessage(try message(.unknownAttributes, [0, 1, 0])) { m in
            #expect(throws: ParseError.self) { _ = try m.unknownAttributes() }
        }
        _ = try STUNTestSupport.withMessage(try message(.priority, [0, 1, 0])) { m in
            #expect(throws: ParseError.self) { _ = try m.priority() }
        }
        _ = try STUNTestSupport.withMessage(try message(.iceControlling, [0, 1, 0, 4])) { m in
            #expect(throws: ParseError.self) { _ = try m.iceControlling() }
        }
        _ = try STUNTestSupport.withMessage(try message(.username, [UInt8](repeating: 0x61, count: 600))) { m in
            #expect(throws: ParseError.self) { _ = try m.username() }
        }
        _ = try STUNTestSupport.withMessage(try message(STUNAttributeType(0x7777), [])) { m in
            #expect(m.firstUnknownComprehensionRequired == STUNAttributeType(0x7777))
        }
        _ = try STUNTestSupport.withMessage(try message(STUNAttributeType(0xF777), [])) { m in
            #expect(m.firstUnknownComprehensionRequired == nil)
        }
    }

    /// Seeded mutations of the vectors and random bytes: never a trap.
    @Test func seededMutationsNeverTrap() {
        var rng = SeededRandom(seed: 0xF0_22)
        var parsed = 0
        for i in 0..<30_000 {
            var b: [UInt8]
            switch i % 3 {
            case 0:
                b = V.allVectors[i % V.allVectors.count]
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    let at = Int(rng.next() % UInt64(b.count))
                    b[at] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
                }
            case 1:
                // A valid header followed by random attribute soup.
                let body = rng.bytes(4 * Int(rng.next() % 24))
                b = [0, 1, UInt8(body.count >> 8), UInt8(body.count & 0xFF), 0x21, 0x12, 0xA4, 0x42]
                    + rng.bytes(12) + body
            default:
                b = rng.bytes(Int(rng.next() % 120))
            }
            if b.withUnsafeBytes({ STUNFuzz.fuzz($0) }) { parsed += 1 }
        }
        #expect(parsed > 1000)
    }
}
