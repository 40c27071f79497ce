@testable import RTCCore

/// Helpers for the ICE tests.
enum ICETestSupport {
    static let liteCredentials = ICECredentials(ufrag: "LiTe", pwd: "litePasswordOf24Chars+/x")
    static let peerCredentials = ICECredentials(ufrag: "PeEr", pwd: "peerPasswordOf24Chars+/x")

    static let serverV4 = TransportAddress("10.0.0.2:40000")!
    static let serverV6 = TransportAddress("[fd00::2]:40000")!
    static let clientV4 = TransportAddress("10.0.0.1:5000")!
    static let clientV6 = TransportAddress("[fd00::1]:5000")!

    /// A Binding request as a full controlling peer sends it to the lite agent.
    static func check(tid: STUNTransactionID, username: String = "LiTe:PeEr",
                      key: [UInt8] = Array(liteCredentials.pwd.utf8), priority: UInt32? = 0x6E00_01FF,
                      controlling: UInt64? = 42, controlled: UInt64? = nil, useCandidate: Bool = false,
                      extra: STUNAttributeType? = nil, extras: [STUNAttributeType] = [],
                      fingerprint: Bool = true) -> [UInt8] {
        // Tests build valid messages; a failure here is a bug in the test.
        try! STUNMessageWriter.message(type: .bindingRequest, transactionID: tid, capacity: 65_535) { w throws(WriteError) in
            try w.appendUsername(username)
            if let p = priority { try w.appendPriority(p) }
            if let t = controlling { try w.appendICEControlling(t) }
            if let t = controlled { try w.appendICEControlled(t) }
            if useCandidate { try w.appendUseCandidate() }
            if let e = extra { try w.append(e, value: [1, 2, 3, 4]) }
            for e in extras { try w.append(e, value: []) }
            try w.appendMessageIntegrity(key: key)
            if fingerprint { try w.appendFingerprint() }
        }
    }

    static func drain(_ agent: inout ICELiteAgent) -> [ICEOutput] {
        var out: [ICEOutput] = []
        while let o = agent.pollOutput() { out.append(o) }
        return out
    }

    static func drain(_ agent: inout ICEAgent) -> [ICEOutput] {
        var out: [ICEOutput] = []
        while let o = agent.pollOutput() { out.append(o) }
        return out
    }

    static func transmits(_ outputs: [ICEOutput]) -> [ICETransmit] {
        outputs.compactMap { if case .transmit(let t) = $0 { return t } else { return nil } }
    }

    static func events(_ outputs: [ICEOutput]) -> [ICEEvent] {
        outputs.compactMap { if case .event(let e) = $0 { return e } else { return nil } }
    }
}

extension Instant {
    static func ms(_ v: Int64) -> Instant { Instant(nanoseconds: v * 1_000_000) }
}

extension ICELiteAgent {
    mutating func receive(_ bytes: [UInt8], from: TransportAddress, local: TransportAddress, now: Instant) {
        bytes.withUnsafeBytes { handle(.datagram($0, from: from, local: local), now: now) }
    }
}

extension ICEAgent {
    mutating func receive(_ bytes: [UInt8], from: TransportAddress, local: TransportAddress, now: Instant) {
        bytes.withUnsafeBytes { handle(.datagram($0, from: from, local: local), now: now) }
    }
}
