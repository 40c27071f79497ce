@testable import RTCCore

/// Shared test certificates: generating one costs a key generation, so tests reuse these.
enum DTLSTestCertificates {
    /// 2025-01-01T00:00:00Z, a fixed "wall clock" for certificate generation.
    static let unixTime: Int64 = 1_735_689_600
    // Generation cannot fail with a working OpenSSL; a crash here would point at the setup.
    // swiftlint:disable force_try
    static let alice = try! DTLSCertificate(generatingAt: unixTime, commonName: "alice")
    static let bob = try! DTLSCertificate(generatingAt: unixTime, commonName: "bob")
    static let mallory = try! DTLSCertificate(generatingAt: unixTime, commonName: "mallory")
    // swiftlint:enable force_try
}

/// Which endpoint of a ``DTLSPair``.
enum DTLSSide: Hashable, Sendable {
    case a, b
    var other: DTLSSide { self == .a ? .b : .a }
}

/// Two DTLS endpoints in one process joined by a virtual, seeded network.
///
/// The harness advances virtual time to the earliest of {A's timeout, B's timeout, the next
/// datagram delivery}; nothing sleeps. A filter decides which datagrams the network loses.
final class DTLSPair {
    struct InFlight {
        var deliverAt: Instant
        var to: DTLSSide
        var bytes: [UInt8]
    }

    let a: DTLSEndpoint
    let b: DTLSEndpoint
    var now = Instant.zero
    var latency: Duration = .milliseconds(10)
    var network: [InFlight] = []
    /// Everything each side sent, in order (index = position in that side's send order).
    var sent: [DTLSSide: [[UInt8]]] = [.a: [], .b: []]
    /// When each of `sent` was emitted.
    var sendTimes: [DTLSSide: [Instant]] = [.a: [], .b: []]
    var events: [DTLSSide: [DTLSEvent]] = [.a: [], .b: []]
    /// Returns true to lose the datagram: (sender, index in sender's order, bytes).
    var lose: (DTLSSide, Int, [UInt8]) -> Bool = { _, _, _ in false }
    /// Rewrites a datagram in flight (after `lose`); may return several datagrams.
    var rewrite: (DTLSSide, Int, [UInt8]) -> [[UInt8]] = { _, _, bytes in [bytes] }

    init(a: DTLSEndpoint, b: DTLSEndpoint) {
        self.a = a
        self.b = b
    }

    /// A pair with A as `roleA`, certificates alice/bob and correct fingerprints.
    convenience init(
        roleA: DTLSRole = .client,
        configA: DTLSConfiguration = DTLSConfiguration(),
        configB: DTLSConfiguration = DTLSConfiguration(),
        fingerprintsForA: [DTLSFingerprint]? = nil,
        fingerprintsForB: [DTLSFingerprint]? = nil
    ) throws {
        let a = try DTLSEndpoint(
            role: roleA, certificate: DTLSTestCertificates.alice,
            remoteFingerprints: fingerprintsForA ?? [DTLSTestCertificates.bob.fingerprint],
            configuration: configA)
        let b = try DTLSEndpoint(
            role: roleA == .client ? .server : .client, certificate: DTLSTestCertificates.bob,
            remoteFingerprints: fingerprintsForB ?? [DTLSTestCertificates.alice.fingerprint],
            configuration: configB)
        self.init(a: a, b: b)
    }

    func endpoint(_ side: DTLSSide) -> DTLSEndpoint { side == .a ? a : b }

    var client: DTLSEndpoint { a.role == .client ? a : b }
    var server: DTLSEndpoint { a.role == .server ? a : b }
    var clientSide: DTLSSide { a.role == .client ? .a : .b }
    var serverSide: DTLSSide { clientSide.other }

    func start() {
        a.start(now: now)
        b.start(now: now)
        drain()
    }

