import Foundation
import RTCCore

/// `--capture DIR`: the decrypted RTP and RTCP one participant sends and receives, as a
/// classic pcap (UDP/IPv4 with the real ports), plus a JSON sidecar describing its publisher
/// session (tracks, payload types, rids, extension IDs) so rtc-bench can replay it.
/// Read with `tshark -r FILE -d udp.port==PORT,rtp`. When capture is off no object exists and
/// the per-packet cost is one nil check.
final class PacketCapture {
    let path: String
    private var writer = PcapWriter()
    private var file: UnsafeMutablePointer<FILE>?
    private static let flushThreshold = 256 * 1024

    init?(directory: String, name: String) {
        let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
        path = directory + "/" + safe + ".pcap"
        guard let f = fopen(path, "wb") else { return nil }
        file = f
    }

    deinit { close() }

    static func nowMicros() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }

    func record(_ bytes: UnsafeRawBufferPointer, from: TransportAddress, to: TransportAddress) {
        writer.append(payload: bytes, from: from, to: to, timestampMicros: Self.nowMicros())
        if writer.buffer.count >= Self.flushThreshold { flush() }
    }

    func flush() {
        guard let f = file else { return }
        let chunk = writer.take()
        chunk.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, f) }
        fflush(f)
    }

    func close() {
        flush()
        if let f = file { fclose(f) }
        file = nil
    }

    /// Writes the publisher session next to the pcap (`NAME.json`).
    /// The format is rtc-bench's replay sidecar (`version` 1); `seconds`/`packets` are 0
    /// (unknown while recording: replay takes them from the pcap) and `source` is left empty.
    func writeSidecar(_ negotiated: NegotiatedSession, server: TransportAddress?) {
        var tracks: [[String: Any]] = []
        var extmap: [String: String] = [:]
        for m in negotiated.media where m.accepted {
            guard let codec = m.codecs.first else { continue }
            var t: [String: Any] = ["mid": m.mid.description, "kind": m.kind.token, "codec": codec.encodingName,
                                    "payloadType": Int(codec.payloadType.rawValue), "clockRate": Int(codec.clockRate),
                                    "rids": m.remoteRids.filter { $0.direction == .send }.map { $0.id.description },
                                    "ssrcs": m.remoteSsrcs.map { Int($0.rawValue) }]
            if let r = codec.rtxPayloadType { t["rtxPayloadType"] = Int(r.rawValue) }
            tracks.append(t)
            for e in m.extMaps { extmap[String(e.id)] = e.uri }
        }
        let obj: [String: Any] = ["version": 1, "seconds": 0, "packets": 0, "source": "",
                                  "destination": server?.description ?? "", "tracks": tracks, "extmap": extmap,
                                  "serverPort": Int(server?.port ?? 0)]
        guard let data = try? JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys]) else { return }
        let sidecar = String(path.dropLast(5)) + ".json"
        _ = FileManager.default.createFile(atPath: sidecar, contents: data)
    }
}
