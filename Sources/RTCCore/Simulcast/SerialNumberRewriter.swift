/// The engine shared by ``SequenceRewriter`` (16-bit RTP sequence numbers) and
/// ``VP8PictureIDRewriter`` (15-bit picture IDs, 8-bit TL0PICIDX): maps a wrapping input
/// serial-number space of `bits` bits onto a continuous output space of the same width.
///
/// Inputs are placed on an extended line whose origin (position 0) is the sync point, the
/// first value of the current source:
///
/// ```
///  input  (source A)  ... 7  8  9 | sync(to: 500) | 500  501  502x  503  504 ...
///  position                        |               |  0    1    2    3    4
///  output              10 11 12   |               | 13   14   --   15   16
///                                                          (502 dropped: no gap)
/// ```
///
/// `output(p) = outputBase + p − (dropped positions below p)`, modulo 2^bits. Drops are kept
/// in a ``SerialDropWindow`` over the last 1024 positions, so a reordered packet within that
/// window still gets the number it would have had in order. Everything is inline: no heap.
struct SerialNumberRewriter: Sendable {
    /// Width of the serial space (1...16).
    let bits: Int
    /// 2^bits − 1.
    let mask: UInt16

    /// False until the first ``sync(to:)``, ``input(_:)`` or ``drop(_:)``.
    private(set) var started = false
    /// The output value of position 0.
    private var outputBase: UInt16
    /// The raw input value at the highest position.
    private(set) var highestInput: UInt16 = 0
    /// The highest position seen (−1 right after a sync).
    private var highestPosition: Int64 = -1
    /// Dropped positions in 0...highestPosition.
    private var droppedTotal: Int64 = 0
    private var window = SerialDropWindow()

    /// Number of positions a late packet may trail the highest one and still be numbered.
    static let reorderWindow = SerialDropWindow.size

    init(bits: Int, initialOutput: UInt16) {
        // Callers pass 8, 15 or 16; clamping keeps the shifts below in range for any value.
        let b = min(max(bits, 1), 16)
        self.bits = b
        self.mask = UInt16(truncatingIfNeeded: (1 << b) &- 1)
        self.outputBase = initialOutput & mask
    }

    /// The value the next new (in-order, not dropped) input will be given.
    var nextOutput: UInt16 {
        started ? value(at: highestPosition &+ 1, droppedBelow: droppedTotal) : outputBase
    }

    /// The signed serial distance from `b` to `a` in this width: −2^(bits−1) ..< 2^(bits−1).
    @inline(__always)
    func distance(_ a: UInt16, from b: UInt16) -> Int64 {
        let x = Int64((a &- b) & mask)
        let half = Int64(1) << Int64(bits &- 1)
        return x >= half ? x &- (half << 1) : x
    }

    @inline(__always)
    private func value(at position: Int64, droppedBelow dropped: Int64) -> UInt16 {
        (outputBase &+ UInt16(truncatingIfNeeded: position &- dropped)) & mask
    }

    /// Starts a new source whose first value is `first`: it is given ``nextOutput`` and
    /// values before it are refused.
    mutating func sync(to first: UInt16) {
        outputBase = nextOutput
        highestInput = (first &- 1) & mask
        highestPosition = -1
        droppedTotal = 0
        window.clearAll()
        started = true
    }

    /// Moves the highest position forward to `p` (> highestPosition).
    private mutating func advance(to p: Int64, input v: UInt16) {
        window.clear(from: highestPosition &+ 1, through: p)
        highestPosition = p
        highestInput = v
    }

    /// The output for `v`, or nil when it is before the sync point, older than the reorder
    /// window, or was dropped.
    mutating func input(_ v: UInt16) -> UInt16? {
        let v = v & mask
        if !started { sync(to: v) }
        let d = distance(v, from: highestInput)
        let p = highestPosition &+ d
        if d > 0 {
            advance(to: p, input: v)
            return value(at: p, droppedBelow: droppedTotal)
        }
        guard p >= 0, highestPosition &- p < Self.reorderWindow, !window.test(p) else { return nil }
        // p is not dropped, so the drops at or above it are all above it.
        let above = window.count(from: p, through: highestPosition)
        return value(at: p, droppedBelow: droppedTotal &- above)
    }

    /// Marks `v` as intentionally not forwarded. Returns true when no output value is spent on
    /// it (a new value, one already dropped, or one before the sync point / out of the
    /// window); false when `v` is at or below the highest input and was not dropped: its
    /// output value is already placed (used by an earlier copy, or left as a gap).
    @discardableResult
    mutating func drop(_ v: UInt16) -> Bool {
        let v = v & mask
        if !started { sync(to: v) }
        let d = distance(v, from: highestInput)
        let p = highestPosition &+ d
        if d > 0 {
            advance(to: p, input: v)
            window.set(p)
            droppedTotal &+= 1
            return true
        }
        if p < 0 || highestPosition &- p >= Self.reorderWindow { return true }
        return window.test(p)
    }
}
