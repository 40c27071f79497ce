import COpenSSL
import Testing
@testable import RTCCore

/// RFC 5769 test vectors, byte for byte, both directions.
@Suite struct STUNRFC5769VectorTests {
    static let password = Array("VOkJxbRl1RmTxUk/WvJxBt".utf8)
    static let tid = STUNTransactionID(STUNTestSupport.hex("b7 e7 a7 01 bc 34 d6 86 fa 87 df ae"))!

    /// RFC 5769 §2.1 Sample Request (short-term credentials).
    static let request = STUNTestSupport.hex("""
        00 01 00 58   # Binding request, message length 88
        21 12 a4 42   # magic cookie
        b7 e7 a7 01   # transaction ID
        bc 34 d6 86   #
        fa 87 df ae   #
        80 22 00 10   # SOFTWARE, length 16
        53 54 55 4e   # "STUN"
        20 74 65 73   # " tes"
        74 20 63 6c   # "t cl"
        69 65 6e 74   # "ient"
        00 24 00 04   # PRIORITY, length 4
        6e 00 01 ff   # 0x6e0001ff
        80 29 00 08   # ICE-CONTROLLED, length 8
        93 2f f9 b1   # tie-breaker
        51 26 3b 36   #
        00 06 00 09   # USERNAME, length 9
        65 76 74 6a   # "evtj"
        3a 68 36 76   # ":h6v"
        59 20 20 20   # "Y" + 3 bytes of padding (0x20)
        00 08 00 14   # MESSAGE-INTEGRITY, length 20
        9a ea a7 0c   # HMAC-SHA1
        bf d8 cb 56   #
        78 1e f2 b5   #
        b2 d3 f2 49   #
        c1 b5 71 a2   #
        80 28 00 04   # FINGERPRINT, length 4
        e5 7a 3b cf   # CRC-32 ^ 0x5354554e
        """)

    /// RFC 5769 §2.2 Sample IPv4 Response.
    static let ipv4Response = STUNTestSupport.hex("""
        01 01 00 3c   # Binding success response, length 60
        21 12 a4 42   # magic cookie
        b7 e7 a7 01   # transaction ID
        bc 34 d6 86   #
        fa 87 df ae   #
        80 22 00 0b   # SOFTWARE, length 11
        74 65 73 74   # "test"
        20 76 65 63   # " vec"
        74 6f 72 20   # "tor" + 1 byte of padding (0x20)
        00 20 00 08   # XOR-MAPPED-ADDRESS, length 8
        00 01 a1 47   # IPv4, port 32853 ^ 0x2112
        e1 12 a6 43   # 192.0.2.1 ^ magic cookie
        00 08 00 14   # MESSAGE-INTEGRITY, length 20
        2b 91 f5 99   # HMAC-SHA1
        fd 9e 90 c3   #
        8c 74 89 f9   #
        2a f9 ba 53   #
        f0 6b e7 d7   #
        80 28 00 04   # FINGERPRINT, length 4
        c0 7d 4c 96   # CRC-32 ^ 0x5354554e
        """)

    /// RFC 5769 §2.3 Sample IPv6 Response.
    static let ipv6Response = STUNTestSupport.hex("""
        01 01 00 48   # Binding success response, length 72
        21 12 a4 42   # magic cookie
        b7 e7 a7 01   # transaction ID
        bc 34 d6 86   #
        fa 87 df ae   #
        80 22 00 0b   # SOFTWARE, length 11
        74 65 73 74   # "test"
        20 76 65 63   # " vec"
        74 6f 72 20   # "tor" + padding
        00 20 00 14   # XOR-MAPPED-ADDRESS, length 20
        00 02 a1 47   # IPv6, port 32853 ^ 0x2112
        01 13 a9 fa   # 2001:db8:1234:5678:11:2233:4455:6677
        a5 d3 f1 79   #   ^ (magic cookie || transaction ID)
        bc 25 f4 b5   #
        be d2 b9 d9   #
        00 08 00 14   # MESSAGE-INTEGRITY, length 20
        a3 82 95 4e   # HMAC-SHA1
        4b e6 7b f1   #
        17 84 c9 7c   #
        82 92 c2 75   #
        bf e3 ed 41   #
        80 28 00 04   # FINGERPRINT, length 4
        c8 fb 0b 4c   # CRC-32 ^ 0x5354554e
        """)

