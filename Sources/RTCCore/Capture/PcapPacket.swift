/// One UDP datagram of a capture: when, between which transport addresses, and its payload.
public struct PcapPacket: Sendable, Hashable {
    /// Capture time in microseconds since the Unix epoch.
    public var timestampMicros: UInt64
    public var source: TransportAddress
    public var destination: TransportAddress
    public var payload: [UInt8]

    public init(timestampMicros: UInt64, source: TransportAddress, destination: TransportAddress, payload: [UInt8]) {
        self.timestampMicros = timestampMicros
        self.source = source
        self.destination = destination
        self.payload = payload
    }
}
