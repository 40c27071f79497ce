/// A fixed bitmap over the most recent ``size`` positions of an extended (never wrapping)
/// serial-number space: bit `p mod size` says whether position `p` was dropped.
///
/// ```
///  position:  ... h-1023  h-1022  ...  h-1   h        (h = highest position seen)
///  bit:           [  1024 bits, 16 UInt64 words, indexed by position mod 1024  ]
/// ```
///
/// Stored inline (a tuple of 16 words), so a rewriter that holds one never touches the heap.
/// Positions outside the last ``size`` are the caller's business: it must clear the bits of
/// positions it moves past (``clear(from:through:)``) before reusing them.
struct SerialDropWindow: Sendable {
    /// Number of positions covered.
    static let size: Int64 = 1024
    static let wordCount = 16

    private var words: (
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
    ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    init() {}

    /// The bit index of a position (any Int64, negative ones included).
    @inline(__always)
    private static func index(_ p: Int64) -> Int { Int(p & (size &- 1)) }

    /// A mask of `n` bits (1...64) starting at `bit` (0...63, bit + n ≤ 64).
    @inline(__always)
    private static func mask(bit: Int, count n: Int) -> UInt64 {
        let ones: UInt64 = n >= 64 ? ~0 : (1 << UInt64(n)) &- 1
        return ones << UInt64(bit)
    }

    mutating func clearAll() {
        words = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    }

    func test(_ p: Int64) -> Bool {
        let i = Self.index(p)
        return withUnsafeBytes(of: words) { raw in
            // i < 1024, so i >> 6 < 16 = the number of words in the tuple.
            raw.load(fromByteOffset: (i >> 6) &* 8, as: UInt64.self) & (1 << UInt64(i & 63)) != 0
        }
    }

    mutating func set(_ p: Int64) {
        let i = Self.index(p)
        withUnsafeMutableBytes(of: &words) { raw in
            let o = (i >> 6) &* 8
            raw.storeBytes(of: raw.load(fromByteOffset: o, as: UInt64.self) | (1 << UInt64(i & 63)),
                           toByteOffset: o, as: UInt64.self)
        }
    }

    /// Calls `body(wordByteOffset, mask)` for each word piece of the positions `a...b`.
    /// Ranges longer than ``size`` are cut to the last ``size`` positions.
    @inline(__always)
    private static func forEachPiece(from a: Int64, through b: Int64, _ body: (Int, UInt64) -> Void) {
        guard b >= a else { return }
        var remaining = Int(min(b &- a &+ 1, size))
        var i = index(b &- Int64(remaining) &+ 1)
        while remaining > 0 {
            let bit = i & 63
            let n = min(64 &- bit, remaining)
            body((i >> 6) &* 8, mask(bit: bit, count: n))
            remaining &-= n
            i = (i &+ n) & Int(size &- 1)
        }
    }

    /// Clears the positions `a...b`.
    mutating func clear(from a: Int64, through b: Int64) {
        withUnsafeMutableBytes(of: &words) { raw in
            Self.forEachPiece(from: a, through: b) { o, m in
                raw.storeBytes(of: raw.load(fromByteOffset: o, as: UInt64.self) & ~m,
                               toByteOffset: o, as: UInt64.self)
            }
        }
    }

    /// Number of set positions in `a...b` (at most the last ``size`` of them).
    func count(from a: Int64, through b: Int64) -> Int64 {
        withUnsafeBytes(of: words) { raw in
            var n = 0
            Self.forEachPiece(from: a, through: b) { o, m in
                n &+= (raw.load(fromByteOffset: o, as: UInt64.self) & m).nonzeroBitCount
            }
            return Int64(n)
        }
    }
}
