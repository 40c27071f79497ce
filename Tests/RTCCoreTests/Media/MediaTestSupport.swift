import Foundation
import Testing
@testable import RTCCore

/// Helpers shared by the media tests.
enum MediaTestSupport {
    /// Extension IDs like Chromium's video extmap (see RTPTestSupport.chromeMap).
    static let videoMap = RTPExtensionMap([
        (2, .absSendTime), (3, .transportWideCC), (4, .mid), (10, .rid),
    ])
    static let audioMap = RTPExtensionMap([
        (1, .audioLevel), (2, .absSendTime), (3, .transportWideCC), (4, .mid),
    ])

    /// The three simulcast encodings Chromium sends for a 720p camera.
    static let simulcastSizes: [(rid: String, width: Int, height: Int, bitrate: Int)] = [
        ("q", 320, 180, 150_000), ("h", 640, 360, 500_000), ("f", 1280, 720, 1_500_000),
    ]

    /// Luma PSNR in dB between two frames of the same size.
    static func psnr(_ a: I420Frame, _ b: I420Frame) -> Double {
        guard let mse = a.lumaMeanSquaredError(comparedTo: b) else { return 0 }
        return mse == 0 ? 99 : 10 * log10(255 * 255 / mse)
    }

    /// Power of `samples` (mono) at `frequency` by the Goertzel algorithm, normalised by length.
    static func goertzel(_ samples: [Double], frequency: Double, sampleRate: Double = 48_000) -> Double {
        let w = 2 * Double.pi * frequency / sampleRate
        let c = 2 * cos(w)
        var s1 = 0.0, s2 = 0.0
        for x in samples {
            let s0 = x + c * s1 - s2
            s2 = s1
            s1 = s0
        }
        let power = s1 * s1 + s2 * s2 - c * s1 * s2
        return power / Double(samples.count * samples.count)
    }

    /// Normalised cross-correlation of two equally long signals.
    static func correlation(_ a: [Double], _ b: [Double]) -> Double {
        let n = min(a.count, b.count)
        guard n > 0 else { return 0 }
        var ab = 0.0, aa = 0.0, bb = 0.0
        for i in 0..<n {
            ab += a[i] * b[i]
            aa += a[i] * a[i]
            bb += b[i] * b[i]
        }
        return aa > 0 && bb > 0 ? ab / (aa * bb).squareRoot() : 0
    }

    /// A fake VP8 frame for depacketizer policy tests: a keyframe starts with a frame tag
    /// whose P bit is 0 and the keyframe start code; the rest is filler.
    static func fakeFrame(
        index: Int, keyframe: Bool, length: Int, layer: UInt8 = 0, sync: Bool = false,
        nonReference: Bool = false, layers: Int = 1
    ) -> VP8EncodedFrame {
        var bytes = [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: max(10, length))
        if keyframe {
            bytes.replaceSubrange(0..<10, with: [0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A, 0x40, 0x01, 0xB4, 0x00])
        } else {
            bytes[0] = 0x01
        }
        return VP8EncodedFrame(bytes: bytes, isKeyframe: keyframe, temporalLayer: layer, layerSync: sync,
                               isNonReference: nonReference, temporalLayerCount: layers,
                               pts: Int64(index) * 3000, width: 320, height: 180)
    }

    /// Frames following the L1T3 pattern: a keyframe at 0 and wherever `keyframes` says.
    static func fakeL1T3(count: Int, keyframes: Set<Int> = [0], length: Int = 2500) -> [VP8EncodedFrame] {
        let pattern = VP8TemporalPattern(layerCount: 3)!
        var position = 0
        return (0..<count).map { i in
            if keyframes.contains(i) { position = 0 }
            let e = pattern.entry(at: position)
            position += 1
            let key = keyframes.contains(i)
            return fakeFrame(index: i, keyframe: key, length: length, layer: key ? 0 : e.temporalLayer,
                             sync: key ? false : e.layerSync, nonReference: key ? false : e.isNonReference, layers: 3)
        }
    }

    /// Drains a depacketizer's outputs.
    static func drain(_ d: inout VP8Depacketizer) -> [VP8DepacketizerOutput] {
        var out: [VP8DepacketizerOutput] = []
        while let o = d.pollOutput() { out.append(o) }
        return out
    }

    static func frames(_ outputs: [VP8DepacketizerOutput]) -> [VP8DepacketizedFrame] {
        outputs.compactMap { if case .frame(let f) = $0 { return f } else { return nil } }
    }

    static func drops(_ outputs: [VP8DepacketizerOutput]) -> [(VP8FrameDropReason, UInt16?)] {
        outputs.compactMap { if case .dropped(let r, _, let p) = $0 { return (r, p) } else { return nil } }
    }

    static func keyframeRequests(_ outputs: [VP8DepacketizerOutput]) -> Int {
        outputs.filter { $0 == .keyframeNeeded }.count
    }
}

/// Reads the annotated-hex fixtures in Fixtures/media.
enum FixtureFiles {
    struct Missing: Error { var path: String }

    static func hex(_ name: String) throws -> [UInt8] {
        let url = RTPTestSupport.packageRoot.appendingPathComponent("Fixtures/media").appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw Missing(path: url.path) }
        return RTPTestSupport.hex(String(decoding: data, as: UTF8.self))
    }
}
