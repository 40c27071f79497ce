import Testing
@testable import RTCCore

/// Helpers shared by the Streams tests.
enum StreamsTestSupport {
    /// Bytes from annotated hex: whitespace ignored, `#` starts a comment to end of line.
    static func hex(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var pending: UInt8?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            for c in code {
                guard let v = c.hexDigitValue else { continue }
                if let hi = pending {
                    out.append(hi << 4 | UInt8(v))
                    pending = nil
                } else {
                    pending = UInt8(v)
                }
            }
        }
        return out
    }

    static func ms(_ v: Int64) -> Instant { Instant(nanoseconds: v &* 1_000_000) }

    /// A synthetic RTP packet with a one-byte extension block holding a TWCC sequence number
    /// under ID 1 and a payload of `payload`.
    static func packet(seq: UInt16, ts: UInt32, ssrc: UInt32 = 0x1122_3344, marker: Bool = false,
                       payload: [UInt8], twcc: UInt16? = nil, padding: Int = 0) -> [UInt8] {
        let h = RTPHeader(marker: marker, payloadType: PayloadType(96), sequenceNumber: SequenceNumber(seq),
                          timestamp: ts, ssrc: SSRC(ssrc))
        let elements: [(id: UInt8, data: [UInt8])] =
            twcc.map { [(1, [UInt8($0 >> 8), UInt8($0 & 0xFF)])] } ?? []
        // Only a test helper: the sizes above always fit.
        return (try? RTPPacketWriter.packet(header: h, form: twcc == nil ? nil : .oneByte, elements: elements,
                                            payload: payload, paddingLength: padding)) ?? []
    }

    static let map = RTPExtensionMap([(1, .transportWideCC), (2, .mid)])

    static func nackSequences(_ o: NackGeneratorOutput?) -> [UInt16]? {
        guard case .nack(let n)? = o else { return nil }
        return n.lostSequenceNumbers.map(\.rawValue)
    }
}
