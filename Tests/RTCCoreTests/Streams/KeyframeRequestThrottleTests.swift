import Testing
@testable import RTCCore

@Suite struct KeyframeRequestThrottleTests {
    typealias S = StreamsTestSupport

    func throttle(_ method: KeyframeRequestMethod = .pli, retry: Duration? = .seconds(1),
                  initialFIR: UInt8 = 0) -> KeyframeRequestThrottle {
        KeyframeRequestThrottle(senderSSRC: SSRC(1), mediaSSRC: SSRC(0xABCD), method: method,
                                retryInterval: retry, initialFIRSequenceNumber: initialFIR)
    }

    /// Drives the throttle at the given times; returns the times (ms) at which requests came out.
    func run(_ k: inout KeyframeRequestThrottle, until end: Int64,
             requests: [Int64], keyframes: [Int64] = []) -> [Int64] {
        var events: [(Int64, Int)] = requests.map { ($0, 0) } + keyframes.map { ($0, 1) }
        events.sort { $0.0 < $1.0 }
        var sent: [Int64] = []
        var i = 0
        while true {
            let nextEvent = i < events.count ? events[i].0 : nil
            let timer = k.nextTimeout().map { $0.0.nanoseconds / 1_000_000 }
            guard let t = [nextEvent, timer].compactMap({ $0 }).min(), t <= end else { break }
            if let e = nextEvent, e == t {
                if events[i].1 == 0 { k.request(now: S.ms(t)) } else { k.keyframeReceived(now: S.ms(t)) }
                i += 1
            } else {
                k.handleTimeout(now: S.ms(t))
            }
            if k.pollOutput() != nil { sent.append(t) }
        }
        return sent
    }

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var retry: Duration?
        var requests: [Int64]
        var keyframes: [Int64]
        var sent: [Int64]
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "pending request goes out when the window opens", retry: nil,
             requests: [0, 120, 300], keyframes: [], sent: [0, 500]),
        Case(name: "a keyframe answers the pending request", retry: nil,
             requests: [0, 100], keyframes: [200], sent: [0]),
        Case(name: "requests after the window go out at once", retry: nil,
             requests: [0, 700, 1300], keyframes: [], sent: [0, 700, 1300]),
        Case(name: "an unanswered request is repeated", retry: .seconds(1),
             requests: [0], keyframes: [], sent: [0, 1000, 2000, 3000]),
        Case(name: "the repeat stops once the keyframe arrives", retry: .seconds(1),
             requests: [0], keyframes: [1500], sent: [0, 1000]),
        Case(name: "a repeat interval shorter than the window waits for the window",
             retry: .milliseconds(100), requests: [0], keyframes: [450], sent: [0]),
        Case(name: "a request while waiting for a keyframe is throttled", retry: .seconds(1),
             requests: [0, 100], keyframes: [600], sent: [0, 500]),
    ]

    @Test(arguments: cases)
    func timeline(_ c: Case) {
        var k = throttle(retry: c.retry)
        #expect(run(&k, until: 3000, requests: c.requests, keyframes: c.keyframes) == c.sent)
        #expect(k.requestsSent == c.sent.count)
    }

    @Test func nextTimeoutReasons() {
        var k = throttle()
        #expect(k.nextTimeout() == nil)
        k.request(now: S.ms(0))
        #expect(k.pollOutput() == .pli(PictureLossIndication(senderSSRC: SSRC(1), mediaSSRC: SSRC(0xABCD))))
        let polledAgain = k.pollOutput()
        #expect(polledAgain == nil)
        #expect(k.nextTimeout()! == (S.ms(1000), .keyframeRequestRetry))
        k.request(now: S.ms(100))
        #expect(k.isPending)
        #expect(k.nextTimeout()! == (S.ms(500), .keyframeRequest))
        k.keyframeReceived(now: S.ms(200))
        #expect(!k.isPending && k.nextTimeout() == nil)
    }

    @Test func firSequenceNumbers() throws {
        var k = throttle(.fir, retry: .seconds(1), initialFIR: 254)
        var seqs: [UInt8] = []
        func take() {
            if case .fir(let f)? = k.pollOutput() {
                #expect(f.senderSSRC == SSRC(1) && f.mediaSSRC == SSRC(0) && f.entries.count == 1)
                #expect(f.entries[0].ssrc == SSRC(0xABCD))
                seqs.append(f.entries[0].sequenceNumber)
            }
        }
        k.request(now: S.ms(0)); take()          // new: 254
        k.handleTimeout(now: S.ms(1000)); take() // repeat: 254 (RFC 5104 §4.3.1.2)
        k.keyframeReceived(now: S.ms(1100))
        k.request(now: S.ms(2000)); take()       // new: 255
        k.keyframeReceived(now: S.ms(2100))
        k.request(now: S.ms(2600)); take()       // new: 0 (wraps)
        #expect(seqs == [254, 254, 255, 0])
        #expect(k.nextFIRSequenceNumber == 1)
        // The FIR on the wire.
        k.keyframeReceived(now: S.ms(2700))
        k.request(now: S.ms(3200))
        guard case .fir(let f)? = k.pollOutput() else { Issue.record("no FIR"); return }
        var bytes = [UInt8](repeating: 0, count: f.marshalSize)
        try bytes.withUnsafeMutableBytes { raw in
            var w = ByteWriter(raw, format: .rtcp)
            try f.write(to: &w)
        }
        #expect(bytes == S.hex("""
            84 ce 00 04   # V=2 FMT=4 PT=206 length 4
            00 00 00 01   # sender SSRC
            00 00 00 00   # media SSRC (unused, 0)
            00 00 ab cd   # FCI: SSRC of the publisher
            01 00 00 00   # command sequence number 1, reserved
            """))
    }

    @Test func zeroIntervalSendsEveryRequest() {
        var k = KeyframeRequestThrottle(senderSSRC: SSRC(1), mediaSSRC: SSRC(2), minInterval: .zero, retryInterval: nil)
        var n = 0
        for t in 0..<5 {
            k.request(now: S.ms(Int64(t)))
            if k.pollOutput() != nil { n += 1 }
        }
        #expect(n == 5 && k.nextTimeout() == nil)
    }

    /// Seeded random requests and keyframes: never two requests within the window.
    @Test(arguments: 0..<6)
    func neverFasterThanTheWindow(seed: UInt64) {
        var rng = SeededRandom(seed: 0x4B46 &+ seed)
        var k = throttle(retry: rng.next() % 2 == 0 ? nil : .milliseconds(Int64(rng.next() % 2000)))
        var requests: [Int64] = []
        var keyframes: [Int64] = []
        var t: Int64 = 0
        for _ in 0..<400 {
            t += Int64(rng.next() % 300)
            if rng.next() % 4 == 0 { keyframes.append(t) } else { requests.append(t) }
        }
        let sent = run(&k, until: t + 5000, requests: requests, keyframes: keyframes)
        for (a, b) in zip(sent, sent.dropFirst()) { #expect(b - a >= 500) }
        #expect(sent.count > 20)
        // Every request is followed by a sent request or a keyframe no later than the window.
        for r in requests {
            let answered = sent.contains { $0 >= r && $0 <= r + 500 } || keyframes.contains { $0 >= r && $0 <= r + 500 }
                || sent.contains { $0 <= r && r - $0 < 500 }
            #expect(answered, "request at \(r)")
        }
    }
}
