import Testing
@testable import RTCCore

/// The sans-IO verbs both agents share, so one harness drives either.
protocol ICETestEndpoint {
    mutating func handle(_ input: ICEInput, now: Instant)
    mutating func pollOutput() -> ICEOutput?
    func nextTimeout() -> (Instant, ICETimeoutReason)?
}

extension ICEAgent: ICETestEndpoint {}
extension ICELiteAgent: ICETestEndpoint {}

/// A seeded, sans-IO datagram network: fixed latency, random loss, 1:1 NAT mappings and
/// switchable blackholes.
struct ICETestNetwork {
    var latency: Duration = .milliseconds(10)
    /// Probability (0...1) that a datagram is lost.
    var lossRate: Double = 0
    var rng: SeededRandom
    /// 1:1 NAT: private address -> public address. Sources are rewritten on the way out and
    /// destinations on the way in.
    var nat: [TransportAddress: TransportAddress] = [:]
    /// When set, every datagram is dropped (a dead link).
    var blackhole = false
    private(set) var inFlight: [(at: Instant, seq: Int, datagram: ICETransmit)] = []
    private var seq = 0
    private(set) var delivered = 0
    private(set) var lost = 0

    init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    mutating func send(_ t: ICETransmit, now: Instant) {
        var d = t
        if let pub = nat[d.from] { d.from = pub }
        if blackhole || (lossRate > 0 && Double(rng.next() % 1_000_000) / 1_000_000 < lossRate) {
            lost += 1
            return
        }
        if let priv = nat.first(where: { $0.value == d.to })?.key { d.to = priv }
        seq += 1
        inFlight.append((now + latency, seq, d))
    }

    var nextDelivery: Instant? { inFlight.map(\.at).min() }

    mutating func popDue(now: Instant) -> [ICETransmit] {
        let due = inFlight.filter { $0.at <= now }.sorted { ($0.at, $0.seq) < ($1.at, $1.seq) }
        inFlight.removeAll { $0.at <= now }
        delivered += due.count
        return due.map(\.datagram)
    }
}

/// Two agents on a virtual network, advanced in virtual time to the earliest of their
/// timeouts and the next delivery.
struct ICETestHarness<A: ICETestEndpoint, B: ICETestEndpoint> {
    var a: A
    var b: B
    var aAddresses: Set<TransportAddress>
    var bAddresses: Set<TransportAddress>
    var network: ICETestNetwork
    var now: Instant
    var eventsA: [(Instant, ICEEvent)] = []
    var eventsB: [(Instant, ICEEvent)] = []
    var misrouted = 0

    init(a: A, aAddresses: [TransportAddress], b: B, bAddresses: [TransportAddress],
         network: ICETestNetwork, now: Instant = .zero) {
        self.a = a
        self.b = b
        self.aAddresses = Set(aAddresses)
        self.bAddresses = Set(bAddresses)
        self.network = network
        self.now = now
    }

    private mutating func drain() {
        while let o = a.pollOutput() {
            switch o {
            case .transmit(let t): network.send(t, now: now)
            case .event(let e): eventsA.append((now, e))
            }
        }
        while let o = b.pollOutput() {
            switch o {
            case .transmit(let t): network.send(t, now: now)
            case .event(let e): eventsB.append((now, e))
            }
        }
    }

    mutating func run(for duration: Duration) { run(until: now + duration) }

    mutating func run(until end: Instant) {
        var spinsAtSameTime = 0
        while true {
            drain()
            let candidates = [a.nextTimeout()?.0, b.nextTimeout()?.0, network.nextDelivery].compactMap { $0 }
            guard let next = candidates.min(), next <= end else {
                if now < end { now = end }
                return
            }
            if next <= now {
                spinsAtSameTime += 1
                if spinsAtSameTime > 1000 {
                    Issue.record("timer loop without progress at \(now): \(String(describing: a.nextTimeout())) \(String(describing: b.nextTimeout()))")
                    return
                }
            } else {
                spinsAtSameTime = 0
                now = next
            }
            for d in network.popDue(now: now) {
                if aAddresses.contains(d.to) {
                    d.bytes.withUnsafeBytes { a.handle(.datagram($0, from: d.from, local: d.to), now: now) }
                } else if bAddresses.contains(d.to) {
                    d.bytes.withUnsafeBytes { b.handle(.datagram($0, from: d.from, local: d.to), now: now) }
                } else {
                    misrouted += 1
                }
            }
            if let (t, _) = a.nextTimeout(), t <= now { a.handle(.timeout, now: now) }
            if let (t, _) = b.nextTimeout(), t <= now { b.handle(.timeout, now: now) }
        }
    }

    /// Injects a datagram to A as if it came from `from`.
    mutating func inject(toA bytes: [UInt8], from: TransportAddress, local: TransportAddress) {
        bytes.withUnsafeBytes { a.handle(.datagram($0, from: from, local: local), now: now) }
        drain()
    }

    /// Injects a datagram to B as if it came from `from`.
    mutating func inject(toB bytes: [UInt8], from: TransportAddress, local: TransportAddress) {
        bytes.withUnsafeBytes { b.handle(.datagram($0, from: from, local: local), now: now) }
        drain()
    }

    static func states(_ events: [(Instant, ICEEvent)]) -> [ICEConnectionState] {
        events.compactMap { if case .stateChanged(let s) = $0.1 { return s } else { return nil } }
    }

    static func selections(_ events: [(Instant, ICEEvent)]) -> [ICESelectedPair] {
        events.compactMap { if case .selectedPairChanged(let p) = $0.1 { return p } else { return nil } }
    }

    static func time(of state: ICEConnectionState, in events: [(Instant, ICEEvent)]) -> Instant? {
        events.first { $0.1 == .stateChanged(state) }?.0
    }
}
