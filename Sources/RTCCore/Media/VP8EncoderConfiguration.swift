/// Settings of one ``VP8Encoder`` (one simulcast encoding).
public struct VP8EncoderConfiguration: Hashable, Sendable {
    /// Picture size in pixels (even, 16...16384).
    public var width: Int
    public var height: Int
    /// Frames per second (1...120); timestamps advance by 90000 / fps.
    public var framesPerSecond: Int
    /// Target bitrate of the whole encoding (all temporal layers) in bits per second.
    public var targetBitrate: Int
    /// A keyframe every this many frames; 0 = only the first frame and forced ones.
    public var keyframeInterval: Int
    /// Temporal layers: 1 (L1T1), 2 (L1T2) or 3 (L1T3), see ``VP8TemporalPattern``.
    public var temporalLayers: Int
    /// libvpx speed (`VP8E_SET_CPUUSED`, -16...16; larger magnitude is faster). The default,
    /// -12, encodes 1280×720 in a few milliseconds per frame.
    public var cpuUsed: Int
    /// Encoder threads (1 for the deterministic single-core budget).
    public var threads: Int

    public init(
        width: Int, height: Int, framesPerSecond: Int = 30, targetBitrate: Int = 1_000_000,
        keyframeInterval: Int = 0, temporalLayers: Int = 1, cpuUsed: Int = -12, threads: Int = 1
    ) {
        self.width = width
        self.height = height
        self.framesPerSecond = framesPerSecond
        self.targetBitrate = targetBitrate
        self.keyframeInterval = keyframeInterval
        self.temporalLayers = temporalLayers
        self.cpuUsed = cpuUsed
        self.threads = threads
    }

    /// The RTP timestamp step between frames (90 kHz clock).
    public var timestampStep: Int64 { Int64(90_000 / max(1, framesPerSecond)) }

    /// A reason the configuration cannot be used, or nil.
    public var problem: String? {
        if width < 16 || height < 16 || width > 16384 || height > 16384 { return "size outside 16...16384" }
        if width % 2 != 0 || height % 2 != 0 { return "odd picture size" }
        if framesPerSecond < 1 || framesPerSecond > 120 { return "frame rate outside 1...120" }
        if targetBitrate < 10_000 || targetBitrate > 100_000_000 { return "bitrate outside 10 kbps...100 Mbps" }
        if keyframeInterval < 0 { return "negative keyframe interval" }
        if temporalLayers < 1 || temporalLayers > 3 { return "temporal layers outside 1...3" }
        if cpuUsed < -16 || cpuUsed > 16 { return "cpuUsed outside -16...16" }
        if threads < 1 || threads > 16 { return "threads outside 1...16" }
        return nil
    }
}
