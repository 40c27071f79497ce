/// Fuzz entry point for the RTCP parser family.
///
/// The `precondition`s here are the fuzzer's oracle, not input checks: each states a property
/// that holds for every value the parsers return (the comment at each says why), so a
/// mutation that breaks one has found a real bug.
public enum RTCPFuzz {
    /// Walks `bytes` as a compound RTCP datagram and decodes every packet, touching every
    /// accessor: report blocks, SDES items, BYE reason, APP name, NACK expansion, REMB bitrate,
    /// TWCC expansion to the per-packet list. Each decoded packet is written back and parsed
    /// again, and must come back equal. Returns true when the whole datagram parsed.
    ///
    /// Work is bounded by the input: every loop advances over wire bytes, except the TWCC
    /// expansion, which yields at most the packet status count (≤ 65,535) per feedback packet,
    /// a count the chunks were checked to cover.
    public static func fuzz(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var ok = walk(bytes, paddingPolicy: .lastPacketOnly)
        // The lenient policy accepts everything the strict one does, and more.
        let lenient = walk(bytes, paddingPolicy: .anyPacket)
        precondition(!ok || lenient, "lenient padding policy refused what the strict one accepted")
        ok = ok && lenient
        return ok
    }

    static func walk(
        _ bytes: UnsafeRawBufferPointer, paddingPolicy: RTCPCompoundIterator.PaddingPolicy
    ) -> Bool {
        var it = RTCPCompoundIterator(bytes, paddingPolicy: paddingPolicy)
        do throws(ParseError) {
            while let slice = try it.next() {
                let packet = try RTCPPacket.parse(slice)
                touch(packet)
                roundTrip(packet)
            }
            return true
        } catch {
            return false
        }
    }

    static func touch(_ packet: RTCPPacket) {
        var sink = 0
        switch packet {
        case .senderReport(let sr):
            sink &+= Int(sr.compactNTPTime) &+ sr.reports.count &+ sr.profileExtensions.count
        case .receiverReport(let rr):
            for r in rr.reports { sink &+= Int(r.cumulativeLost) }
        case .sourceDescription(let sdes):
            for c in sdes.chunks {
                sink &+= c.cname?.utf8.count ?? 0
                for item in c.items { sink &+= item.text.utf8.count &+ Int(item.type.rawValue) }
            }
        case .goodbye(let bye):
            sink &+= bye.sources.count &+ (bye.reasonText?.utf8.count ?? 0)
        case .applicationDefined(let app):
            sink &+= app.nameText.utf8.count &+ app.data.count
        case .transportLayerNack(let nack):
            let lost = nack.lostSequenceNumbers
            var expected = 0
            for p in nack.pairs { expected &+= p.count }
            precondition(lost.count == expected, "NACK expansion count")  // 1 + popcount per pair
        case .transportWideCongestionControl(let fb):
            var it = fb.makePacketIterator()
            var n = 0
            var received = 0
            while let p = it.next() {
                n &+= 1
                if p.isReceived { received &+= 1 }
            }
            // Parsing checked that the chunks cover the count and every received status has
            // its delta, so the walk yields exactly packetStatusCount results.
            precondition(n == Int(fb.packetStatusCount), "TWCC expansion count")
            precondition(received == fb.receiveDeltas.count, "TWCC received count")
            if fb.packetStatusCount <= 4096 { rebuild(fb) }
        case .pictureLossIndication(let pli):
            sink &+= Int(pli.mediaSSRC.rawValue & 1)
        case .fullIntraRequest(let fir):
            sink &+= fir.entries.count
        case .receiverEstimatedMaximumBitrate(let remb):
            let (e, m) = ReceiverEstimatedMaximumBitrate.encode(remb.bitrate)
            precondition(
                ReceiverEstimatedMaximumBitrate.decode(exponent: e, mantissa: m) == remb.bitrate,
                "a parsed REMB bitrate is representable")
        case .unknown(let u):
            sink &+= u.body.count
        }
        _ = sink
    }

    /// Writes a parsed packet and parses it again: it must be equal. Parsed values are always
    /// writable (counts came from 5-bit fields, sizes from the 16-bit length) and the writers
    /// keep every field the parsers keep.
    static func roundTrip(_ packet: RTCPPacket) {
        let size = packet.marshalSize
        withUnsafeTemporaryAllocation(byteCount: size, alignment: 1) { buf in
            var w = ByteWriter(buf, format: .rtcp)
            do throws(WriteError) {
                try packet.write(to: &w)
            } catch {
                preconditionFailure("a parsed RTCP packet could not be written")
            }
            precondition(w.position == size, "marshalSize matches what write produced")
            let again = try? RTCPPacket.parse(UnsafeRawBufferPointer(buf))
            precondition(again == packet, "RTCP packet round trip")
        }
    }

    /// Expands a parsed TWCC feedback, re-encodes the list with ``TWCCFeedbackBuilder`` and
    /// expands again: the same sequence numbers and losses, the same arrival times up to the
    /// 24-bit reference time wrap. Holds because consecutive parsed deltas fit 16 bits, the
    /// builder's first delta is below 64 ms, and all times sit on the 250 µs grid.
    static func rebuild(_ fb: TransportWideCongestionControl) {
        let results = fb.packetResults()
        var b = TWCCFeedbackBuilder(
            senderSSRC: fb.senderSSRC, mediaSSRC: fb.mediaSSRC,
            feedbackPacketCount: fb.feedbackPacketCount,
            maxPacketSize: TWCCFeedbackBuilder.maxRTCPPacketSize)
        for r in results {
            precondition(b.add(r), "builder takes every parsed TWCC result")
        }
        let again = b.build().packetResults()
        precondition(again.count == results.count, "TWCC rebuild count")
        var offset: Int64?
        let wrap = Int64(1 << 24) &* TransportWideCongestionControl.referenceTimeUnitMicroseconds
        for (x, y) in zip(results, again) {
            precondition(x.sequenceNumber == y.sequenceNumber, "TWCC rebuild sequence")
            precondition(x.isReceived == y.isReceived, "TWCC rebuild loss")
            if let tx = x.arrivalMicroseconds, let ty = y.arrivalMicroseconds {
                let d = ty &- tx
                if offset == nil { precondition(d % wrap == 0, "TWCC rebuild reference wrap") }
                precondition(d == (offset ?? d), "TWCC rebuild arrival")
                offset = d
            }
        }
    }
}
