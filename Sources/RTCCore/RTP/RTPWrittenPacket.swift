/// Where a writer put a packet and its payload in the destination buffer, so that the caller
/// can rewrite the payload descriptor in place (e.g. the VP8 picture ID) and protect it.
public struct RTPWrittenPacket: Hashable, Sendable {
    /// Total bytes written.
    public var length: Int
    /// Offset of the payload in the destination.
    public var payloadOffset: Int
    /// Payload length (excluding padding).
    public var payloadLength: Int

    @inlinable
    public init(length: Int, payloadOffset: Int, payloadLength: Int) {
        self.length = length
        self.payloadOffset = payloadOffset
        self.payloadLength = payloadLength
    }
}
