/// Writes one RFC 8285 header-extension block into a caller's buffer, element by element,
/// without allocating.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     0xBE      |     0xDE      |     length (patched by finish)|   begin
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  ID   |  L    |  data ...     |  ID   |  L    |  data ...         append…
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |    ... data   |   0 (pad)     |   0 (pad)     |   0 (pad)     |   finish: pad to 32 bits
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
///
/// Usage: `let x = try RTPExtensionWriter.begin(&w, form: .oneByte)`, then `x.append…(…, to: &w)`
/// for each element, then `try x.finish(&w)`. The caller sets the X bit of the RTP header
/// (``RTPPacketWriter`` does this).
public struct RTPExtensionWriter: Sendable {
    public let form: RTPExtensionForm
    /// Offset of the profile word in the destination.
    public let blockStart: Int

    /// Writes the profile word and a placeholder length.
    @inlinable
    public static func begin(_ w: inout ByteWriter, form: RTPExtensionForm) throws(WriteError) -> RTPExtensionWriter {
        let start = w.position
        try w.require(4)
        try w.writeU16(form.profile)
        try w.writeU16(0)
        return RTPExtensionWriter(form: form, blockStart: start)
    }

    @inlinable
    init(form: RTPExtensionForm, blockStart: Int) {
        self.form = form
        self.blockStart = blockStart
    }

    /// Writes an element header for `length` data bytes; the caller writes the data next.
    /// Throws `.valueOutOfRange` when the ID or length cannot be encoded in this form.
    @inlinable
    public func appendHeader(id: UInt8, length: Int, to w: inout ByteWriter) throws(WriteError) {
        guard form.canEncode(id: id, length: length) else {
            throw WriteError(.rtpExtension, .valueOutOfRange)
        }
        switch form {
        case .oneByte:
            try w.require(1 &+ length)
            try w.writeU8(id << 4 | UInt8(truncatingIfNeeded: length &- 1))
        case .twoByte:
            try w.require(2 &+ length)
            try w.writeU8(id)
            try w.writeU8(UInt8(truncatingIfNeeded: length))
        }
    }

    /// Appends an element with raw data bytes.
    @inlinable
    public func append(id: UInt8, bytes: UnsafeRawBufferPointer, to w: inout ByteWriter) throws(WriteError) {
        try appendHeader(id: id, length: bytes.count, to: &w)
        try w.writeBytes(bytes)
    }

    /// Appends an element holding the low `byteCount` bytes of `value`, big-endian (1...8).
    @inlinable
    public func append(id: UInt8, integer value: UInt64, byteCount: Int, to w: inout ByteWriter) throws(WriteError) {
        guard byteCount >= 1, byteCount <= 8 else { throw WriteError(.rtpExtension, .valueOutOfRange) }
        try appendHeader(id: id, length: byteCount, to: &w)
        var shift = UInt64(byteCount &- 1) &* 8
        for _ in 0..<byteCount {
            try w.writeU8(UInt8(truncatingIfNeeded: value >> shift))
            shift &-= 8
        }
    }

    /// Appends an element holding a mid or rid token.
    @inlinable
    public func append(id: UInt8, token: ShortID, to w: inout ByteWriter) throws(WriteError) {
        try appendHeader(id: id, length: Int(token.count), to: &w)
        try token.write(to: &w)
    }

    /// Pads the block with zero bytes to a multiple of four and patches its length word.
    @inlinable
    public func finish(_ w: inout ByteWriter) throws(WriteError) {
        let dataStart = blockStart &+ 4
        let used = w.position &- dataStart
        let padded = (used &+ 3) & ~3
        try w.writeZeros(padded &- used)
        let words = padded >> 2
        guard words <= 0xFFFF else { throw WriteError(.rtpExtension, .valueOutOfRange) }
        try w.patchU16(UInt16(truncatingIfNeeded: words), at: blockStart &+ 2)
    }
}
