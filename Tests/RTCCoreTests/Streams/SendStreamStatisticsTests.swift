import Testing
@testable import RTCCore

@Suite struct SendStreamStatisticsTests {
    typealias S = StreamsTestSupport

    /// Instant.zero is 2023-11-14 22:13:20 UTC (Unix 1,700,000,000 s).
    static let clock = NTPClock(unixNanosecondsAtZero: 1_700_000_000 * 1_000_000_000)

    @Test func ntpTimestamps() {
        let secs: UInt64 = 1_700_000_000 + 2_208_988_800
        #expect(Self.clock.ntpTime(at: .zero) == secs << 32)
        #expect(Self.clock.ntpTime(at: S.ms(500)) == secs << 32 | 0x8000_0000)
        #expect(Self.clock.ntpTime(at: S.ms(1250)) == (secs + 1) << 32 | 0x4000_0000)
        #expect(Self.clock.compactNTPTime(at: S.ms(500)) == UInt32(truncatingIfNeeded: secs << 16) | 0x8000)
        // Before 1900 and far in the future: saturated, no trap.
        let early = NTPClock(ntpNanosecondsAtZero: 0)
        #expect(early.ntpTime(at: Instant(nanoseconds: -5)) == 0)
        #expect(early.ntpTime(at: Instant(nanoseconds: .max)) == UInt64(Int64.max / 1_000_000_000) << 32
            | UInt64(Int64.max % 1_000_000_000) << 32 / 1_000_000_000)
        let late = NTPClock(ntpNanosecondsAtZero: .max)
        #expect(late.ntpTime(at: Instant(nanoseconds: .max)) == .max)
        #expect(NTPClock(unixNanosecondsAtZero: .max).ntpNanosecondsAtZero == .max)
    }

    @Test func compactDurations() {
        #expect(NTPClock.compact(.milliseconds(1500)) == 0x0001_8000)
        #expect(NTPClock.compact(.seconds(-1)) == 0)
        #expect(NTPClock.compact(.seconds(1_000_000)) == .max)
        #expect(NTPClock.duration(compact: 0x0005_4000) == .milliseconds(5250))
    }

    /// RFC 3550 §6.4.1's worked example: A = 0xb710:8000 (46864.500 s), LSR = 0xb705:2000
    /// (46853.125 s), DLSR = 0x0005:4000 (5.250 s) → RTT 0x0006:2000 = 6.125 s.
    @Test func roundTripTimeRFCExample() {
        let clock = NTPClock(ntpNanosecondsAtZero: 46_864_500_000_000)
        #expect(clock.compactNTPTime(at: .zero) == 0xB710_8000)
        let report = ReceptionReport(ssrc: SSRC(5), lastSenderReport: 0xB705_2000, delaySinceLastSenderReport: 0x0005_4000)
        #expect(SendStreamStatistics.roundTripTime(report, receivedAt: .zero, clock: clock) == .milliseconds(6125))
        var st = SendStreamStatistics(ssrc: SSRC(5), clockRate: 90_000)
        let h1 = st.handle(receptionReport: report, now: .zero, clock: clock)
        #expect(h1 == .milliseconds(6125))
        #expect(st.roundTripTime == .milliseconds(6125) && st.lastReceptionReport == report)
    }

    @Test func roundTripTimeEdgeCases() {
        let clock = NTPClock(ntpNanosecondsAtZero: 46_864_500_000_000)
        var st = SendStreamStatistics(ssrc: SSRC(5), clockRate: 90_000)
        // No SR seen by the receiver yet.
        let h2 = st.handle(receptionReport: ReceptionReport(ssrc: SSRC(5)), now: .zero, clock: clock)
        #expect(h2 == nil)
        #expect(st.lastReceptionReport != nil && st.roundTripTime == nil)
        // About another stream: ignored.
        let other = ReceptionReport(ssrc: SSRC(6), lastSenderReport: 0xB705_2000)
        let h3 = st.handle(receptionReport: other, now: .zero, clock: clock)
        #expect(h3 == nil)
        #expect(st.lastReceptionReport?.ssrc == SSRC(5))
        // DLSR larger than the elapsed time (skew): zero, not a huge value.
        let skewed = ReceptionReport(ssrc: SSRC(5), lastSenderReport: 0xB710_0000, delaySinceLastSenderReport: 0x0001_0000)
        let h4 = st.handle(receptionReport: skewed, now: .zero, clock: clock)
        #expect(h4 == .zero)
    }

    @Test func senderReportExtrapolatesTheRTPTimestamp() throws {
        var st = SendStreamStatistics(ssrc: SSRC(0xABCD), clockRate: 90_000)
        #expect(st.senderReport(now: .zero, clock: Self.clock) == nil, "nothing sent yet")
        st.handleSent(timestamp: 90_000, payloadLength: 1000, now: S.ms(1000))
        st.handleSent(timestamp: 93_000, payloadLength: 1100, now: S.ms(1033))
        // A late packet with an older timestamp does not move the reference.
        st.handleSent(timestamp: 90_000, payloadLength: 10, now: S.ms(1040))
        let sr = try #require(st.senderReport(now: S.ms(1500), clock: Self.clock))
        #expect(sr.ssrc == SSRC(0xABCD))
        #expect(sr.rtpTime == 93_000 + 467 * 90)
        #expect(sr.packetCount == 3 && sr.octetCount == 2110)
        #expect(sr.ntpTime == Self.clock.ntpTime(at: S.ms(1500)))
        #expect(st.rtpTimestamp(at: S.ms(1033)) == 93_000)
        // The bytes of the sender info (RFC 3550 §6.4.1), no report blocks.
        var bytes = [UInt8](repeating: 0, count: sr.marshalSize)
        try bytes.withUnsafeMutableBytes { raw in
            var w = ByteWriter(raw, format: .rtcp)
            try sr.write(to: &w)
        }
        let secs: UInt32 = 1_700_000_001 + 2_208_988_800
        #expect(bytes == S.hex("80 c8 00 06  00 00 ab cd") + be32(secs) + S.hex("80 00 00 00")
            + be32(93_000 + 467 * 90) + S.hex("00 00 00 03  00 00 08 3e"))
    }

    @Test func rtpTimestampWraps() throws {
        var st = SendStreamStatistics(ssrc: SSRC(1), clockRate: 48_000)
        st.handleSent(timestamp: 0xFFFF_FF00, payloadLength: 1, now: .zero)
        #expect(st.rtpTimestamp(at: S.ms(20)) == 0xFFFF_FF00 &+ 960)
        st.handleSent(timestamp: 0x0000_0100, payloadLength: 1, now: S.ms(20))
        #expect(st.rtpTimestamp(at: S.ms(20)) == 0x100)
    }

    @Test func headerOverload() throws {
        var st = SendStreamStatistics(ssrc: SSRC(1), clockRate: 90_000)
        let bytes = S.packet(seq: 1, ts: 77, payload: [1, 2, 3], padding: 4)
        let h = try bytes.withUnsafeBytes { try RTPHeader.parse($0) }
        st.handleSent(h, now: .zero)
        #expect(st.payloadBytesSent == 3 && st.packetsSent == 1 && st.rtpTimestamp(at: .zero) == 77)
    }

    /// A sender and a receiver with path delays: the RTT from SR → RR equals the two one-way
    /// delays, to within the 1/65536 s resolution of the compact NTP format.
    @Test(arguments: 0..<8)
    func roundTripThroughBothSides(seed: UInt64) throws {
        var rng = SeededRandom(seed: 0x277 &+ seed)
        let clock = NTPClock(unixNanosecondsAtZero: Int64(rng.next() % (1 << 60)))
        var sender = SendStreamStatistics(ssrc: SSRC(7), clockRate: 90_000)
        var receiver = ReceiveStreamStatistics(ssrc: SSRC(7), clockRate: 90_000)
        let sendAt = Instant(nanoseconds: Int64(rng.next() % 1_000_000_000_000))
        sender.handleSent(timestamp: 1, payloadLength: 1, now: sendAt)
        receiver.handlePacket(sequenceNumber: SequenceNumber(1), timestamp: 1, payloadLength: 1, now: sendAt)
        let up = Duration.nanoseconds(Int64(rng.next() % 200_000_000))
        let hold = Duration.nanoseconds(Int64(rng.next() % 2_000_000_000))
        let down = Duration.nanoseconds(Int64(rng.next() % 200_000_000))
        let sr = try #require(sender.senderReport(now: sendAt, clock: clock))
        receiver.handle(senderReport: sr, now: sendAt + up)
        let maybeRR = receiver.receptionReport(now: sendAt + up + hold)
        let rr = try #require(maybeRR)
        let maybeRTT = sender.handle(receptionReport: rr, now: sendAt + up + hold + down, clock: clock)
        let rtt = try #require(maybeRTT)
        let error = abs((rtt - (up + down)).rtcNanoseconds)
        #expect(error <= 2 * 1_000_000_000 / 65536, "rtt \(rtt) vs \(up + down)")
    }

    func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
}
