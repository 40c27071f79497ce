/// The table-of-contents byte of an Opus packet (RFC 6716 §3.1) with the frame count it
/// implies (§3.2), validated against the packet-length rules R1–R7 (§3.4).
///
/// ```
///  0 1 2 3 4 5 6 7
/// +-+-+-+-+-+-+-+-+
/// | config  |s| c |      config: mode, bandwidth, frame size (Table 2); s: stereo;
/// +-+-+-+-+-+-+-+-+      c: 0 = 1 frame, 1 = 2 equal frames, 2 = 2 frames, 3 = M frames
///
/// code 3 frame count byte:
///  0 1 2 3 4 5 6 7
/// +-+-+-+-+-+-+-+-+
/// |v|p|     M     |      v: VBR, p: padding present, M: number of frames (1...48)
/// +-+-+-+-+-+-+-+-+
/// ```
public struct OpusTOC: Hashable, Sendable {
    public enum Mode: Hashable, Sendable { case silk, hybrid, celt }
    public enum Bandwidth: Hashable, Sendable { case narrow, medium, wide, superWide, full }

    /// config (0...31).
    public var config: UInt8
    /// s: stereo.
    public var isStereo: Bool
    /// c (0...3).
    public var frameCountCode: UInt8
    /// Number of frames in the packet.
    public var frameCount: Int
    /// Frame count byte flags (code 3 only).
    public var isVBR: Bool = false
    public var hasPadding: Bool = false

    public init(config: UInt8, isStereo: Bool, frameCountCode: UInt8, frameCount: Int) {
        self.config = config & 0x1F
        self.isStereo = isStereo
        self.frameCountCode = frameCountCode & 0x03
        self.frameCount = frameCount
    }

    /// The TOC byte.
    @inlinable public var byte: UInt8 { config << 3 | (isStereo ? 0x04 : 0) | frameCountCode }

    public var mode: Mode {
        switch config {
        case 0...11: return .silk
        case 12...15: return .hybrid
        default: return .celt
        }
    }

    public var bandwidth: Bandwidth {
        switch config {
        case 0...3: return .narrow
        case 4...7: return .medium
        case 8...11: return .wide
        case 12...13: return .superWide
        case 14...15: return .full
        case 16...19: return .narrow
        case 20...23: return .wide
        case 24...27: return .superWide
        default: return .full
        }
    }

    /// Duration of one frame in 48 kHz samples (2.5 ms = 120 … 60 ms = 2880).
    public var frameDurationSamples: Int {
        switch mode {
        case .silk:
            // 10, 20, 40, 60 ms
            switch config & 0x03 { case 0: return 480; case 1: return 960; case 2: return 1920; default: return 2880 }
        case .hybrid:
            // 10, 20 ms
            return config & 0x01 == 0 ? 480 : 960
        case .celt:
            // 2.5, 5, 10, 20 ms
            return 120 << Int(config & 0x03)
        }
    }

    /// Duration of one frame in microseconds.
    public var frameDurationMicroseconds: Int { frameDurationSamples * 1000 / 48 }

    /// Duration of the whole packet in 48 kHz samples.
    public var packetDurationSamples: Int { frameDurationSamples * frameCount }

    /// The largest frame RFC 6716 allows (R2).
    public static let maxFrameLength = 1275
    /// The longest packet duration (120 ms) in 48 kHz samples (R5).
    public static let maxPacketSamples = 5760

    /// Reads a frame length (§3.2.1): one byte below 252, else two bytes.
    static func readFrameLength(_ r: inout ByteReader) throws(ParseError) -> Int {
        let b0 = Int(try r.readU8())
        if b0 < 252 { return b0 }
        let b1 = Int(try r.readU8())
        return b1 &* 4 &+ b0
    }

    /// Parses and validates the Opus packet `payload` (the whole RTP payload).
    ///
    /// - Throws: `.opus` `.truncated` for an empty packet or missing length bytes;
    ///   `.invalidLength` when frame lengths break R2–R7; `.invalidValue` for M = 0 or more
    ///   than 120 ms of audio.
    public static func parse(_ payload: UnsafeRawBufferPointer) throws(ParseError) -> OpusTOC {
        var r = ByteReader(payload, format: .opus)
        let toc = try r.readU8()
        var t = OpusTOC(config: toc >> 3, isStereo: toc & 0x04 != 0, frameCountCode: toc & 0x03, frameCount: 1)
        switch t.frameCountCode {
        case 0:
            guard r.remaining <= maxFrameLength else {
                throw ParseError(.opus, .invalidLength, at: 1, "frame longer than 1275 bytes")
            }
        case 1:
            t.frameCount = 2
            guard r.remaining % 2 == 0, r.remaining / 2 <= maxFrameLength else {
                throw ParseError(.opus, .invalidLength, at: 1, "code 1 frames of unequal or excessive length")
            }
        case 2:
            t.frameCount = 2
            let first = try readFrameLength(&r)
            guard first <= r.remaining, r.remaining &- first <= maxFrameLength, first <= maxFrameLength else {
                throw ParseError(.opus, .invalidLength, at: 1, "code 2 frame length past the end")
            }
        default:
            let fc = try r.readU8()
            t.isVBR = fc & 0x80 != 0
            t.hasPadding = fc & 0x40 != 0
            let m = Int(fc & 0x3F)
            guard m >= 1 else {
                throw ParseError(.opus, .invalidValue, at: 1, "zero frames")
            }
            guard m &* t.frameDurationSamples <= maxPacketSamples else {
                throw ParseError(.opus, .invalidValue, at: 1, "more than 120 ms of audio")
            }
            t.frameCount = m
            var padding = 0
            if t.hasPadding {
                while true {
                    let p = Int(try r.readU8())
                    if p == 255 {
                        padding &+= 254
                    } else {
                        padding &+= p
                        break
                    }
                }
            }
            guard padding <= r.remaining else {
                throw ParseError(.opus, .invalidLength, at: r.position, "padding past the end")
            }
            var data = r.remaining &- padding
            if t.isVBR {
                for _ in 0..<(m &- 1) {
                    let before = r.position
                    let len = try readFrameLength(&r)
                    let used = r.position &- before
                    guard len <= maxFrameLength, used &+ len <= data else {
                        throw ParseError(.opus, .invalidLength, at: before, "VBR frame length past the end")
                    }
                    data &-= used &+ len
                }
                guard data <= maxFrameLength else {
                    throw ParseError(.opus, .invalidLength, at: r.position, "last frame longer than 1275 bytes")
                }
            } else {
                guard data % m == 0, data / m <= maxFrameLength else {
                    throw ParseError(.opus, .invalidLength, at: r.position, "CBR frames of unequal or excessive length")
                }
            }
        }
        return t
    }
}
