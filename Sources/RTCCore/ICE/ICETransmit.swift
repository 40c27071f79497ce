/// A datagram to send: from the socket bound to `from` to `to`.
///
/// ICE is control plane (a few packets per second per peer), so the bytes are an owned array.
public struct ICETransmit: Sendable, Hashable {
    public var bytes: [UInt8]
    public var to: TransportAddress
    public var from: TransportAddress

    public init(bytes: [UInt8], to: TransportAddress, from: TransportAddress) {
        self.bytes = bytes
        self.to = to
        self.from = from
    }
}
