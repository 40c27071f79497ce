/// A bounds-checked bit reader over the payload of an H.264 NAL unit that removes emulation
/// prevention bytes on the fly (ITU-T H.264 §7.4.1: a 0x03 after two 0x00 bytes is not part
/// of the RBSP) and reads Exp-Golomb codes (§9.1). Never copies, allocates or traps.
public struct H264BitReader {
    public let bytes: UnsafeRawBufferPointer
    /// Next byte of `bytes` to load.
    public private(set) var position: Int
    private var current: UInt32 = 0
    private var bitsLeft = 0
    private var zeros = 0

    /// A reader over `bytes` (the NAL unit after its one-byte header).
    public init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = max(0, min(position, bytes.count))
    }

    private mutating func load() throws(ParseError) {
        guard position < bytes.count else {
            throw ParseError(.h264, .truncated, at: position, "NAL unit ends inside a field")
        }
        var b = bytes[position]
        position &+= 1
        if zeros >= 2 && b == 0x03 {
            // Emulation prevention byte.
            zeros = 0
            guard position < bytes.count else {
                throw ParseError(.h264, .truncated, at: position, "NAL unit ends after an emulation prevention byte")
            }
            b = bytes[position]
            position &+= 1
        }
        zeros = b == 0 ? zeros &+ 1 : 0
        current = UInt32(b)
        bitsLeft = 8
    }

    public mutating func readBit() throws(ParseError) -> Bool {
        if bitsLeft == 0 { try load() }
        bitsLeft &-= 1
        return current >> UInt32(bitsLeft) & 1 != 0
    }

    /// `u(n)`, n in 0...32.
    public mutating func readBits(_ n: Int) throws(ParseError) -> UInt32 {
        guard n >= 0, n <= 32 else { throw ParseError(.h264, .invalidLength, at: position, "field wider than 32 bits") }
        var v: UInt32 = 0
        for _ in 0..<n { v = v << 1 | (try readBit() ? 1 : 0) }
        return v
    }

    /// `ue(v)`: an unsigned Exp-Golomb code of at most 32 bits of value (31 leading zeros).
    public mutating func readUE() throws(ParseError) -> UInt32 {
        var leadingZeros = 0
        while !(try readBit()) {
            leadingZeros &+= 1
            guard leadingZeros < 32 else {
                throw ParseError(.h264, .invalidValue, at: position, "Exp-Golomb code longer than 32 bits")
            }
        }
        let suffix = UInt64(try readBits(leadingZeros))
        return UInt32(truncatingIfNeeded: (UInt64(1) << UInt64(leadingZeros)) &- 1 &+ suffix)
    }

    /// `se(v)`: a signed Exp-Golomb code.
    public mutating func readSE() throws(ParseError) -> Int64 {
        let k = Int64(try readUE())
        return k & 1 == 1 ? (k &+ 1) / 2 : -(k / 2)
    }
}
