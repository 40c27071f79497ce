/// A bounds-checked big-endian writer into a caller-owned buffer.
///
/// Writers never allocate: the caller provides the destination (a preallocated egress buffer
/// on the hot path) and gets `.bufferTooSmall` with the size needed when it does not fit.
public struct ByteWriter {
    public let buffer: UnsafeMutableRawBufferPointer
    public let format: WireFormat
    /// Number of bytes written so far (offset of the next byte).
    public var position: Int

    @inlinable
    public init(_ buffer: UnsafeMutableRawBufferPointer, format: WireFormat, position: Int = 0) {
        self.buffer = buffer
        self.format = format
        self.position = position
    }

    @inlinable public var remaining: Int { buffer.count - position }

    @inlinable @inline(__always)
    public func require(_ n: Int) throws(WriteError) {
        guard n >= 0, n <= buffer.count - position else {
            throw WriteError(format, .bufferTooSmall, needed: position &+ n)
        }
    }

    @inlinable @inline(__always)
    public mutating func writeU8(_ v: UInt8) throws(WriteError) {
        try require(1)
        buffer[position] = v
        position &+= 1
    }

    @inlinable @inline(__always)
    public mutating func writeU16(_ v: UInt16) throws(WriteError) {
        try require(2)
        buffer[position] = UInt8(truncatingIfNeeded: v >> 8)
        buffer[position &+ 1] = UInt8(truncatingIfNeeded: v)
        position &+= 2
    }

    @inlinable
    public mutating func writeU24(_ v: UInt32) throws(WriteError) {
        try require(3)
        buffer[position] = UInt8(truncatingIfNeeded: v >> 16)
        buffer[position &+ 1] = UInt8(truncatingIfNeeded: v >> 8)
        buffer[position &+ 2] = UInt8(truncatingIfNeeded: v)
        position &+= 3
    }

    @inlinable @inline(__always)
    public mutating func writeU32(_ v: UInt32) throws(WriteError) {
        try require(4)
        buffer[position] = UInt8(truncatingIfNeeded: v >> 24)
        buffer[position &+ 1] = UInt8(truncatingIfNeeded: v >> 16)
        buffer[position &+ 2] = UInt8(truncatingIfNeeded: v >> 8)
        buffer[position &+ 3] = UInt8(truncatingIfNeeded: v)
        position &+= 4
    }

    @inlinable
    public mutating func writeU64(_ v: UInt64) throws(WriteError) {
        try writeU32(UInt32(truncatingIfNeeded: v >> 32))
        try writeU32(UInt32(truncatingIfNeeded: v))
    }

    @inlinable @inline(__always)
    public mutating func writeBytes(_ src: UnsafeRawBufferPointer) throws(WriteError) {
        try require(src.count)
        if src.count > 0, let base = buffer.baseAddress, let s = src.baseAddress {
            (base + position).copyMemory(from: s, byteCount: src.count)
        }
        position &+= src.count
    }

    @inlinable
    public mutating func writeBytes<C: Collection>(_ src: C) throws(WriteError) where C.Element == UInt8 {
        try require(src.count)
        for b in src {
            buffer[position] = b
            position &+= 1
        }
    }

    @inlinable
    public mutating func writeZeros(_ n: Int) throws(WriteError) {
        try require(n)
        if n > 0, let base = buffer.baseAddress {
            (base + position).initializeMemory(as: UInt8.self, repeating: 0, count: n)
        }
        position &+= n
    }

    /// Overwrites a 16-bit value at an absolute offset already written (e.g. a length field).
    @inlinable
    public mutating func patchU16(_ v: UInt16, at offset: Int) throws(WriteError) {
        guard offset >= 0, offset &+ 2 <= position else {
            throw WriteError(format, .valueOutOfRange)
        }
        buffer[offset] = UInt8(truncatingIfNeeded: v >> 8)
        buffer[offset &+ 1] = UInt8(truncatingIfNeeded: v)
    }

    /// Overwrites a 32-bit value at an absolute offset already written.
    @inlinable
    public mutating func patchU32(_ v: UInt32, at offset: Int) throws(WriteError) {
        guard offset >= 0, offset &+ 4 <= position else {
            throw WriteError(format, .valueOutOfRange)
        }
        buffer[offset] = UInt8(truncatingIfNeeded: v >> 24)
        buffer[offset &+ 1] = UInt8(truncatingIfNeeded: v >> 16)
        buffer[offset &+ 2] = UInt8(truncatingIfNeeded: v >> 8)
        buffer[offset &+ 3] = UInt8(truncatingIfNeeded: v)
    }
}

extension Array where Element == UInt8 {
    /// Runs a writer over a fresh zeroed buffer of `capacity` bytes and returns what it wrote.
    /// For tests and control-plane code; the hot path writes into preallocated buffers.
    @inlinable
    public static func writing<E: Error>(
        capacity: Int,
        _ body: (inout ByteWriter) throws(E) -> Void,
        format: WireFormat = .rtp
    ) throws(E) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: capacity)
        var written = 0
        let result: Result<Void, E> = out.withUnsafeMutableBytes { raw in
            var w = ByteWriter(raw, format: format)
            do throws(E) {
                try body(&w)
                written = w.position
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        out.removeSubrange(written...)
        return out
    }
}
