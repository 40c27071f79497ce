/// A most-significant-bit-first bit writer into a caller-owned buffer (the counterpart of
/// ``BitReader``). Unwritten bits of the last byte are zero, so the output is zero-padded.
public struct BitWriter {
    public let buffer: UnsafeMutableRawBufferPointer
    public let format: WireFormat
    /// Bits written so far.
    public var bitPosition: Int = 0

    @inlinable
    public init(_ buffer: UnsafeMutableRawBufferPointer, format: WireFormat) {
        self.buffer = buffer
        self.format = format
    }

    /// Bytes touched so far (the written bits rounded up).
    @inlinable public var byteCount: Int { (bitPosition &+ 7) >> 3 }

    /// Writes the low `n` bits of `value`, high bit first; `n` is 0...32.
    @inlinable
    public mutating func writeBits(_ value: UInt32, _ n: Int) throws(WriteError) {
        guard n >= 0, n <= 32 else { throw WriteError(format, .valueOutOfRange) }
        guard n == 32 || value >> UInt32(n) == 0 else { throw WriteError(format, .valueOutOfRange) }
        guard n <= buffer.count &* 8 &- bitPosition else {
            throw WriteError(format, .bufferTooSmall, needed: (bitPosition &+ n &+ 7) >> 3)
        }
        var i = n
        while i > 0 {
            i &-= 1
            let bit = UInt8(truncatingIfNeeded: value >> UInt32(i)) & 1
            let index = bitPosition >> 3
            let shift = 7 &- UInt8(truncatingIfNeeded: bitPosition & 7)
            if shift == 7 { buffer[index] = 0 }
            buffer[index] |= bit << shift
            bitPosition &+= 1
        }
    }

    @inlinable
    public mutating func writeBit(_ bit: Bool) throws(WriteError) {
        try writeBits(bit ? 1 : 0, 1)
    }

    /// Writes `value` in `0..<n` as `ns(n)` (AV1 RTP specification A.8.2 `write_ns`).
    @inlinable
    public mutating func writeNonSymmetric(_ value: UInt32, _ n: UInt32) throws(WriteError) {
        guard n > 1 else {
            guard value == 0 else { throw WriteError(format, .valueOutOfRange) }
            return
        }
        guard value < n else { throw WriteError(format, .valueOutOfRange) }
        let w = 32 &- n.leadingZeroBitCount
        let m = UInt32(truncatingIfNeeded: (UInt64(1) << UInt64(w)) &- UInt64(n))
        if value < m {
            try writeBits(value, w &- 1)
        } else {
            try writeBits(value &+ m, w)
        }
    }
}
