/// Walks the elements of an RFC 8285 header-extension block without allocating.
///
/// - Padding bytes (value 0 where an element header is expected) are skipped (§4.2, §4.3).
/// - In the one-byte form, ID 15 ends processing of the block (§4.2); an element with ID 0
///   is a padding byte whatever its length nibble.
/// - An element whose data runs past the end of the block throws `.invalidLength`.
///
/// ```swift
/// var reader = RTPExtensionElementReader(packet: bytes, header: header)
/// while let element = try reader.next() { ... element.data(in: bytes) ... }
/// ```
public struct RTPExtensionElementReader {
    public let bytes: UnsafeRawBufferPointer
    public let form: RTPExtensionForm?
    /// Offset of the next byte to examine.
    @inlinable public var position: Int { cursor }
    @usableFromInline var cursor: Int
    /// Offset one past the last byte of the extension block.
    public let end: Int

    /// A reader over the extension block of a parsed packet. When the packet has no
    /// extension, or uses a profile other than RFC 8285's, it yields no elements.
    @inlinable
    public init(packet bytes: UnsafeRawBufferPointer, header: RTPHeader) {
        self.bytes = bytes
        self.form = header.extensionForm
        let start = header.extensionOffset
        let stop = start &+ header.extensionLength
        if form != nil, start >= 0, stop >= start, stop <= bytes.count {
            self.cursor = start
            self.end = stop
        } else {
            self.cursor = 0
            self.end = 0
        }
    }

    /// A reader over bare extension data (what follows the profile and length words).
    @inlinable
    public init(extensionData bytes: UnsafeRawBufferPointer, form: RTPExtensionForm) {
        self.bytes = bytes
        self.form = form
        self.cursor = 0
        self.end = bytes.count
    }

    /// The next element, or nil at the end of the block (or at a one-byte ID 15).
    @inlinable
    public mutating func next() throws(ParseError) -> RTPExtensionElement? {
        guard let form else { return nil }
        switch form {
        case .oneByte:
            while cursor < end {
                let b = bytes[cursor]
                if b == 0 {
                    cursor &+= 1
                    continue
                }
                let id = b >> 4
                if id == 0 {
                    // ID 0 is reserved for padding (§4.2): skip the byte, ignore its length.
                    cursor &+= 1
                    continue
                }
                if id == 15 {
                    // Reserved: stop processing the whole block (§4.2).
                    cursor = end
                    return nil
                }
                let length = Int(b & 0x0F) &+ 1
                let dataStart = cursor &+ 1
                guard length <= end &- dataStart else {
                    throw ParseError(.rtpExtension, .invalidLength, at: cursor,
                                     "one-byte element past the end of the extension")
                }
                cursor = dataStart &+ length
                return RTPExtensionElement(id: id, offset: dataStart, length: length)
            }
            return nil
        case .twoByte:
            while cursor < end {
                let id = bytes[cursor]
                if id == 0 {
                    cursor &+= 1
                    continue
                }
                guard end &- cursor >= 2 else {
                    throw ParseError(.rtpExtension, .truncated, at: cursor,
                                     "two-byte element header past the end of the extension")
                }
                let length = Int(bytes[cursor &+ 1])
                let dataStart = cursor &+ 2
                guard length <= end &- dataStart else {
                    throw ParseError(.rtpExtension, .invalidLength, at: cursor,
                                     "two-byte element past the end of the extension")
                }
                cursor = dataStart &+ length
                return RTPExtensionElement(id: id, offset: dataStart, length: length)
            }
            return nil
        }
    }
}
