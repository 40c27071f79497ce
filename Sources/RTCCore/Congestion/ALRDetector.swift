/// Application-limited region detection: whether the sender is using well below the
/// estimate because it has nothing more to send (not because the path is full).
///
/// A budget refills at `ratio` (65 %) of the estimate and drains by every byte sent, bounded
/// by ±500 ms of that rate. When more than 80 % of the budget is unused the sender is
/// application-limited; it leaves that region when the unused part falls below 50 %. While
/// application-limited, the acknowledged bitrate says little about capacity: the estimator
/// probes instead of trusting it.
public struct ALRDetector: Sendable {
    public var ratio = 0.65
    public var startThreshold = 0.80
    public var stopThreshold = 0.50
    public var budgetWindow: Duration = .milliseconds(500)
    public private(set) var isApplicationLimited = false
    /// When the sender entered the region, nil outside it.
    public private(set) var startTime: Instant?
    /// When it last left it.
    public private(set) var endTime: Instant?
    private var estimate: Double
    private var budgetBytes = 0.0
    private var lastUpdate: Instant?

    public init(estimate: Double = 300_000) { self.estimate = estimate }

    public mutating func setEstimate(_ bps: Double) {
        if bps.isFinite, bps > 0 { estimate = bps }
    }

    private var maxBudget: Double { estimate * ratio / 8 * Double(budgetWindow.rtcNanoseconds) / 1e9 }

    /// Accounts `size` bytes sent at `now` and updates the state.
    public mutating func onPacketSent(size: Int, now: Instant) {
        advance(to: now)
        budgetBytes = max(budgetBytes - Double(max(0, size)), -maxBudget)
        update(now: now)
    }

    /// Refills the budget up to `now` (call from timers when nothing is sent).
    public mutating func advance(to now: Instant) {
        if let last = lastUpdate, now > last {
            let dt = min(Double((now - last).rtcNanoseconds) / 1e9, 1)
            budgetBytes = min(budgetBytes + estimate * ratio / 8 * dt, maxBudget)
        }
        if lastUpdate.map({ now > $0 }) ?? true { lastUpdate = now }
        update(now: now)
    }

    /// The unused share of the budget, −1…1.
    public var budgetRatio: Double { maxBudget > 0 ? budgetBytes / maxBudget : 0 }

    private mutating func update(now: Instant) {
        let r = budgetRatio
        if !isApplicationLimited, r > startThreshold {
            isApplicationLimited = true
            startTime = now
        } else if isApplicationLimited, r < stopThreshold {
            isApplicationLimited = false
            startTime = nil
            endTime = now
        }
    }
}
