/// Who speaks: a pure function of each participant's mean audio level over the last window
/// (RFC 6464 levels, -dBov, turned into loudness `127 - level`), table-tested.
///
/// A participant counts as speaking when its mean loudness is above ``speechThreshold``
/// (levels above -60 dBov); the loudest speaker wins. Silence keeps the current speaker
/// (nobody is announced as "no one").
public enum ActiveSpeakerPolicy {
    /// Mean loudness (127 - level) above which a window counts as speech: -60 dBov.
    public static let speechThreshold = 67.0

    /// - Parameters:
    ///   - loudness: per candidate, its mean loudness in the window (nil: no audio arrived).
    ///   - current: the speaker announced last.
    /// - Returns: the speaker to announce, or nil when it does not change.
    public static func select<ID: Equatable>(_ loudness: [(id: ID, mean: Double?)], current: ID?) -> ID? {
        var best: (id: ID, mean: Double)?
        for c in loudness {
            guard let m = c.mean, m > speechThreshold else { continue }
            if best.map({ m > $0.mean }) ?? true { best = (c.id, m) }
        }
        guard let b = best, b.id != current else { return nil }
        return b.id
    }
}

/// A publisher's network quality as the `quality` indicator shows it (5 best, 1 worst): a
/// pure function of the fraction of packets lost in the last report window (RFC 3550
/// §6.4.1), table-tested.
public enum QualityScore {
    public static func score(lossPercent: Double) -> Int {
        switch lossPercent {
        case ..<2: return 5
        case ..<5: return 4
        case ..<10: return 3
        case ..<20: return 2
        default: return 1
        }
    }
}
