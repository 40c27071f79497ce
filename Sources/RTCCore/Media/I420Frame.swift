/// One uncompressed picture in I420 (planar YUV 4:2:0, 8 bits): a full-size luma plane
/// followed by two chroma planes of half width and half height (rounded up), tightly packed.
///
/// ```
/// bytes: +----------------------+-----------+-----------+
///        | Y  width × height    | U  cw × ch| V  cw × ch|   cw = (width+1)/2, ch = (height+1)/2
///        +----------------------+-----------+-----------+
/// ```
/// The frames given to ``VP8Encoder`` and returned by ``VP8Decoder``.
public struct I420Frame: Hashable, Sendable {
    public let width: Int
    public let height: Int
    /// Y, U and V planes back to back, each row `planeWidth` bytes with no stride padding.
    public var bytes: [UInt8]

    /// A black frame (Y = 16, U = V = 128, video range).
    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0, "frame dimensions must be positive")
        self.width = width
        self.height = height
        let cw = (width + 1) / 2
        let ch = (height + 1) / 2
        self.bytes = [UInt8](repeating: 16, count: width * height)
            + [UInt8](repeating: 128, count: 2 * cw * ch)
    }

    /// Wraps existing plane bytes; nil when `bytes` is not exactly the I420 size.
    public init?(width: Int, height: Int, bytes: [UInt8]) {
        guard width > 0, height > 0 else { return nil }
        let cw = (width + 1) / 2
        let ch = (height + 1) / 2
        guard bytes.count == width * height + 2 * cw * ch else { return nil }
        self.width = width
        self.height = height
        self.bytes = bytes
    }

    /// Width of the chroma planes.
    @inlinable public var chromaWidth: Int { (width + 1) / 2 }
    /// Height of the chroma planes.
    @inlinable public var chromaHeight: Int { (height + 1) / 2 }
    /// Offset of the U plane in ``bytes``.
    @inlinable public var uOffset: Int { width * height }
    /// Offset of the V plane in ``bytes``.
    @inlinable public var vOffset: Int { width * height + chromaWidth * chromaHeight }

    /// The luma sample at (x, y), or nil outside the picture.
    public func luma(x: Int, y: Int) -> UInt8? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        return bytes[y * width + x]
    }

    /// The mean luma of a rectangle clipped to the picture (nil when nothing is left).
    public func meanLuma(x: Int, y: Int, width w: Int, height h: Int) -> Double? {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + w), y1 = min(height, y + h)
        guard x1 > x0, y1 > y0 else { return nil }
        var sum = 0
        bytes.withUnsafeBufferPointer { p in
            for row in y0..<y1 {
                let base = row * width
                for col in x0..<x1 { sum += Int(p[base + col]) }
            }
        }
        return Double(sum) / Double((x1 - x0) * (y1 - y0))
    }

    /// Mean squared error between the luma planes of two frames of the same size (nil when
    /// the sizes differ). PSNR = 10·log10(255² / MSE).
    public func lumaMeanSquaredError(comparedTo other: I420Frame) -> Double? {
        guard other.width == width, other.height == height else { return nil }
        let n = width * height
        var sum = 0
        bytes.withUnsafeBufferPointer { a in
            other.bytes.withUnsafeBufferPointer { b in
                for i in 0..<n {
                    let d = Int(a[i]) - Int(b[i])
                    sum += d * d
                }
            }
        }
        return Double(sum) / Double(n)
    }
}
