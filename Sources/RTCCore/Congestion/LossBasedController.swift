/// The loss-based half of Google congestion control (draft-ietf-rmcat-gcc-02 §6): a limit on
/// the send rate derived from the fraction of packets the feedback reports lost.
///
/// Losses and receptions are accumulated until at least `minPackets` (20) packets over at
/// least `minInterval` (200 ms) have been reported; then the fraction `p` is evaluated:
/// - `p > 10 %`: the limit becomes `min(limit, current target) × (1 − 0.5 p)`, at most once
///   per 300 ms + RTT (so one burst is not counted many times).
/// - `p < 2 %`: the limit may grow by 8 % per second (+1 kbps); once it passes the delay-based
///   estimate it is lifted entirely.
/// - otherwise it holds.
///
/// Random loss of a few percent therefore never lowers the rate; congestion loss does.
public struct LossBasedController: Sendable {
    public var decreaseLossThreshold = 0.10
    public var increaseLossThreshold = 0.02
    public var minPackets = 20
    public var minInterval: Duration = .milliseconds(200)
    public var rtt: Duration = .milliseconds(200)

    /// The current limit in bps, nil when loss does not limit the rate.
    public private(set) var limit: Double?
    /// The last evaluated loss fraction.
    public private(set) var lossFraction = 0.0
    private var lost = 0
    private var total = 0
    private var windowStart: Instant?
    private var lastDecrease: Instant?
    private var lastEvaluation: Instant?

    public init() {}

    /// Counts the packets of one feedback batch.
    public mutating func add(received: Int, lost: Int, now: Instant) {
        if windowStart == nil { windowStart = now }
        self.total &+= max(0, received) &+ max(0, lost)
        self.lost &+= max(0, lost)
    }

    /// Evaluates the accumulated loss if enough has been seen.
    /// - Parameters:
    ///   - currentTarget: the target now (the base of a decrease).
    ///   - delayBasedBitrate: the delay-based estimate (an increase past it lifts the limit).
    /// - Returns: true when a new loss fraction was evaluated.
    @discardableResult
    public mutating func evaluate(currentTarget: Double, delayBasedBitrate: Double, now: Instant) -> Bool {
        guard let start = windowStart, total >= minPackets, now - start >= minInterval else { return false }
        let p = Double(lost) / Double(total)
        lossFraction = p
        lost = 0
        total = 0
        windowStart = now
        let elapsed = lastEvaluation.map { min(max(Double((now - $0).rtcNanoseconds) / 1e9, 0), 1) } ?? 0
        lastEvaluation = now
        if p > decreaseLossThreshold {
            if lastDecrease.map({ now - $0 >= .milliseconds(300) + rtt }) ?? true {
                let base = min(limit ?? currentTarget, currentTarget)
                limit = base * (1 - 0.5 * p)
                lastDecrease = now
            }
        } else if p < increaseLossThreshold, let l = limit {
            let grown = l * CongestionMath.power(1.08, elapsed) + 1000 * elapsed
            limit = grown >= delayBasedBitrate ? nil : grown
        }
        return true
    }

    /// Lifts the limit (e.g. a probe proved more capacity).
    public mutating func reset() { limit = nil }
}
