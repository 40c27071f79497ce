import Testing
@testable import RTCCore

/// Helpers shared by the Congestion tests.
enum CongestionTestSupport {
    static func ms(_ v: Int64) -> Instant { Instant(nanoseconds: v &* 1_000_000) }
    static func us(_ v: Int64) -> Instant { Instant(nanoseconds: v &* 1_000) }

    /// A feedback packet reporting `(wire sequence number, arrival µs or nil)` in order.
    static func feedback(_ packets: [(UInt16, Int64?)], count: UInt8 = 0) -> TransportWideCongestionControl {
        let results = packets.map { TWCCPacketResult(sequenceNumber: SequenceNumber($0.0), arrivalMicroseconds: $0.1) }
        // Test inputs are always encodable.
        return (try? TransportWideCongestionControl(
            senderSSRC: SSRC(1), mediaSSRC: SSRC(2), feedbackPacketCount: count, packets: results))!
    }
}