    /// RFC 5769 §2.4 Sample Request with Long-Term Authentication.
    static let longTermRequest = STUNTestSupport.hex("""
        00 01 00 60   # Binding request, length 96
        21 12 a4 42   # magic cookie
        78 ad 34 33   # transaction ID
        c6 ad 72 c0   #
        29 da 41 2e   #
        00 06 00 12   # USERNAME, length 18
        e3 83 9e e3   # "マトリックス" in UTF-8
        83 88 e3 83   #
        aa e3 83 83   #
        e3 82 af e3   #
        82 b9 00 00   # + 2 bytes of padding
        00 15 00 1c   # NONCE, length 28
        66 2f 2f 34   # "f//499k954d6OL34oL9FSTvy64sA"
        39 39 6b 39   #
        35 34 64 36   #
        4f 4c 33 34   #
        6f 4c 39 46   #
        53 54 76 79   #
        36 34 73 41   #
        00 14 00 0b   # REALM, length 11
        65 78 61 6d   # "example.org"
        70 6c 65 2e   #
        6f 72 67 00   # + 1 byte of padding
        00 08 00 14   # MESSAGE-INTEGRITY, length 20
        f6 70 24 65   # HMAC-SHA1
        6d d6 4a 3e   #
        02 b8 e0 71   #
        2e 85 c9 a2   #
        8c a8 96 66   #
        """)

    static let allVectors = [request, ipv4Response, ipv6Response, longTermRequest]

    // MARK: Parsing

