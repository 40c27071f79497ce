/// The UNKNOWN-ATTRIBUTES attribute value (RFC 8489 §14.9): the comprehension-required
/// attribute types that caused a 420 error, as a view over the message bytes.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      Attribute 1 Type         |       Attribute 2 Type        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      Attribute 3 Type         |       Attribute 4 Type    ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
public struct STUNUnknownAttributes: RandomAccessCollection {
    @usableFromInline let value: UnsafeRawBufferPointer

    /// Decodes a value found at `offset`; its length must be even.
    public init(parsing value: UnsafeRawBufferPointer, at offset: Int) throws(ParseError) {
        guard value.count & 1 == 0 else {
            throw ParseError(.stun, .invalidLength, at: offset, "UNKNOWN-ATTRIBUTES length odd")
        }
        self.value = value
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { value.count / 2 }

    /// The type at `position` (0 ..< count); out-of-range positions read as 0, never trap.
    @inlinable
    public subscript(position: Int) -> STUNAttributeType {
        let o = position &* 2
        guard o >= 0, o &+ 2 <= value.count else { return STUNAttributeType(0) }
        return STUNAttributeType(value.rtcU16(at: o))
    }
}
