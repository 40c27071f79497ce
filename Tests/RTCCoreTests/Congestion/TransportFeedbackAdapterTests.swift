import Testing
@testable import RTCCore

@Suite struct TransportFeedbackAdapterTests {
    typealias S = CongestionTestSupport

    @Test func joinsFeedbackWithHistoryInSendOrder() {
        var a = TransportFeedbackAdapter()
        for i in 0..<5 {
            a.onPacketSent(sequenceNumber: UInt16(i), sendTime: S.ms(Int64(i) * 10), size: 1000 + i,
                           probeClusterID: i == 3 ? 7 : nil)
        }
        var out: [PacketFeedback] = []
        a.onFeedback(S.feedback([(0, 1_000_000), (1, 1_010_250), (2, nil), (3, 1_030_000)]), into: &out)
        #expect(out.map(\.sequenceNumber) == [0, 1, 2, 3])
        #expect(out.map(\.arrivalTime) == [S.us(1_000_000), S.us(1_010_250), nil, S.us(1_030_000)])
        #expect(out.map(\.sendTime) == [S.ms(0), S.ms(10), S.ms(20), S.ms(30)])
        #expect(out.map(\.size) == [1000, 1001, 1002, 1003])
        #expect(out.map(\.probeClusterID) == [nil, nil, nil, 7])
    }

    @Test func sequenceNumbersWrap() {
        var a = TransportFeedbackAdapter()
        for (i, s) in [UInt16(65534), 65535, 0, 1].enumerated() {
            a.onPacketSent(sequenceNumber: s, sendTime: S.ms(Int64(i)), size: 100)
        }
        #expect(a.highestSequenceNumber == 65537)
        var out: [PacketFeedback] = []
        a.onFeedback(S.feedback([(65535, 500_000), (0, 501_000), (1, 502_000)]), into: &out)
        #expect(out.map(\.sequenceNumber) == [65535, 65536, 65537])
        #expect(out.map(\.sendTime) == [S.ms(1), S.ms(2), S.ms(3)])
    }

    @Test func duplicatesAndLateArrivals() {
        var a = TransportFeedbackAdapter()
        for i in 0..<3 { a.onPacketSent(sequenceNumber: UInt16(i), sendTime: S.ms(Int64(i)), size: 100) }
        var out: [PacketFeedback] = []
        a.onFeedback(S.feedback([(0, 64_000), (1, nil), (2, 66_000)]), into: &out)
        #expect(out.count == 3)
        // The same feedback again: nothing new.
        a.onFeedback(S.feedback([(0, 64_000), (1, nil), (2, 66_000)]), into: &out)
        #expect(out.isEmpty)
        #expect(a.stats.duplicateReports == 3)
        // Packet 1 arrived late after all: reported once more, as received.
        a.onFeedback(S.feedback([(1, 70_000)]), into: &out)
        #expect(out.map(\.sequenceNumber) == [1])
        #expect(out.first?.arrivalTime == S.us(70_000))
    }

    @Test func unknownAndOverwrittenSequenceNumbersAreIgnored() {
        var a = TransportFeedbackAdapter(capacity: 64)
        #expect(a.capacity == 64)
        var out: [PacketFeedback] = []
        a.onFeedback(S.feedback([(0, 0)]), into: &out)   // nothing sent yet
        #expect(out.isEmpty && a.stats.unknownReports == 1)
        for i in 0..<100 { a.onPacketSent(sequenceNumber: UInt16(i), sendTime: S.ms(Int64(i)), size: 100) }
        // 0…35 were overwritten by 64…99; 101 was never sent.
        a.onFeedback(S.feedback([(35, 0), (36, 1000)]), into: &out)
        #expect(out.map(\.sequenceNumber) == [36])
        a.onFeedback(S.feedback([(101, 0)]), into: &out)
        #expect(out.isEmpty)
        #expect(a.stats.unknownReports == 3)
    }

    @Test func referenceTimeUnwrapsAcrossFeedback() {
        var a = TransportFeedbackAdapter()
        a.onPacketSent(sequenceNumber: 0, sendTime: S.ms(0), size: 100)
        a.onPacketSent(sequenceNumber: 1, sendTime: S.ms(64), size: 100)
        // Reference time 2^23 − 1 (the largest), then the next 64 ms unit wraps to −2^23.
        let last: Int64 = (1 << 23) - 1
        var f1 = S.feedback([(0, 0)])
        f1.referenceTime = Int32(last)
        var f2 = S.feedback([(1, 0)])
        f2.referenceTime = -(1 << 23)
        var out: [PacketFeedback] = []
        var arrivals: [Instant] = []
        a.onFeedback(f1, into: &out)
        arrivals += out.compactMap(\.arrivalTime)
        a.onFeedback(f2, into: &out)
        arrivals += out.compactMap(\.arrivalTime)
        #expect(arrivals.count == 2)
        #expect(arrivals[1] - arrivals[0] == .milliseconds(64))
    }

    @Test func closureFormMatchesBufferForm() {
        var a = TransportFeedbackAdapter()
        var b = a
        for i in 0..<20 {
            a.onPacketSent(sequenceNumber: UInt16(i), sendTime: S.ms(Int64(i)), size: 10)
            b.onPacketSent(sequenceNumber: UInt16(i), sendTime: S.ms(Int64(i)), size: 10)
        }
        var reports: [(UInt16, Int64?)] = []
        for i in 0..<20 { reports.append((UInt16(i), i % 3 == 0 ? nil : Int64(i) * 1000)) }
        let fb = S.feedback(reports)
        var viaBuffer: [PacketFeedback] = []
        a.onFeedback(fb, into: &viaBuffer)
        var viaClosure: [PacketFeedback] = []
        b.onFeedback(fb) { viaClosure.append($0) }
        #expect(viaBuffer == viaClosure && viaBuffer.count == 20)
    }
}
