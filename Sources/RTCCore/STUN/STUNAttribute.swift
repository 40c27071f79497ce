/// One STUN attribute: a type-length-value view into a parsed message (RFC 8489 §14).
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         Type                  |            Length             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         Value (variable)                ....
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
///
/// `Length` counts the value only, before padding; every attribute starts on a 4-byte
/// boundary, so the value is followed by 0...3 padding bytes whose content is ignored.
/// The value is borrowed from the message bytes (no copy).
public struct STUNAttribute {
    public let type: STUNAttributeType
    /// The value bytes, without padding.
    public let value: UnsafeRawBufferPointer
    /// Offset of the attribute's type field from the start of the message.
    public let offset: Int

    @inlinable
    public init(type: STUNAttributeType, value: UnsafeRawBufferPointer, offset: Int) {
        self.type = type
        self.value = value
        self.offset = offset
    }

    /// Length of a value rounded up to the 4-byte boundary.
    @inlinable
    public static func paddedLength(_ length: Int) -> Int { (length &+ 3) & ~3 }
}

/// The attributes of a parsed message in wire order, as borrowed views.
///
/// The message parser has already checked that every attribute lies within the message, so
/// iteration cannot fail; it still reads with checks and stops rather than trap.
public struct STUNAttributes: Sequence {
    @usableFromInline let bytes: UnsafeRawBufferPointer

    @inlinable
    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public struct Iterator: IteratorProtocol {
        @usableFromInline let bytes: UnsafeRawBufferPointer
        @usableFromInline var offset: Int

        @inlinable
        init(bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
            self.offset = STUNMessage.headerSize
        }

        @inlinable
        public mutating func next() -> STUNAttribute? {
            guard offset >= STUNMessage.headerSize, bytes.count - offset >= 4 else { return nil }
            let type = STUNAttributeType(bytes.rtcU16(at: offset))
            let length = Int(bytes.rtcU16(at: offset &+ 2))
            let start = offset &+ 4
            guard length <= bytes.count - start else { return nil }
            let value = UnsafeRawBufferPointer(rebasing: bytes[start..<(start &+ length)])
            let attribute = STUNAttribute(type: type, value: value, offset: offset)
            offset = start &+ STUNAttribute.paddedLength(length)
            return attribute
        }
    }

    @inlinable
    public func makeIterator() -> Iterator { Iterator(bytes: bytes) }
}
