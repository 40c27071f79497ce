/// A bounds-checked, most-significant-bit-first bit reader over borrowed bytes (the `f(n)` of
/// the AV1 and VP9 specifications).
///
/// Every read checks the bits left first and throws ``ParseError`` with `.truncated`; no read
/// can trap. Like ``ByteReader`` it never copies or allocates, and is valid only while the
/// caller keeps the bytes alive.
public struct BitReader {
    public let bytes: UnsafeRawBufferPointer
    public let format: WireFormat
    /// Offset of the next bit to read, from the first bit of `bytes`.
    public var bitPosition: Int

    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer, format: WireFormat, bitPosition: Int = 0) {
        self.bytes = bytes
        self.format = format
        self.bitPosition = max(0, bitPosition)
    }

    /// Bits not read yet.
    @inlinable public var remainingBits: Int { bytes.count &* 8 &- bitPosition }

    /// Reads one bit.
    @inlinable
    public mutating func readBit() throws(ParseError) -> Bool {
        guard remainingBits >= 1 else {
            throw ParseError(format, .truncated, at: bitPosition >> 3, "bit field past the end")
        }
        let byte = bytes[bitPosition >> 3]
        let bit = byte >> (7 &- UInt8(truncatingIfNeeded: bitPosition & 7)) & 1
        bitPosition &+= 1
        return bit != 0
    }

    /// Reads an `n`-bit unsigned value, high bit first (`f(n)`); `n` is 0...32.
    @inlinable
    public mutating func readBits(_ n: Int) throws(ParseError) -> UInt32 {
        guard n >= 0, n <= 32 else {
            throw ParseError(format, .invalidLength, at: bitPosition >> 3, "bit field wider than 32 bits")
        }
        guard n <= remainingBits else {
            throw ParseError(format, .truncated, at: bitPosition >> 3, "bit field past the end")
        }
        var v: UInt32 = 0
        var left = n
        while left > 0 {
            let byte = UInt32(bytes[bitPosition >> 3])
            let offset = bitPosition & 7
            let take = min(8 &- offset, left)
            let chunk = (byte >> UInt32(8 &- offset &- take)) & ((1 << UInt32(take)) &- 1)
            v = v << UInt32(take) | chunk
            bitPosition &+= take
            left &-= take
        }
        return v
    }

    /// Reads a non-symmetric unsigned value in `0..<n` (`ns(n)`, AV1 RTP specification A.8.2):
    /// `w - 1` bits for the low values, `w` bits for the others. `ns(1)` and `ns(0)` read nothing
    /// and give 0.
    @inlinable
    public mutating func readNonSymmetric(_ n: UInt32) throws(ParseError) -> UInt32 {
        guard n > 1 else { return 0 }
        let w = UInt32(32 &- n.leadingZeroBitCount)  // bits of n; n ≤ 2^31 in practice (≤ 33 here)
        let m = (UInt64(1) << UInt64(w)) &- UInt64(n)
        let v = UInt64(try readBits(Int(w) &- 1))
        if v < m { return UInt32(truncatingIfNeeded: v) }
        let extra = UInt64(try readBits(1))
        return UInt32(truncatingIfNeeded: (v << 1) &- m &+ extra)
    }
}
