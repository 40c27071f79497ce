/// Which of the last 128 frame numbers (16-bit, wrapping; the dependency descriptor's
/// `frame_number`) were forwarded. Inline, no heap; older frames read as not forwarded.
struct FrameNumberWindow: Sendable, Hashable {
    static let span = 128
    private(set) var newest: UInt16 = 0
    private(set) var started = false
    /// Bit i: frame `newest - i` (low word: 0...63, high word: 64...127).
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    init() {}

    mutating func mark(_ frame: UInt16) {
        guard started else {
            started = true
            newest = frame
            low = 1
            high = 0
            return
        }
        let ahead = frame &- newest
        if ahead != 0, ahead < 0x8000 {
            shift(Int(ahead))
            newest = frame
            low |= 1
        } else {
            let back = Int(newest &- frame)
            if back < 64 { low |= 1 << UInt64(back) } else if back < Self.span { high |= 1 << UInt64(back &- 64) }
        }
    }

    func contains(_ frame: UInt16) -> Bool {
        guard started else { return false }
        let back = Int(newest &- frame)
        if back < 64 { return low >> UInt64(back) & 1 != 0 }
        if back < Self.span { return high >> UInt64(back &- 64) & 1 != 0 }
        return false
    }

    private mutating func shift(_ n: Int) {
        if n >= Self.span {
            low = 0
            high = 0
        } else if n >= 64 {
            high = n == 64 ? low : low << UInt64(n &- 64)
            low = 0
        } else {
            high = high << UInt64(n) | low >> UInt64(64 &- n)
            low = low << UInt64(n)
        }
    }
}
