/// A deterministic moving test pattern in I420 with the frame counter drawn into it, so that a
/// decoder at the far end of a pipeline can tell which frame it got (``readCounter(from:)``).
///
/// ```
/// +---------------------------------------------------------------+  row 0
/// | b15 | b14 | b13 | ...                               | b1 | b0  |  counter band: 16 cells,
/// +---------------------------------------------------------------+  white = 1, black = 0
/// |   |   |   |   |   |   |   |   |      +------+                  |
/// |   |   |   |   |   |   |   |   |      | box  |  (moves          |  eight grey bars scrolling
/// |   |   |   |   |   |   |   |   |      +------+   diagonally)    |  left, coloured in chroma
/// +---------------------------------------------------------------+
/// ```
/// Frame `i` depends only on `i` and the size, so the same counter appears on every
/// simulcast layer and a test can recompute the source frame of any decoded picture. Rows are
/// filled with block copies, so a 1280×720 frame costs well under a millisecond.
public struct SyntheticVideoSource: Sendable {
    public let width: Int
    public let height: Int
    /// The index of the frame ``nextFrame()`` returns next.
    public var frameIndex: Int

    /// Bits of the frame counter drawn in the band (the index modulo 2^16).
    public static let counterBits = 16
    /// The smallest picture the pattern fits in (cells of at least 4 pixels).
    public static let minimumWidth = 64
    public static let minimumHeight = 48

    /// A source of `width`×`height` frames (both even, at least 64×48), starting at
    /// `startIndex`. Nil for sizes the pattern does not fit.
    public init?(width: Int, height: Int, startIndex: Int = 0) {
        guard width >= Self.minimumWidth, height >= Self.minimumHeight,
              width % 2 == 0, height % 2 == 0, width <= 16384, height <= 16384 else { return nil }
        self.width = width
        self.height = height
        self.frameIndex = max(0, startIndex)
    }

    /// Height of the counter band (even).
    public var bandHeight: Int { max(8, height / 6) & ~1 }
    /// Width of one counter cell.
    public var cellWidth: Int { width / Self.counterBits }

    /// The next frame, advancing ``frameIndex``.
    public mutating func nextFrame() -> I420Frame {
        let f = frame(at: frameIndex)
        frameIndex &+= 1
        return f
    }

    /// The bar luma levels, left to right.
    static let barLevels: [UInt8] = [180, 60, 140, 100, 220, 40, 160, 80]

    /// Frame number `index` of this source.
    public func frame(at index: Int) -> I420Frame {
        // Non-negative and small enough that the motion products below cannot overflow.
        let i = index & 0xFFFF_FFFF
        var frame = I420Frame(width: width, height: height)
        let w = width, h = height, cw = frame.chromaWidth, chh = frame.chromaHeight
        let band = bandHeight, cell = cellWidth
        let counter = UInt16(truncatingIfNeeded: i)
        let scale = max(1, w / 160)
        let barWidth = max(2, w / 8)
        let shift = (i * scale) % (barWidth * 8)
        let side = max(2, (h / 4) & ~1)
        let boxX = ((i * 3 * scale) % max(1, w - side)) & ~1
        let boxY = (band + (i * 2 * scale) % max(1, h - band - side)) & ~1
        let uOffset = frame.uOffset, vOffset = frame.vOffset

        // One row of each kind, then block copies.
        var bandRow = [UInt8](repeating: 16, count: w)
        for bit in 0..<Self.counterBits where counter >> (Self.counterBits - 1 - bit) & 1 == 1 {
            for x in (bit * cell)..<((bit + 1) * cell) { bandRow[x] = 235 }
        }
        var bodyRow = [UInt8](repeating: 0, count: w)
        var uRow = [UInt8](repeating: 128, count: cw)
        var vRow = [UInt8](repeating: 128, count: cw)
        for x in 0..<w {
            let bar = ((x + shift) / barWidth) % 8
            bodyRow[x] = Self.barLevels[bar]
            if x % 2 == 0 {
                uRow[x / 2] = UInt8(64 + 16 * bar)
                vRow[x / 2] = UInt8(192 - 16 * bar)
            }
        }

        frame.bytes.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            bandRow.withUnsafeBufferPointer { src in
                guard let s = src.baseAddress else { return }
                for y in 0..<band { (base + y * w).update(from: s, count: w) }
            }
            bodyRow.withUnsafeBufferPointer { src in
                guard let s = src.baseAddress else { return }
                for y in band..<h { (base + y * w).update(from: s, count: w) }
            }
            for y in boxY..<min(h, boxY + side) {
                (base + y * w + boxX).update(repeating: 235, count: min(side, w - boxX))
            }
            // Chroma: neutral in the band, bar colours below, neutral in the box.
            for (plane, row) in [(uOffset, uRow), (vOffset, vRow)] {
                row.withUnsafeBufferPointer { src in
                    guard let s = src.baseAddress else { return }
                    for cy in (band / 2)..<chh { (base + plane + cy * cw).update(from: s, count: cw) }
                }
                for cy in (boxY / 2)..<min(chh, (boxY + side) / 2) {
                    (base + plane + cy * cw + boxX / 2).update(repeating: 128, count: min(side / 2, cw - boxX / 2))
                }
            }
        }
        return frame
    }

    /// Reads the frame counter from a (decoded) frame of any size made by this pattern: the
    /// mean luma of the middle of each cell must be clearly light (1) or dark (0). Nil when a
    /// cell is ambiguous or the frame is too small.
    public static func readCounter(from frame: I420Frame) -> UInt16? {
        guard let geometry = SyntheticVideoSource(width: frame.width & ~1, height: frame.height & ~1) else {
            return nil
        }
        let cell = geometry.cellWidth, band = geometry.bandHeight
        var value: UInt16 = 0
        for bit in 0..<counterBits {
            guard let mean = frame.meanLuma(x: bit * cell + cell / 4, y: band / 4, width: max(1, cell / 2),
                                            height: max(1, band / 2)) else { return nil }
            value <<= 1
            if mean > 160 {
                value |= 1
            } else if mean >= 90 {
                return nil
            }
        }
        return value
    }
}
