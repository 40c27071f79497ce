/// One RFC 8285 header-extension element: its local ID and where its data lies in the packet.
///
/// ```
/// one-byte element (§4.2)          two-byte element (§4.3)
///  0 1 2 3 4 5 6 7                  0                   1
/// +-+-+-+-+-+-+-+-+-------          0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
/// |  ID   |  len  | data (len+1)   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-------
/// +-+-+-+-+-+-+-+-+-------          |      ID       |    length     | data (length)
///                                   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-------
/// ```
public struct RTPExtensionElement: Hashable, Sendable {
    /// The local identifier negotiated with `a=extmap` (1...14 one-byte, 1...255 two-byte).
    public var id: UInt8
    /// Offset of the element data from the start of the buffer that was iterated.
    public var offset: Int
    /// Number of data bytes.
    public var length: Int

    @inlinable
    public init(id: UInt8, offset: Int, length: Int) {
        self.id = id
        self.offset = offset
        self.length = length
    }

    /// The element data within `bytes` (the buffer that was iterated).
    @inlinable
    public func data(in bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        bytes.rtcSlice(offset, length)
    }
}
