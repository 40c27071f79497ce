/// A packet status symbol of transport-wide congestion control feedback
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.1).
///
/// ```
/// 00  packet not received
/// 01  packet received, small delta   (1-byte receive delta, 0…63.75 ms)
/// 10  packet received, large or negative delta (2-byte signed receive delta)
/// 11  reserved (a parse error when it describes a reported packet)
/// ```
public enum TWCCPacketStatus: UInt8, Hashable, Sendable, CaseIterable {
    case notReceived = 0
    case receivedSmallDelta = 1
    case receivedLargeOrNegativeDelta = 2

    /// Bytes of receive delta this status carries (0, 1 or 2).
    @inlinable
    public var deltaSize: Int { Int(rawValue) }

    /// The status that encodes a receive delta of `ticks` (250 µs units).
    @inlinable
    public static func received(deltaTicks ticks: Int16) -> TWCCPacketStatus {
        ticks >= 0 && ticks <= 0xFF ? .receivedSmallDelta : .receivedLargeOrNegativeDelta
    }
}