    /// Moves every pending output of both endpoints into the network / event logs.
    func drain() {
        for side in [DTLSSide.a, .b] {
            let e = endpoint(side)
            while let out = e.pollOutput() {
                switch out {
                case .transmit(let bytes):
                    let index = sent[side, default: []].count
                    sent[side, default: []].append(bytes)
                    sendTimes[side, default: []].append(now)
                    if lose(side, index, bytes) { continue }
                    for d in rewrite(side, index, bytes) {
                        network.append(InFlight(deliverAt: now + latency, to: side.other, bytes: d))
                    }
                case .event(let ev):
                    events[side, default: []].append(ev)
                }
            }
        }
    }

    /// Delivers a datagram directly to `side`, bypassing the network.
    func inject(_ bytes: [UInt8], to side: DTLSSide) {
        bytes.withUnsafeBytes { endpoint(side).handle(datagram: $0, now: now) }
        drain()
    }

    /// Runs until nothing is scheduled or `limit` virtual time has passed. Returns the steps.
    @discardableResult
    func run(for limit: Duration = .seconds(120), until done: (() -> Bool)? = nil) -> Int {
        let end = now + limit
        var steps = 0
        drain()
        while steps < 100_000 {
            if let done, done() { break }
            var next: Instant?
            for f in network { next = min(next ?? f.deliverAt, f.deliverAt) }
            if let (t, _) = a.nextTimeout() { next = min(next ?? t, t) }
            if let (t, _) = b.nextTimeout() { next = min(next ?? t, t) }
            guard let t = next, t <= end else { break }
            now = max(now, t)
            steps += 1
            // Deliver everything due, in send order.
            let due = network.filter { $0.deliverAt <= now }
            network.removeAll { $0.deliverAt <= now }
            for f in due {
                f.bytes.withUnsafeBytes { endpoint(f.to).handle(datagram: $0, now: now) }
                drain()
            }
            a.handleTimeout(now: now)
            b.handleTimeout(now: now)
            drain()
        }
        return steps
    }

    func bothConnected() -> Bool {
        if case .connected = a.state, case .connected = b.state { return true }
        return false
    }

    func connectedEvent(_ side: DTLSSide) -> (SRTPProfile, DTLSSRTPKeys)? {
        for e in events[side, default: []] {
            if case .connected(let p, let k) = e { return (p, k) }
        }
        return nil
    }

    func failure(_ side: DTLSSide) -> DTLSError? {
        for e in events[side, default: []] {
            if case .failed(let err) = e { return err }
        }
        return nil
    }
}

/// DTLS record header fields of a datagram's first record (RFC 6347 §4.1):
///
/// ```
/// | type (1) | version (2) | epoch (2) | sequence_number (6) | length (2) | fragment ... |
/// ```
struct DTLSRecordHeader {
    var contentType: UInt8
    var version: UInt16
    var epoch: UInt16
    var sequence: UInt64
    var length: Int

    init?(_ b: [UInt8], at offset: Int = 0) {
        guard b.count >= offset + 13 else { return nil }
        contentType = b[offset]
        version = UInt16(b[offset + 1]) << 8 | UInt16(b[offset + 2])
        epoch = UInt16(b[offset + 3]) << 8 | UInt16(b[offset + 4])
        var s: UInt64 = 0
        for k in 0..<6 { s = s << 8 | UInt64(b[offset + 5 + k]) }
        sequence = s
        length = Int(b[offset + 11]) << 8 | Int(b[offset + 12])
    }

    /// The records of a datagram: (header, offset of the header).
    static func records(_ b: [UInt8]) -> [(DTLSRecordHeader, Int)] {
        var out: [(DTLSRecordHeader, Int)] = []
        var at = 0
        while let h = DTLSRecordHeader(b, at: at), at + 13 + h.length <= b.count {
            out.append((h, at))
            at += 13 + h.length
        }
        return out
    }

    /// Handshake message types in the datagram's plaintext (epoch 0) handshake records.
    static func handshakeTypes(_ b: [UInt8]) -> [UInt8] {
        records(b).compactMap { h, at in
            h.contentType == 22 && h.epoch == 0 && h.length >= 12 ? b[at + 13] : nil
        }
    }
}
