/// The fuzz entry point for the per-stream state machines of Streams/ and Simulcast/: no
/// parser of their own, but each keeps state driven by numbers from the network, so arbitrary
/// input must never make one trap.
///
/// ```
///  bytes ──┬─ as an RTP packet: RTX cache store + RTX packetizer (every destination size up
///          │  to the packet), VP8 picture-ID rewrite of the payload, receive/send statistics
///          └─ as an operation stream, 5 bytes per operation:
///             +--------+----------------+----------------+
///             | opcode |   argument a   |   argument b   |   a, b: big-endian UInt16
///             +--------+----------------+----------------+
///             sequence rewriter (sync/drop/input), timestamp rewriter, NACK generator
///             (packet/timeout/poll/RTT), reception statistics (packet/SR/report), send
///             statistics (hostile RR), keyframe throttle (request/keyframe/timeout/poll)
/// ```
public enum StreamsFuzz {
    /// Runs `bytes` through every component. Returns true when `bytes` parsed as an RTP
    /// packet (the operation stream always runs).
    public static func fuzz(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let parsed = fuzzPacket(bytes)
        fuzzOperations(bytes)
        return parsed
    }

    private static func fuzzPacket(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let header = try? RTPHeader.parse(bytes) else { return false }
        let map = RTPExtensionMap([(1, .transportWideCC), (2, .mid), (3, .absSendTime), (4, .rid)])
        var cache = RTXPacketCache(capacity: 4, maxPacketSize: 1500, maxAge: .seconds(1))
        cache.store(bytes, sequenceNumber: header.sequenceNumber, sentAt: .zero)
        var rtx = RTXPacketizer(ssrc: SSRC(7), payloadType: PayloadType(97), initialSequenceNumber: SequenceNumber(65535))
        var out = [UInt8](repeating: 0, count: bytes.count &+ 64)
        out.withUnsafeMutableBytes { dst in
            _ = cache.retransmit(header.sequenceNumber, now: .zero) { orig in
                for size in stride(from: 0, through: dst.count, by: max(1, dst.count / 16)) {
                    let d = UnsafeMutableRawBufferPointer(rebasing: dst[0..<size])
                    if let w = try? rtx.write(original: orig, header: header, extensionMap: map,
                                              transportSequence: 9, absSendTime: 0xFFFF_FFFF, into: d) {
                        let written = UnsafeRawBufferPointer(rebasing: dst[0..<w.length])
                        if let h = try? RTPHeader.parse(written) {
                            _ = RTXPacketizer.originalSequenceNumber(rtxPayload: h.payload(in: written))
                        }
                    }
                }
            }
        }
        _ = RTXPacketizer.originalSequenceNumber(rtxPayload: header.payload(in: bytes))

        var payload = Array(header.payload(in: bytes))
        var vp8 = VP8PictureIDRewriter(initialPictureID: 0x7FFF, initialTL0PicIdx: 0xFF)
        payload.withUnsafeMutableBytes { raw in
            if let (d, _) = try? vp8.rewrite(raw) {
                vp8.sync()
                _ = vp8.drop(d)
                _ = try? vp8.rewrite(raw, descriptor: d)
            }
        }

        var rs = ReceiveStreamStatistics(ssrc: header.ssrc, clockRate: 90_000, probation: 1)
        rs.handlePacket(header, now: .zero)
        rs.handlePacket(header, isRetransmission: true, now: Instant(nanoseconds: .max))
        _ = rs.receptionReport(now: Instant(nanoseconds: .min))
        var ss = SendStreamStatistics(ssrc: header.ssrc, clockRate: 0)
        ss.handleSent(header, now: Instant(nanoseconds: .min))
        _ = ss.senderReport(now: Instant(nanoseconds: .max), clock: NTPClock(ntpNanosecondsAtZero: .max))
        return true
    }

    private static func fuzzOperations(_ bytes: UnsafeRawBufferPointer) {
        var seq = SequenceRewriter(initialOutput: SequenceNumber(65535))
        var ts = TimestampRewriter(clockRate: 90_000, initialOutput: 0xFFFF_FFFF)
        var nack = NackGenerator(
            senderSSRC: SSRC(1), mediaSSRC: SSRC(2),
            configuration: NackGeneratorConfiguration(maxRetries: 3, maxPacketAge: 300, maxListSize: 64, maxPairsPerMessage: 2))
        var rs = ReceiveStreamStatistics(ssrc: SSRC(2), clockRate: 48_000)
        var ss = SendStreamStatistics(ssrc: SSRC(2), clockRate: 48_000)
        var kf = KeyframeRequestThrottle(senderSSRC: SSRC(1), mediaSSRC: SSRC(2), method: .fir,
                                         retryInterval: .milliseconds(700))
        let clock = NTPClock(unixNanosecondsAtZero: 1_700_000_000_000_000_000)
        var now = Instant.zero
        var i = 0
        while i &+ 5 <= bytes.count {
            let op = bytes[i]
            let a = UInt16(bytes[i &+ 1]) << 8 | UInt16(bytes[i &+ 2])
            let b = UInt16(bytes[i &+ 3]) << 8 | UInt16(bytes[i &+ 4])
            i &+= 5
            now = now + .microseconds(Int64(b))
            switch op % 16 {
            case 0: seq.sync(to: SequenceNumber(a))
            case 1: _ = seq.drop(SequenceNumber(a))
            case 2: _ = seq.input(SequenceNumber(a))
            case 3: ts.sync()
            case 4: _ = ts.input(UInt32(a) << 16 | UInt32(b), now: now)
            case 5: nack.handlePacket(SequenceNumber(a), isKeyframe: b & 1 != 0, isRetransmission: b & 2 != 0, now: now)
            case 6:
                nack.handleTimeout(now: nack.nextTimeout()?.0 ?? now)
                while nack.pollOutput() != nil {}
            case 7: nack.roundTripTime = .microseconds(Int64(a) &* Int64(b))
            case 8:
                rs.handlePacket(sequenceNumber: SequenceNumber(a), timestamp: UInt32(b) &* 960, payloadLength: Int(b),
                                isRetransmission: a & 1 != 0, now: now)
            case 9: rs.handleSenderReport(ntpTime: UInt64(a) << 48 | UInt64(b) << 16, now: now)
            case 10:
                if let r = rs.receptionReport(now: now) {
                    ss.handle(receptionReport: r, now: now, clock: clock)
                }
            case 11:
                ss.handleSent(timestamp: UInt32(a) << 16 | UInt32(b), payloadLength: Int(a), now: now)
                _ = ss.senderReport(now: now, clock: clock)
            case 12:
                let r = ReceptionReport(ssrc: SSRC(2), lastSenderReport: UInt32(a) << 16 | UInt32(b),
                                        delaySinceLastSenderReport: UInt32(b) << 16 | UInt32(a))
                ss.handle(receptionReport: r, now: now, clock: clock)
            case 13: kf.request(now: now)
            case 14: kf.keyframeReceived(now: now)
            default:
                kf.handleTimeout(now: kf.nextTimeout()?.0 ?? now)
                _ = kf.pollOutput()
            }
        }
        _ = seq.nextOutput
        _ = ts.lastOutput
        _ = nack.missingCount
    }
}
