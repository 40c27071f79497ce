import RTCCore

/// A replay fixture loaded for replay: the plaintext RTP packets of the pcap (those sent to
/// the sidecar's destination), each classified once (track, simulcast layer, padding) with
/// the publisher's negotiated extension map, and what it takes to repeat it seamlessly
/// (per-SSRC sequence and timestamp spans).
struct ReplayFixture {
    struct Packet {
        var bytes: [UInt8]
        /// Media time from the first packet.
        var offsetNanos: Int64
        /// Index of the sidecar track (-1: unknown stream).
        var track: Int
        var layer: Int
        var isPadding: Bool
    }

    var packets: [Packet] = []
    /// Duration of one pass: the next repetition starts this much later.
    var passNanos: Int64
    /// Per SSRC: sequence numbers and RTP timestamp ticks one pass advances.
    var spans: [UInt32: (sequence: UInt16, ticks: UInt32)] = [:]

    struct LoadError: Error, CustomStringConvertible { var description: String }

    /// Reads `pcap` (sidecar alongside), keeping the first `seconds` of media (all when nil).
    static func load(pcap path: String, sidecar: ReplaySidecar, map: RTPExtensionMap, seconds: Double?) throws -> ReplayFixture {
        guard let bytes = readFile(path) else { throw LoadError(description: "cannot read \(path)") }
        let all: [PcapPacket]
        do { all = try PcapReader.read(bytes) } catch { throw LoadError(description: "\(path): \(error)") }
        let destination = TransportAddress(sidecar.destination)
        let limitNanos = seconds.map { Int64($0 * 1e9) } ?? Int64.max
        var fx = ReplayFixture(passNanos: 0)
        var first: UInt64?
        var firstSeq: [UInt32: UInt16] = [:]
        var lastSeq: [UInt32: UInt16] = [:]
        var clockRates: [UInt32: UInt32] = [:]
        var learned: [UInt32: (track: Int, layer: Int)] = [:]
        for p in all {
            if let d = destination, p.destination != d { continue }
            let classified: (RTPHeader, RTPExtensionValues)? = p.payload.withUnsafeBytes { raw in
                guard Demux.classify(raw) == .rtp else { return nil }
                return try? RTPHeader.parseForForwarding(raw, map: map)
            }
            guard let (h, v) = classified else { continue }
            let t0 = first ?? p.timestampMicros
            first = t0
            let offset = Int64(p.timestampMicros &- t0) * 1000
            if offset >= limitNanos { break }
            var track = -1
            var layer = 0
            let ssrc = h.ssrc.rawValue
            if let mid = v.mid, let i = sidecar.tracks.firstIndex(where: { $0.mid == mid.description }) {
                track = i
                if let rid = v.rid { layer = sidecar.tracks[i].rids.firstIndex(of: rid.description) ?? 0 }
                clockRates[ssrc] = sidecar.tracks[i].clockRate
                if v.repairedRid == nil { learned[ssrc] = (track, layer) }
            } else if let known = learned[ssrc] {
                // Browsers stop sending mid/rid once the server's reports acknowledged the SSRC
                // (the router, too, goes by the SSRC it learned from them).
                (track, layer) = known
            }
            // RTX (retransmissions, bandwidth probes) is not expected on egress as such.
            if track >= 0, let rtx = sidecar.tracks[track].rtxPayloadType, h.payloadType.rawValue == rtx { track = -1 }
            if firstSeq[ssrc] == nil { firstSeq[ssrc] = h.sequenceNumber.rawValue }
            lastSeq[ssrc] = h.sequenceNumber.rawValue
            fx.packets.append(Packet(bytes: p.payload, offsetNanos: offset, track: track, layer: layer,
                                     isPadding: h.payloadLength == 0))
        }
        guard let last = fx.packets.last else { throw LoadError(description: "\(path): no RTP packets") }
        // One pass lasts the fixture's whole seconds (the media clock of the next frame / audio
        // packet), at least the last packet plus 20 ms.
        let nominal = seconds.map { Int64($0 * 1e9) } ?? Int64(sidecar.seconds * 1e9)
        fx.passNanos = max(nominal, last.offsetNanos + 20_000_000)
        for (ssrc, f) in firstSeq {
            let span = (lastSeq[ssrc] ?? f) &- f &+ 1
            let rate = UInt64(clockRates[ssrc] ?? 90_000)
            fx.spans[ssrc] = (span, UInt32(truncatingIfNeeded: UInt64(fx.passNanos) * rate / 1_000_000_000))
        }
        return fx
    }
}
