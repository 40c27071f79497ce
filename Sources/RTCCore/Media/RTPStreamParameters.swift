/// What a packetizer stamps on every RTP packet of one outgoing stream (one simulcast
/// encoding or one audio track): RFC 3550 §5.1 identifiers, the negotiated RFC 8285 header
/// extensions and the size budget.
public struct RTPStreamParameters: Hashable, Sendable {
    public var ssrc: SSRC
    public var payloadType: PayloadType
    /// RTP clock rate: 90000 for video, 48000 for Opus.
    public var clockRate: Int
    /// RFC 8843 media identification, written when ``extensionMap`` registers `mid`.
    public var mid: Mid?
    /// RFC 8851 restriction identifier (simulcast layer), written when the map registers `rid`.
    public var rid: Rid?
    /// The extensions negotiated for this direction. Registered kinds among mid, rid,
    /// abs-send-time, transport-wide-cc and (audio) audio-level are written on every packet;
    /// an empty map writes no extension block.
    public var extensionMap: RTPExtensionMap
    /// Largest whole RTP packet (header, extensions, payload), before any SRTP tag.
    public var maxPacketSize: Int
    /// Sequence number of the first packet.
    public var initialSequenceNumber: SequenceNumber
    /// Added to media timestamps (RFC 3550 §5.1: the initial value should be random).
    public var timestampOffset: UInt32

    public init(
        ssrc: SSRC, payloadType: PayloadType, clockRate: Int, mid: Mid? = nil, rid: Rid? = nil,
        extensionMap: RTPExtensionMap = RTPExtensionMap(), maxPacketSize: Int = 1200,
        initialSequenceNumber: SequenceNumber = SequenceNumber(0), timestampOffset: UInt32 = 0
    ) {
        self.ssrc = ssrc
        self.payloadType = payloadType
        self.clockRate = clockRate
        self.mid = mid
        self.rid = rid
        self.extensionMap = extensionMap
        self.maxPacketSize = maxPacketSize
        self.initialSequenceNumber = initialSequenceNumber
        self.timestampOffset = timestampOffset
    }

    /// Parameters with a random SSRC, first sequence number and timestamp offset drawn from
    /// `random` (deterministic for a seeded generator).
    public static func random(
        payloadType: PayloadType, clockRate: Int, mid: Mid? = nil, rid: Rid? = nil,
        extensionMap: RTPExtensionMap = RTPExtensionMap(), maxPacketSize: Int = 1200,
        using random: inout SeededRandom
    ) -> RTPStreamParameters {
        let r = random.next()
        return RTPStreamParameters(
            ssrc: SSRC(UInt32(truncatingIfNeeded: r)), payloadType: payloadType, clockRate: clockRate,
            mid: mid, rid: rid, extensionMap: extensionMap, maxPacketSize: maxPacketSize,
            initialSequenceNumber: SequenceNumber(UInt16(truncatingIfNeeded: r >> 32)),
            timestampOffset: UInt32(truncatingIfNeeded: random.next()))
    }
}
