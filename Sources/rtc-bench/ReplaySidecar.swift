import Foundation
import RTCCore

/// The JSON twin of a replay fixture (`X.pcap` → `X.json`): the publisher session the pcap's
/// plaintext RTP belongs to, enough for `rtc-bench replay` to negotiate the same session
/// (m-sections, payload types, simulcast rids, header extension ids) before replaying it.
///
/// ```json
/// { "version": 1, "seconds": 20, "packets": 5123,
///   "source": "127.0.0.1:54321", "destination": "127.0.0.1:40000",
///   "tracks": [ { "mid": "0", "kind": "audio", "codec": "opus", "payloadType": 111,
///                 "clockRate": 48000, "rids": [], "ssrcs": [123] },
///               { "mid": "1", "kind": "video", "codec": "VP8", "payloadType": 96,
///                 "rtxPayloadType": 97, "clockRate": 90000, "rids": ["q","h","f"],
///                 "ssrcs": [1, 2, 3] } ],
///   "extmap": { "1": "urn:ietf:params:rtp-hdrext:ssrc-audio-level", ... } }
/// ```
struct ReplaySidecar: Codable {
    struct Track: Codable {
        var mid: String
        var kind: String
        var codec: String
        var payloadType: UInt8
        var rtxPayloadType: UInt8?
        var clockRate: UInt32
        var rids: [String]
        /// SSRCs the fixture uses, one per rid (informational: replay learns them by mid/rid).
        var ssrcs: [UInt32]?
        /// Description of each layer, e.g. "320x180@30 L1T3 100 kbps" (informational).
        var layers: [String]?
    }

    var version: Int = 1
    var seconds: Double
    var packets: Int
    var source: String
    var destination: String
    var tracks: [Track]
    /// Extension id (decimal string) → URI, shared by every m-section.
    var extmap: [String: String]

    static func sidecarPath(forPcap path: String) -> String {
        if path.hasSuffix(".pcap") { return String(path.dropLast(5)) + ".json" }
        return path + ".json"
    }

    func write(to path: String) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try e.encode(self).write(to: URL(fileURLWithPath: path))
    }

    static func read(from path: String) throws -> ReplaySidecar {
        try JSONDecoder().decode(ReplaySidecar.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The `a=extmap` lines for an m-section of `kind` (audio-level only on audio; rid and
    /// repaired-rid only on video).
    func extMaps(for kind: SDPMediaKind) -> [SDPExtMap] {
        extmap.compactMap { (k, uri) -> SDPExtMap? in
            guard let id = UInt16(k) else { return nil }
            if kind == .video, uri == SDPExtensionURI.audioLevel { return nil }
            if kind == .audio, uri == SDPExtensionURI.rid || uri == SDPExtensionURI.repairedRid { return nil }
            return SDPExtMap(id: id, uri: uri)
        }.sorted { $0.id < $1.id }
    }
}

extension ReplaySidecar.Track {
    var mediaKind: SDPMediaKind { kind == "audio" ? .audio : .video }

    /// The codec this section offers, with the fixture's payload types.
    var capability: SDPCodecCapability? {
        var c: SDPCodecCapability
        switch codec.lowercased() {
        case "opus": c = .opus
        case "vp8": c = .vp8
        case "vp9": c = .vp9
        case "h264": c = .h264
        case "av1": c = .av1
        default: return nil
        }
        c.payloadType = PayloadType(payloadType)
        if let r = rtxPayloadType {
            c.rtxPayloadType = PayloadType(r)
            c.rtx = true
        } else {
            c.rtx = false
            c.rtxPayloadType = nil
        }
        return c
    }
}
