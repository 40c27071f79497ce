import ArgumentParser
import Foundation
import RTCCore

/// `rtc-bench make-fixture OUT.pcap`: a synthetic publisher — VP8 three-layer simulcast
/// (320×180, 640×360, 1280×720, L1T3, rids q/h/f, one SSRC per layer) plus Opus — encoded
/// with libvpx/libopus through the RTCCore senders and written as plaintext RTP in a pcap
/// (IPv4/UDP 127.0.0.1, pcap timestamps on the media clock), with the JSON sidecar
/// (``ReplaySidecar``) `replay` negotiates from.
///
/// ```
///  t = 0 ms   audio(0)  video frame 0: q packets, h packets, f packets (keyframes)
///  t = 20 ms  audio(1)
///  t = 33 ms            video frame 1: q, h, f (TL2)
///  ...
/// ```
struct MakeFixtureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make-fixture", abstract: "Write a synthetic VP8 simulcast + Opus publisher pcap and its JSON sidecar")

    @Argument(help: "Output pcap path (the sidecar goes next to it as .json)")
    var output: String

    @Option(help: "Media seconds")
    var seconds: Double = 20

    @Option(help: "Frames per second of every video layer")
    var fps: Int = 30

    @Option(help: "Bitrates of the three layers in kbps, comma separated")
    var bitrates: String = "100,250,600"

    @Option(help: "Keyframe interval in frames (0: only the first frame)")
    var keyframeInterval: Int = 150

    @Option(help: "Random seed (SSRCs, sequence numbers, timestamp offsets)")
    var seed: UInt64 = 0x5EED

    static let source = TransportAddress("127.0.0.1:54321")!
    static let destination = TransportAddress("127.0.0.1:40000")!
    /// 2023-11-14T22:13:20Z: pcap times start here, then follow the media clock.
    static let epochMicros: UInt64 = 1_700_000_000_000_000

    static let extmap: [UInt16: String] = [
        1: SDPExtensionURI.audioLevel, 2: SDPExtensionURI.absSendTime, 3: SDPExtensionURI.transportWideCC,
        4: SDPExtensionURI.mid, 10: SDPExtensionURI.rid, 11: SDPExtensionURI.repairedRid,
    ]

    mutating func run() throws {
        let kbps = bitrates.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard kbps.count == 3, fps >= 1, fps <= 60, seconds > 0 else {
            print("make-fixture: need three bitrates, fps 1...60 and positive seconds")
            throw ExitCode.failure
        }
        var videoMap = RTPExtensionMap()
        var audioMap = RTPExtensionMap()
        for (id, uri) in Self.extmap {
            if uri != SDPExtensionURI.audioLevel { _ = videoMap.register(uri: uri, id: UInt8(id)) }
            if uri != SDPExtensionURI.rid && uri != SDPExtensionURI.repairedRid {
                _ = audioMap.register(uri: uri, id: UInt8(id))
            }
        }
        var rng = SeededRandom(seed: seed)
        let sizes = [(320, 180), (640, 360), (1280, 720)]
        let rids = ["q", "h", "f"]
        var senders: [SyntheticVP8Sender] = []
        var layerNotes: [String] = []
        for i in 0..<3 {
            let params = RTPStreamParameters.random(
                payloadType: PayloadType(96), clockRate: 90_000, mid: Mid("1"), rid: Rid(rids[i]),
                extensionMap: videoMap, maxPacketSize: 1200, using: &rng)
            let config = VP8EncoderConfiguration(
                width: sizes[i].0, height: sizes[i].1, framesPerSecond: fps, targetBitrate: kbps[i] * 1000,
                keyframeInterval: keyframeInterval, temporalLayers: 3)
            senders.append(try SyntheticVP8Sender(configuration: config, parameters: params,
                                                  initialPictureID: UInt16(truncatingIfNeeded: rng.next()) & 0x7FFF))
            layerNotes.append("\(rids[i]): \(sizes[i].0)x\(sizes[i].1)@\(fps) L1T3 \(kbps[i]) kbps")
        }
        let audioParams = RTPStreamParameters.random(
            payloadType: PayloadType(111), clockRate: 48_000, mid: Mid("0"), extensionMap: audioMap,
            maxPacketSize: 1200, using: &rng)
        let opus = try SyntheticOpusSender(parameters: audioParams, bitrate: 32_000)

        var pcap = PcapWriter(reserve: 4 << 20)
        var twcc: UInt16 = 1
        var packets = 0
        var bytes = 0
        let endNanos = Int64(seconds * 1e9)
        let audioNanos: Int64 = 20_000_000
        var nextFrame: Int64 = 0
        var nextAudio: Int64 = 0
        var frameIndex: Int64 = 0
        while nextFrame < endNanos || nextAudio < endNanos {
            // Audio first at a tie, as a browser's audio thread would.
            if nextAudio <= nextFrame, nextAudio < endNanos {
                let now = Instant(nanoseconds: nextAudio)
                let micros = Self.epochMicros + UInt64(nextAudio / 1000)
                try opus.sendNextFrame(now: now, transportSequence: &twcc) { p in
                    pcap.append(payload: p, from: Self.source, to: Self.destination, timestampMicros: micros)
                    packets += 1
                    bytes += p.count
                }
                nextAudio += audioNanos
                continue
            }
            guard nextFrame < endNanos else { break }
            let now = Instant(nanoseconds: nextFrame)
            for (layer, s) in senders.enumerated() {
                // Layers of one frame leave a few hundred microseconds apart, in q, h, f order.
                let micros = Self.epochMicros + UInt64(nextFrame / 1000) + UInt64(layer * 300)
                try s.sendNextFrame(now: now, transportSequence: &twcc) { p in
                    pcap.append(payload: p, from: Self.source, to: Self.destination, timestampMicros: micros)
                    packets += 1
                    bytes += p.count
                }
            }
            frameIndex += 1
            nextFrame = frameIndex * 1_000_000_000 / Int64(fps)
        }
        let file = pcap.take()
        guard writeFile(output, file) else {
            print("make-fixture: cannot write \(output)")
            throw ExitCode.failure
        }
        var extmap: [String: String] = [:]
        for (id, uri) in Self.extmap { extmap[String(id)] = uri }
        let sidecar = ReplaySidecar(
            seconds: seconds, packets: packets, source: Self.source.description,
            destination: Self.destination.description,
            tracks: [
                .init(mid: "0", kind: "audio", codec: "opus", payloadType: 111, rtxPayloadType: nil, clockRate: 48_000,
                      rids: [], ssrcs: [audioParams.ssrc.rawValue], layers: ["opus 48 kHz mono 32 kbps, 20 ms"]),
                .init(mid: "1", kind: "video", codec: "VP8", payloadType: 96, rtxPayloadType: 97, clockRate: 90_000,
                      rids: rids, ssrcs: senders.map { $0.packetizer.stream.parameters.ssrc.rawValue },
                      layers: layerNotes),
            ],
            extmap: extmap)
        let sidecarPath = ReplaySidecar.sidecarPath(forPcap: output)
        try sidecar.write(to: sidecarPath)
        print("make-fixture: \(packets) RTP packets (\(bytes) bytes of RTP), \(file.count) bytes of pcap "
            + "in \(output), sidecar \(sidecarPath)")
    }
}

/// Writes `bytes` to `path` (replacing it); false on any error.
func writeFile(_ path: String, _ bytes: [UInt8]) -> Bool {
    guard let f = fopen(path, "wb") else { return false }
    defer { fclose(f) }
    return bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) } == bytes.count
}
