/// A deterministic sine tone as 48 kHz 16-bit PCM in 20 ms frames, the audio counterpart of
/// ``SyntheticVideoSource``: sample `n` depends only on `n`, so a receiver can check what it
/// decoded (energy at ``frequency``, or correlation with ``frame(at:)``).
///
/// ```
/// frame k: samples 960·k ..< 960·(k+1), interleaved L R L R … when stereo (same tone)
/// s[n] = round(amplitude · 32767 · sin(2π · frequency · n / 48000))
/// ```
public struct SyntheticAudioSource: Sendable {
    public static let sampleRate = 48_000
    public static let frameSamples = 960

    /// Tone frequency in Hz (0 < f < 24000).
    public let frequency: Double
    /// Peak amplitude as a fraction of full scale (0...1).
    public let amplitude: Double
    /// 1 or 2.
    public let channels: Int
    /// The index of the frame ``nextFrame()`` returns next.
    public var frameIndex: Int

    /// Nil for a frequency outside (0, 24000), an amplitude outside 0...1 or channels
    /// outside 1...2.
    public init?(frequency: Double = 440, amplitude: Double = 0.5, channels: Int = 1) {
        guard frequency > 0, frequency < 24_000, amplitude >= 0, amplitude <= 1,
              channels == 1 || channels == 2 else { return nil }
        self.frequency = frequency
        self.amplitude = amplitude
        self.channels = channels
        self.frameIndex = 0
    }

    /// The next 20 ms frame (960 × channels interleaved samples), advancing ``frameIndex``.
    public mutating func nextFrame() -> [Int16] {
        let f = frame(at: frameIndex)
        frameIndex &+= 1
        return f
    }

    /// Frame number `index` (non-negative indices; negative ones give silence).
    public func frame(at index: Int) -> [Int16] {
        var out = [Int16](repeating: 0, count: Self.frameSamples * channels)
        guard index >= 0 else { return out }
        let first = Int64(index) &* Int64(Self.frameSamples)
        for i in 0..<Self.frameSamples {
            let s = sample(at: first &+ Int64(i))
            for c in 0..<channels { out[i * channels + c] = s }
        }
        return out
    }

    /// Sample number `n` of one channel.
    public func sample(at n: Int64) -> Int16 {
        let turns = frequency * Double(n) / Double(Self.sampleRate)
        let v = amplitude * 32767 * Self.sine(turns: turns)
        return Int16(max(-32767, min(32767, v.rounded())))
    }

    /// sin(2π·t), by range reduction to [−π/2, π/2] and a Taylor series to the 17th power
    /// (error below 1e−11); RTCCore does not import a maths library.
    static func sine(turns t: Double) -> Double {
        guard t.isFinite else { return 0 }
        let pi = Double.pi
        var a = 2 * pi * (t - t.rounded())  // −π ... π
        if a > pi / 2 { a = pi - a } else if a < -pi / 2 { a = -pi - a }
        let a2 = a * a
        var term = a
        var sum = a
        var k = 1.0
        for _ in 0..<8 {
            term *= -a2 / ((2 * k) * (2 * k + 1))
            sum += term
            k += 1
        }
        return sum
    }
}