    @Test func sampleRequestParses() throws {
        try STUNTestSupport.withMessage(Self.request) { m in
            #expect(m.type == .bindingRequest)
            #expect(m.length == 88)
            #expect(m.transactionID == Self.tid)
            #expect(try m.software()?.stunTestString == "STUN test client")
            #expect(try m.priority() == 0x6e00_01ff)
            #expect(try m.iceControlled() == 0x932f_f9b1_5126_3b36)
            #expect(try m.iceControlling() == nil)
            #expect(try m.username()?.stunTestString == "evtj:h6vY")
            #expect(!m.hasUseCandidate)
            try m.verifyMessageIntegrity(key: Self.password)
            try m.verifyFingerprint()
            #expect(m.fingerprint == 0xe57a_3bcf)
            #expect(m.attributes.map(\.type) == [.software, .priority, .iceControlled, .username,
                                                 .messageIntegrity, .fingerprint])
        }
    }

    @Test func sampleIPv4ResponseParses() throws {
        try STUNTestSupport.withMessage(Self.ipv4Response) { m in
            #expect(m.type == .bindingSuccess)
            #expect(m.transactionID == Self.tid)
            #expect(try m.software()?.stunTestString == "test vector")
            #expect(try m.xorMappedAddress() == TransportAddress("192.0.2.1:32853"))
            #expect(try m.mappedAddress() == nil)
            try m.verifyMessageIntegrity(key: Self.password)
            try m.verifyFingerprint()
        }
    }

    @Test func sampleIPv6ResponseParses() throws {
        try STUNTestSupport.withMessage(Self.ipv6Response) { m in
            #expect(m.type == .bindingSuccess)
            let a = try m.xorMappedAddress()
            #expect(a == TransportAddress("[2001:db8:1234:5678:11:2233:4455:6677]:32853"))
            #expect(a?.description == "[2001:db8:1234:5678:11:2233:4455:6677]:32853")
            try m.verifyMessageIntegrity(key: Self.password)
            try m.verifyFingerprint()
        }
    }

    /// MD5(username ":" realm ":" password), the long-term key of RFC 8489 §9.2.2.
    static func longTermKey(_ username: String, _ realm: String, _ password: String) -> [UInt8] {
        let input = Array("\(username):\(realm):\(password)".utf8)
        var out = [UInt8](repeating: 0, count: 16)
        var n: UInt32 = 0
        let ok = EVP_Digest(input, input.count, &out, &n, EVP_md5(), nil)
        precondition(ok == 1 && n == 16)
        return out
    }

    @Test func longTermRequestParsesAndVerifies() throws {
        // RFC 5769 §2.4: the password "TheMatrIX" after SASLprep.
        let key = Self.longTermKey("マトリックス", "example.org", "TheMatrIX")
        try STUNTestSupport.withMessage(Self.longTermRequest) { m in
            #expect(m.type == .bindingRequest)
            #expect(m.transactionID.description == "78ad3433c6ad72c029da412e")
            #expect(try m.username()?.stunTestString == "マトリックス")
            #expect(try m.nonce()?.stunTestString == "f//499k954d6OL34oL9FSTvy64sA")
            #expect(try m.realm()?.stunTestString == "example.org")
            #expect(!m.hasFingerprint)
            #expect(throws: ParseError.self) { try m.verifyFingerprint() }
            try m.verifyMessageIntegrity(key: key)
            #expect(throws: ParseError.self) {
                try m.verifyMessageIntegrity(key: Self.longTermKey("マトリックス", "example.org", "thematrix"))
            }
        }
    }

    // MARK: Writing

    @Test func sampleRequestWritesByteForByte() throws {
        let out = try STUNMessageWriter.message(type: .bindingRequest, transactionID: Self.tid,
                                                paddingByte: 0x20) { w throws(WriteError) in
            try w.appendSoftware("STUN test client")
            try w.appendPriority(0x6e00_01ff)
            try w.appendICEControlled(0x932f_f9b1_5126_3b36)
            try w.appendUsername("evtj:h6vY")
            try w.appendMessageIntegrity(key: Self.password)
            try w.appendFingerprint()
        }
        #expect(out == Self.request)
    }

    @Test func sampleIPv4ResponseWritesByteForByte() throws {
        let out = try STUNMessageWriter.message(type: .bindingSuccess, transactionID: Self.tid,
                                                paddingByte: 0x20) { w throws(WriteError) in
            try w.appendSoftware("test vector")
            try w.appendXORMappedAddress(TransportAddress("192.0.2.1:32853")!)
            try w.appendMessageIntegrity(key: Self.password)
            try w.appendFingerprint()
        }
        #expect(out == Self.ipv4Response)
    }

    @Test func sampleIPv6ResponseWritesByteForByte() throws {
        let out = try STUNMessageWriter.message(type: .bindingSuccess, transactionID: Self.tid,
                                                paddingByte: 0x20) { w throws(WriteError) in
            try w.appendSoftware("test vector")
            try w.appendXORMappedAddress(TransportAddress("[2001:db8:1234:5678:11:2233:4455:6677]:32853")!)
            try w.appendMessageIntegrity(key: Self.password)
            try w.appendFingerprint()
        }
        #expect(out == Self.ipv6Response)
    }

    @Test func longTermRequestWritesByteForByte() throws {
        let key = Self.longTermKey("マトリックス", "example.org", "TheMatrIX")
        let tid = STUNTransactionID(STUNTestSupport.hex("78 ad 34 33 c6 ad 72 c0 29 da 41 2e"))!
        let out = try STUNMessageWriter.message(type: .bindingRequest, transactionID: tid) { w throws(WriteError) in
            try w.appendUsername("マトリックス")
            try w.append(.nonce, utf8: "f//499k954d6OL34oL9FSTvy64sA")
            try w.append(.realm, utf8: "example.org")
            try w.appendMessageIntegrity(key: key)
        }
        #expect(out == Self.longTermRequest)
    }

    @Test func fuzzEntryAcceptsEveryVector() {
        for v in Self.allVectors {
            #expect(v.withUnsafeBytes { STUNFuzz.fuzz($0) })
        }
    }
}
