/// Checks that the VP8 RTP stream a receiver gets decodes to the synthetic pattern:
/// ``VP8Depacketizer`` → ``VP8Decoder`` → ``SyntheticVideoSource/readCounter(from:)``.
/// Feed it the packets of one SSRC (after SRTP unprotection) and read the counters — the
/// proof that forwarded video is intact.
///
/// ```
/// RTP ──push──▶ depacketizer ──frames──▶ libvpx ──I420──▶ counter, size
///                     └─ keyframeNeeded ──▶ ``keyframeRequests`` (send a PLI)
/// ```
public final class VP8DecodeCheck {
    public private(set) var depacketizer = VP8Depacketizer()
    public let decoder: VP8Decoder
    /// Frames that decoded.
    public private(set) var framesDecoded = 0
    /// Frames libvpx refused (should stay 0 for a correctly forwarded stream).
    public private(set) var decodeErrors = 0
    /// Decoded frames whose counter could not be read (corrupt picture).
    public private(set) var unreadableFrames = 0
    /// Decoded frames whose counter did not increase (a repeated or reordered picture).
    public private(set) var counterRegressions = 0
    /// The counter of the last decoded frame.
    public private(set) var lastCounter: UInt16?
    /// Size of the last decoded frame.
    public private(set) var width = 0
    public private(set) var height = 0
    /// Times the depacketizer asked for a keyframe.
    public private(set) var keyframeRequests = 0
    /// Packets that did not parse as RTP/VP8.
    public private(set) var malformedPackets = 0

    public init() throws(MediaCodecError) {
        decoder = try VP8Decoder()
    }

    /// Adds one RTP packet and decodes whatever frames it completes.
    public func push(_ packet: UnsafeRawBufferPointer) {
        do {
            try depacketizer.push(packet)
        } catch {
            malformedPackets &+= 1
        }
        while let o = depacketizer.pollOutput() {
            switch o {
            case .frame(let f): decode(f)
            case .keyframeNeeded: keyframeRequests &+= 1
            case .dropped: break
            }
        }
    }

    /// Adds one RTP packet held in an array.
    public func push(_ packet: [UInt8]) {
        packet.withUnsafeBytes { push($0) }
    }

    private func decode(_ f: VP8DepacketizedFrame) {
        let picture: I420Frame?
        do {
            picture = try decoder.decode(f.bytes)
        } catch {
            decodeErrors &+= 1
            return
        }
        guard let p = picture else { return }
        framesDecoded &+= 1
        width = p.width
        height = p.height
        guard let c = SyntheticVideoSource.readCounter(from: p) else {
            unreadableFrames &+= 1
            return
        }
        if let last = lastCounter, c &- last == 0 || c &- last >= 0x8000 {
            counterRegressions &+= 1
        }
        lastCounter = c
    }
}
