import Testing
@testable import RTCCore

/// Random valid messages (seeded): write with the writer, parse back, every field equal.
@Suite struct STUNRoundTripTests {
    struct Model {
        var type: STUNMessageType
        var tid: STUNTransactionID
        var xorMapped: TransportAddress?
        var mapped: TransportAddress?
        var username: String?
        var software: String?
        var errorCode: (UInt16, String)?
        var unknown: [STUNAttributeType]?
        var priority: UInt32?
        var useCandidate = false
        var controlling: UInt64?
        var controlled: UInt64?
        var opaque: (STUNAttributeType, [UInt8])?
        var key: [UInt8]?
        var fingerprint = false
    }

    static func randomAddress(_ rng: inout SeededRandom) -> TransportAddress {
        let port = UInt16(truncatingIfNeeded: rng.next())
        return rng.next() & 1 == 0
            ? TransportAddress(ipv4: UInt32(truncatingIfNeeded: rng.next()), port: port)
            : TransportAddress(ipv6Hi: rng.next(), lo: rng.next(), port: port)
    }

    static func randomText(_ rng: inout SeededRandom, max: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/:é")
        let n = Int(rng.next() % UInt64(max + 1))
        return String((0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
    }

    static func randomModel(_ rng: inout SeededRandom) -> Model {
        func coin(_ rng: inout SeededRandom) -> Bool { rng.next() & 1 == 0 }
        let cls = STUNClass(rawValue: UInt8(rng.next() & 3))!
        var m = Model(type: STUNMessageType(method: STUNMethod(rawValue: UInt16(truncatingIfNeeded: rng.next())),
                                            class: cls),
                      tid: STUNTransactionID(using: &rng))
        if coin(&rng) { m.xorMapped = randomAddress(&rng) }
        if coin(&rng) { m.mapped = randomAddress(&rng) }
        if coin(&rng) { m.username = randomText(&rng, max: 40) }
        if coin(&rng) { m.software = randomText(&rng, max: 30) }
        if coin(&rng) {
            let code = UInt16(300 + rng.next() % 400)
            m.errorCode = (code, randomText(&rng, max: 20))
        }
        if coin(&rng) {
            m.unknown = (0..<Int(rng.next() % 5)).map { _ in STUNAttributeType(UInt16(truncatingIfNeeded: rng.next())) }
        }
        if coin(&rng) { m.priority = UInt32(truncatingIfNeeded: rng.next()) }
        m.useCandidate = coin(&rng)
        if coin(&rng) { m.controlling = rng.next() } else if coin(&rng) { m.controlled = rng.next() }
        if coin(&rng) {
            m.opaque = (STUNAttributeType(0xC000 | UInt16(truncatingIfNeeded: rng.next() & 0x0FFF)),
                        rng.bytes(Int(rng.next() % 17)))
        }
        if coin(&rng) { m.key = rng.bytes(Int(rng.next() % 33)) }
        m.fingerprint = coin(&rng)
        return m
    }

    static func write(_ m: Model, padding: UInt8) throws -> [UInt8] {
        try STUNMessageWriter.message(type: m.type, transactionID: m.tid, paddingByte: padding) { w throws(WriteError) in
            if let a = m.xorMapped { try w.appendXORMappedAddress(a) }
            if let a = m.mapped { try w.appendMappedAddress(a) }
            if let u = m.username { try w.appendUsername(u) }
            if let s = m.software { try w.appendSoftware(s) }
            if let (c, r) = m.errorCode { try w.appendErrorCode(STUNErrorCode(c), reason: r) }
            if let u = m.unknown { try w.appendUnknownAttributes(u) }
            if let p = m.priority { try w.appendPriority(p) }
            if m.useCandidate { try w.appendUseCandidate() }
            if let t = m.controlling { try w.appendICEControlling(t) }
            if let t = m.controlled { try w.appendICEControlled(t) }
            if let (t, v) = m.opaque { try w.append(t, value: v) }
            if let k = m.key { try w.appendMessageIntegrity(key: k) }
            if m.fingerprint { try w.appendFingerprint() }
        }
    }

    @Test func thousandsOfRandomMessages() throws {
        var rng = SeededRandom(seed: 0x57_0A)
        for i in 0..<4000 {
            let m = Self.randomModel(&rng)
            let bytes = try Self.write(m, padding: UInt8(truncatingIfNeeded: i))
            #expect(bytes.count % 4 == 0)
            // RFC 7983's 0...3 range covers the methods in use (12-bit methods below 0x100).
            if m.type.rawValue < 0x400 {
                #expect(bytes.withUnsafeBytes { Demux.classify($0) } == .stun)
            }
            #expect(bytes.withUnsafeBytes { STUNFuzz.fuzz($0) })
            try STUNTestSupport.withMessage(bytes) { p in
                #expect(p.type == m.type)
                #expect(p.transactionID == m.tid)
                #expect(try p.xorMappedAddress() == m.xorMapped)
                #expect(try p.mappedAddress() == m.mapped)
                #expect(try p.username()?.stunTestString == m.username)
                #expect(try p.software()?.stunTestString == m.software)
                let e = try p.errorCode()
                #expect(e?.code.rawValue == m.errorCode?.0)
                #expect(e?.reasonString == m.errorCode?.1)
                #expect(try p.unknownAttributes().map { Array($0) } == m.unknown)
                #expect(try p.priority() == m.priority)
                #expect(p.hasUseCandidate == m.useCandidate)
                #expect(try p.iceControlling() == m.controlling)
                #expect(try p.iceControlled() == m.controlled)
                if let (t, v) = m.opaque {
                    #expect(p.attribute(t).map { Array($0.value) } == v)
                }
                if let k = m.key {
                    try p.verifyMessageIntegrity(key: k)
                    #expect(throws: ParseError.self) { try p.verifyMessageIntegrity(key: k + [1]) }
                } else {
                    #expect(!p.hasMessageIntegrity)
                }
                if m.fingerprint { try p.verifyFingerprint() } else { #expect(!p.hasFingerprint) }
            }
        }
    }

    @Test func messageTypeBitsRoundTrip() {
        for raw in 0..<0x4000 {
            let t = STUNMessageType(rawValue: UInt16(raw))
            #expect(t.rawValue == UInt16(raw))
        }
        #expect(STUNMessageType.bindingRequest.rawValue == 0x0001)
        #expect(STUNMessageType.bindingIndication.rawValue == 0x0011)
        #expect(STUNMessageType.bindingSuccess.rawValue == 0x0101)
        #expect(STUNMessageType.bindingError.rawValue == 0x0111)
        #expect(STUNMessageType(method: .allocate, class: .errorResponse).rawValue == 0x0113)
        #expect(STUNMessageType(method: STUNMethod(rawValue: 0xFFF), class: .errorResponse).rawValue == 0x3FFF)
    }

    @Test func writerRefusesSmallBuffers() {
        var storage = [UInt8](repeating: 0, count: 40)
        storage.withUnsafeMutableBytes { buf in
            #expect(throws: WriteError.self) {
                _ = try STUNMessageWriter(into: UnsafeMutableRawBufferPointer(rebasing: buf[0..<19]),
                                          type: .bindingRequest, transactionID: STUNTransactionID(hi: 1, lo: 2))
            }
            do {
                var w = try STUNMessageWriter(into: buf, type: .bindingRequest,
                                              transactionID: STUNTransactionID(hi: 1, lo: 2))
                try w.appendPriority(7)  // 28 bytes
                #expect(throws: WriteError.self) { try w.appendMessageIntegrity(key: [1]) }
                #expect(throws: WriteError.self) { try w.appendUsername("123456789") }
                try w.appendFingerprint()  // 36 bytes
                #expect(w.count == 36)
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        // The message written so far is complete and valid.
        let msg = Array(storage[0..<36])
        #expect((try? STUNTestSupport.withMessage(msg) { try $0.verifyFingerprint() }) != nil)
    }

    @Test func writerRefusesBadErrorCodes() throws {
        #expect(throws: WriteError.self) {
            _ = try STUNMessageWriter.message(type: .bindingError, transactionID: STUNTransactionID(hi: 0, lo: 0)) { w throws(WriteError) in
                try w.appendErrorCode(STUNErrorCode(200))
            }
        }
        let bytes = try STUNMessageWriter.message(type: .bindingError, transactionID: STUNTransactionID(hi: 0, lo: 0)) { w throws(WriteError) in
            try w.appendErrorCode(.roleConflict)
        }
        try STUNTestSupport.withMessage(bytes) { m in
            let e = try m.errorCode()
            #expect(e?.code == .roleConflict)
            #expect(e?.reasonString == "Role Conflict")
        }
    }
}
