@testable import RTCCore

/// Seeded generator of random *valid* RTCP packets of every kind, for round-trip tests.
struct RTCPRandomPackets {
    var rng: SeededRandom

    init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
    mutating func u8() -> UInt8 { UInt8.random(in: 0...255, using: &rng) }
    mutating func u16() -> UInt16 { UInt16.random(in: 0...UInt16.max, using: &rng) }
    mutating func u32() -> UInt32 { UInt32.random(in: 0...UInt32.max, using: &rng) }
    mutating func ssrc() -> SSRC { SSRC(u32()) }
    mutating func bytes(_ r: ClosedRange<Int>) -> [UInt8] { rng.bytes(int(r)) }
    mutating func bool() -> Bool { Bool.random(using: &rng) }

    mutating func reportBlock() -> ReceptionReport {
        ReceptionReport(
            ssrc: ssrc(), fractionLost: u8(),
            cumulativeLost: Int32.random(in: ReceptionReport.cumulativeLostRange, using: &rng),
            extendedHighestSequence: u32(), jitter: u32(), lastSenderReport: u32(),
            delaySinceLastSenderReport: u32())
    }

    mutating func reports() -> [ReceptionReport] {
        (0..<int(0...(int(0...9) == 0 ? 31 : 3))).map { _ in reportBlock() }
    }

    mutating func senderReport() -> SenderReport {
        SenderReport(ssrc: ssrc(), ntpTime: rng.next(), rtpTime: u32(), packetCount: u32(),
                     octetCount: u32(), reports: reports(), profileExtensions: bytes(0...(bool() ? 0 : 13)))
    }

    mutating func receiverReport() -> ReceiverReport {
        ReceiverReport(ssrc: ssrc(), reports: reports(), profileExtensions: bytes(0...(bool() ? 0 : 13)))
    }

    mutating func sourceDescription() -> SourceDescription {
        SourceDescription(chunks: (0..<int(0...(int(0...9) == 0 ? 31 : 4))).map { _ in
            SourceDescriptionChunk(source: ssrc(), items: (0..<int(0...4)).map { _ in
                SourceDescriptionItem(type: SourceDescriptionItemType(UInt8(int(1...255))),
                                      value: bytes(0...(int(0...9) == 0 ? 255 : 20)))
            })
        })
    }

    mutating func goodbye() -> Goodbye {
        Goodbye(sources: (0..<int(0...31)).map { _ in ssrc() },
                reason: bool() ? nil : bytes(0...(int(0...9) == 0 ? 255 : 20)))
    }

    mutating func applicationDefined() -> ApplicationDefined {
        ApplicationDefined(subtype: UInt8(int(0...31)), ssrc: ssrc(), name: u32(), data: bytes(0...40))
    }

    mutating func nack() -> TransportLayerNack {
        TransportLayerNack(senderSSRC: ssrc(), mediaSSRC: ssrc(),
                           pairs: (0..<int(0...20)).map { _ in NackPair(packetID: SequenceNumber(u16()), lostBitmask: u16()) })
    }

    mutating func pli() -> PictureLossIndication {
        PictureLossIndication(senderSSRC: ssrc(), mediaSSRC: ssrc())
    }

    mutating func fir() -> FullIntraRequest {
        FullIntraRequest(senderSSRC: ssrc(), mediaSSRC: bool() ? SSRC(0) : ssrc(),
                         entries: (0..<int(0...8)).map { _ in FullIntraRequestEntry(ssrc: ssrc(), sequenceNumber: u8()) })
    }

    mutating func remb() -> ReceiverEstimatedMaximumBitrate {
        // Representable bitrates: mantissa << exp within 64 bits.
        let m = UInt64(int(0...0x3FFFF))
        let e = UInt64(int(0...46))
        return ReceiverEstimatedMaximumBitrate(senderSSRC: ssrc(), mediaSSRC: bool() ? SSRC(0) : ssrc(),
                                               bitrate: m << e, ssrcs: (0..<int(0...12)).map { _ in ssrc() })
    }

    /// Random chunks of every kind (including partly used last chunks and zero-length runs)
    /// with matching deltas: exercises the raw parse/write path, not only the builder.
    mutating func twcc() -> TransportWideCongestionControl {
        var chunks: [TWCCPacketStatusChunk] = []
        var symbols: [UInt8] = []
        let target = int(0...49) == 0 ? int(0...65535) : int(0...120)
        while symbols.count < target {
            let left = target - symbols.count
            switch int(0...2) {
            case 0:
                let s = UInt8(int(0...2))
                let runMax = s == 0 ? 8191 : min(8191, 400)
                let n = int(0...min(runMax, max(left, 1)))
                if n == 0 && int(0...3) != 0 { continue }
                chunks.append(TWCCPacketStatusChunk(rawValue: UInt16(s) << 13 | UInt16(n)))
                symbols += Array(repeating: s, count: min(n, left))
            case 1:
                let syms = (0..<14).map { _ in UInt8(int(0...1)) }
                chunks.append(TWCCPacketStatusChunk(oneBitVector: syms.map { TWCCPacketStatus(rawValue: $0)! })!)
                symbols += syms.prefix(left)
            default:
                let syms = (0..<7).map { _ in UInt8(int(0...2)) }
                chunks.append(TWCCPacketStatusChunk(twoBitVector: syms.map { TWCCPacketStatus(rawValue: $0)! })!)
                symbols += syms.prefix(left)
            }
        }
        // A run chunk at the end may describe more than needed; the count decides.
        let deltas: [Int16] = symbols.compactMap { s in
            switch s {
            case 1: Int16(int(0...255))
            case 2: Int16(truncatingIfNeeded: u16())
            default: nil
            }
        }
        return TransportWideCongestionControl(
            senderSSRC: ssrc(), mediaSSRC: ssrc(), baseSequenceNumber: SequenceNumber(u16()),
            packetStatusCount: UInt16(symbols.count),
            referenceTime: Int32.random(in: TransportWideCongestionControl.referenceTimeRange, using: &rng),
            feedbackPacketCount: u8(), chunks: chunks, receiveDeltas: deltas)
    }

    mutating func unknown() -> UnknownRTCPPacket {
        while true {
            let pt = u8()
            let fmt = UInt8(int(0...31))
            if (200...204).contains(pt) { continue }
            if pt == 205 && (fmt == 1 || fmt == 15) { continue }
            if pt == 206 && (fmt == 1 || fmt == 4) { continue }
            var body = bytes(0...40)
            if pt == 206 && fmt == 15 && body.count >= 12 && body[8..<12] == [0x52, 0x45, 0x4D, 0x42] { body[8] = 0 }
            return UnknownRTCPPacket(packetType: RTCPPacketType(pt), count: fmt, body: body)
        }
    }

    /// One random packet of kind `kind` (0…10), or of a random kind.
    mutating func packet(kind: Int? = nil) -> RTCPPacket {
        switch kind ?? int(0...10) {
        case 0: .senderReport(senderReport())
        case 1: .receiverReport(receiverReport())
        case 2: .sourceDescription(sourceDescription())
        case 3: .goodbye(goodbye())
        case 4: .applicationDefined(applicationDefined())
        case 5: .transportLayerNack(nack())
        case 6: .transportWideCongestionControl(twcc())
        case 7: .pictureLossIndication(pli())
        case 8: .fullIntraRequest(fir())
        case 9: .receiverEstimatedMaximumBitrate(remb())
        default: .unknown(unknown())
        }
    }

    static let kindCount = 11
}
