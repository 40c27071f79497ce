/// A bounds-checked big-endian reader over borrowed bytes.
///
/// Every read checks the remaining length first and throws ``ParseError`` with `.truncated`;
/// no read can trap or read out of bounds. The reader never copies or allocates. The bytes are
/// borrowed: a reader (and any view built from it) is valid only while the caller keeps the
/// underlying buffer alive, e.g. inside `withUnsafeBytes`.
public struct ByteReader {
    public let bytes: UnsafeRawBufferPointer
    public let format: WireFormat
    /// Offset of the next byte to read, from the start of `bytes`.
    public var position: Int

    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer, format: WireFormat, position: Int = 0) {
        self.bytes = bytes
        self.format = format
        self.position = position
    }

    @inlinable public var remaining: Int { bytes.count - position }
    @inlinable public var isAtEnd: Bool { position >= bytes.count }

    @inlinable
    public func require(_ n: Int, _ reason: StaticString = "truncated") throws(ParseError) {
        guard n >= 0, n <= bytes.count - position else {
            throw ParseError(format, .truncated, at: position, reason)
        }
    }

    @inlinable
    public mutating func readU8() throws(ParseError) -> UInt8 {
        try require(1)
        let v = bytes[position]
        position &+= 1
        return v
    }

    @inlinable
    public mutating func readU16() throws(ParseError) -> UInt16 {
        try require(2)
        let v = UInt16(bytes[position]) << 8 | UInt16(bytes[position &+ 1])
        position &+= 2
        return v
    }

    @inlinable
    public mutating func readU24() throws(ParseError) -> UInt32 {
        try require(3)
        let v = UInt32(bytes[position]) << 16 | UInt32(bytes[position &+ 1]) << 8
            | UInt32(bytes[position &+ 2])
        position &+= 3
        return v
    }

    @inlinable
    public mutating func readU32() throws(ParseError) -> UInt32 {
        try require(4)
        let v = UInt32(bytes[position]) << 24 | UInt32(bytes[position &+ 1]) << 16
            | UInt32(bytes[position &+ 2]) << 8 | UInt32(bytes[position &+ 3])
        position &+= 4
        return v
    }

    @inlinable
    public mutating func readU64() throws(ParseError) -> UInt64 {
        let hi = try readU32()
        let lo = try readU32()
        return UInt64(hi) << 32 | UInt64(lo)
    }

    /// Returns a borrowed slice of `n` bytes and advances past it.
    @inlinable
    public mutating func readBytes(_ n: Int) throws(ParseError) -> UnsafeRawBufferPointer {
        try require(n)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<(position &+ n)])
        position &+= n
        return slice
    }

    @inlinable
    public mutating func skip(_ n: Int) throws(ParseError) {
        try require(n)
        position &+= n
    }

    /// Moves to an absolute offset within the bytes (0...count).
    @inlinable
    public mutating func seek(to offset: Int) throws(ParseError) {
        guard offset >= 0, offset <= bytes.count else {
            throw ParseError(format, .invalidLength, at: position, "seek past end")
        }
        position = offset
    }

    /// Reads a big-endian unsigned integer at an absolute offset without moving.
    @inlinable
    public func peekU8(at offset: Int) throws(ParseError) -> UInt8 {
        guard offset >= 0, offset < bytes.count else {
            throw ParseError(format, .truncated, at: offset, "truncated")
        }
        return bytes[offset]
    }
}

extension UnsafeRawBufferPointer {
    /// Big-endian 16-bit value at `offset`; the caller has checked bounds.
    @inlinable
    func rtcU16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) << 8 | UInt16(self[offset &+ 1])
    }

    /// Big-endian 32-bit value at `offset`; the caller has checked bounds.
    @inlinable
    func rtcU32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset &+ 1]) << 16
            | UInt32(self[offset &+ 2]) << 8 | UInt32(self[offset &+ 3])
    }
}
