/// Rate-limits the keyframe requests (PLI, RFC 4585 §6.3.1, or FIR, RFC 5104 §4.3.1) an SFU
/// sends to one publisher stream: however many subscribers ask, at most one request goes out
/// per `minInterval` (500 ms by default). A request made inside the window is remembered and
/// sent when the window opens, unless a keyframe arrives first; an unanswered request can be
/// repeated after `retryInterval`.
///
/// ```
///  subscribers ask:   A        B   C                       (no keyframe)
///  time (ms):         0       120 300     500             1000 (retry)
///  sent:              PLI                 PLI (B, C)      PLI
///                     |<-- minInterval -->|
/// ```
///
/// FIR carries a command sequence number (RFC 5104 §4.3.1.2): it increases by one for each
/// new request and stays the same when a request is repeated for want of an answer.
/// Sans-IO: ``request(now:)``, ``keyframeReceived(now:)``, ``handleTimeout(now:)`` in,
/// ``pollOutput()`` and ``nextTimeout()`` out. No heap except the FIR entry array.
public struct KeyframeRequestThrottle: Sendable {
    /// SSRC written as the request's packet sender.
    public let senderSSRC: SSRC
    /// The publisher's media SSRC.
    public let mediaSSRC: SSRC
    public let method: KeyframeRequestMethod
    /// Least time between two requests sent.
    public var minInterval: Duration
    /// Repeat an unanswered request after this long (nil: never).
    public var retryInterval: Duration?

    /// The FIR sequence number the next new request will carry.
    public private(set) var nextFIRSequenceNumber: UInt8
    /// Requests sent (repeats included).
    public private(set) var requestsSent = 0

    private var lastSentAt: Instant?
    private var lastFIRSequenceNumber: UInt8 = 0
    /// A request was made and not sent yet.
    private var pending = false
    /// A request was sent and no keyframe has arrived since.
    private var awaitingKeyframe = false
    private var ready: KeyframeRequest?

    public init(
        senderSSRC: SSRC, mediaSSRC: SSRC, method: KeyframeRequestMethod = .pli,
        minInterval: Duration = .milliseconds(500), retryInterval: Duration? = .seconds(1),
        initialFIRSequenceNumber: UInt8 = 0
    ) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.method = method
        self.minInterval = minInterval
        self.retryInterval = retryInterval
        self.nextFIRSequenceNumber = initialFIRSequenceNumber
    }

    /// Whether a request is waiting for the window to open.
    public var isPending: Bool { pending }

    /// Someone (a subscriber, a layer switch, the NACK generator) needs a keyframe.
    public mutating func request(now: Instant) {
        if windowOpen(now) {
            send(now: now, repeat: false)
        } else {
            pending = true
        }
    }

    /// A keyframe arrived from the publisher: every request made so far is answered.
    public mutating func keyframeReceived(now: Instant) {
        pending = false
        awaitingKeyframe = false
    }

    /// The timer from ``nextTimeout()`` fired (early or late calls are harmless).
    public mutating func handleTimeout(now: Instant) {
        guard windowOpen(now) else { return }
        if pending {
            send(now: now, repeat: false)
        } else if awaitingKeyframe, let retry = retryInterval, let last = lastSentAt, now - last >= retry {
            send(now: now, repeat: true)
        }
    }

    /// The request to send, if one is ready. O(1).
    public mutating func pollOutput() -> KeyframeRequest? {
        defer { ready = nil }
        return ready
    }

    /// When the next request may (pending) or should (retry) be sent. O(1).
    public func nextTimeout() -> (Instant, StreamTimeoutReason)? {
        guard let last = lastSentAt else { return nil }
        if pending { return (last + minInterval, .keyframeRequest) }
        if awaitingKeyframe, let retry = retryInterval {
            return (last + max(retry, minInterval), .keyframeRequestRetry)
        }
        return nil
    }

    private func windowOpen(_ now: Instant) -> Bool {
        guard let last = lastSentAt else { return true }
        return now - last >= minInterval
    }

    private mutating func send(now: Instant, repeat isRepeat: Bool) {
        switch method {
        case .pli:
            ready = .pli(PictureLossIndication(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC))
        case .fir:
            let seq: UInt8
            if isRepeat {
                seq = lastFIRSequenceNumber
            } else {
                seq = nextFIRSequenceNumber
                lastFIRSequenceNumber = seq
                nextFIRSequenceNumber = seq &+ 1
            }
            ready = .fir(FullIntraRequest(
                senderSSRC: senderSSRC, entries: [FullIntraRequestEntry(ssrc: mediaSSRC, sequenceNumber: seq)]))
        }
        requestsSent &+= 1
        lastSentAt = now
        pending = false
        awaitingKeyframe = true
    }
}
