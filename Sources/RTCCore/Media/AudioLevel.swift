/// The RFC 6464 audio level of a block of PCM: its RMS power relative to a full-scale 16-bit
/// signal, in −dBov rounded to whole decibels and clamped to 0...127 (127 = digital silence),
/// the value the `urn:ietf:params:rtp-hdrext:ssrc-audio-level` extension carries (§3):
///
/// ```
///  0 1 2 3 4 5 6 7
/// +-+-+-+-+-+-+-+-+
/// |V|    level    |   level = round(−10·log10(mean(x²) / 32768²))
/// +-+-+-+-+-+-+-+-+
/// ```
/// A full-scale sine measures 3; half scale 9.
public enum AudioLevel {
    /// 10^(−1/10): one decibel of power.
    static let oneDecibel = 0.7943282347242815
    /// 10^(−1/20): half a decibel, for rounding.
    static let halfDecibel = 0.8912509381337456

    /// The level (0...127) of interleaved or mono 16-bit samples.
    public static func level(of samples: [Int16]) -> UInt8 {
        guard !samples.isEmpty else { return 127 }
        var sum = 0.0
        for s in samples {
            let d = Double(s)
            sum += d * d
        }
        let ratio = sum / Double(samples.count) / (32768.0 * 32768.0)
        // Smallest L with ratio ≥ 10^(−(L + 0.5)/10), i.e. round(−10·log10(ratio)).
        var threshold = halfDecibel
        for level in 0..<127 {
            if ratio >= threshold { return UInt8(level) }
            threshold *= oneDecibel
        }
        return 127
    }
}
