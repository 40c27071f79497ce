// The per-packet fields are marked `@exclusivity(unchecked)`: one owner drives the router and
// no access to them overlaps (the forwarding loop touches each subscription once per packet).

/// One subscriber's copy of one published track: where it goes (SSRC, payload type, mid,
/// extension IDs on the subscriber's connection) and the rewriters that keep what the
/// subscriber sees continuous across publisher restarts and simulcast layer switches.
///
/// Owned by its ``Publication``; the caller identifies the subscriber connection with `slot`
/// (an index into its own table: no dictionary on the per-packet path).
public final class Subscription {
    /// Caller-defined index of the subscriber connection.
    public let slot: Int
    public let outSSRC: SSRC
    public let outPayloadType: PayloadType
    /// The subscriber-side mid written into the mid header extension.
    public let mid: Mid?
    /// Extension IDs negotiated on the subscriber's connection.
    @exclusivity(unchecked) public var destinationMap: RTPExtensionMap {
        didSet { if destinationMap != oldValue { recipeGeneration &+= 1 } }
    }
    /// Changes whenever the way a source packet is rewritten for this subscription changes
    /// (its extension IDs): a packet sent before is not written again the same way after.
    @exclusivity(unchecked) public private(set) var recipeGeneration: UInt8 = 0
    /// Video: remember what was sent to answer NACKs (with RTX, or with the original when
    /// the subscriber has no RTX).
    @exclusivity(unchecked) public internal(set) var answersNacks = false
    /// Paused by the subscriber (`set-preferences`) or muted by the host.
    @exclusivity(unchecked) public var paused = false
    /// Highest simulcast layer the subscriber wants (nil: no limit).
    @exclusivity(unchecked) public var preferredLayer: Int?
    /// Highest temporal layer (VP8 TID) forwarded (nil: all).
    @exclusivity(unchecked) public var maxTemporalLayer: Int?

    @exclusivity(unchecked) public internal(set) var currentLayer: Int?
    @exclusivity(unchecked) public internal(set) var drops = ForwardingDrops()
    @exclusivity(unchecked) public internal(set) var forwardedPackets: UInt64 = 0
    @exclusivity(unchecked) public internal(set) var forwardedBytes: UInt64 = 0
    @exclusivity(unchecked) var sequence = SequenceRewriter()
    /// VP8 picture ID and TL0PICIDX continuity (RFC 7741 §4.2) across switches and drops.
    @exclusivity(unchecked) var vp8 = VP8PictureIDRewriter()
    @exclusivity(unchecked) var timestamp: TimestampRewriter
    /// VP9 picture IDs (and flexible-mode P_DIFFs) continuous across dropped pictures and
    /// source switches.
    @exclusivity(unchecked) var vp9IDs = VP9PictureIDRewriter()
    /// SVC (VP9, AV1): which spatial and temporal layers are forwarded.
    @exclusivity(unchecked) public internal(set) var svc = SVCLayerFilter()
    /// What was sent on this stream (for Sender Reports, RFC 3550 §6.4.1) and the round trip
    /// from the subscriber's reports about it.
    @exclusivity(unchecked) public internal(set) var sendStatistics: SendStreamStatistics
    /// RTX towards the subscriber (RFC 4588): its SSRC (announced in the offer's FID group)
    /// and payload type; nil when the subscriber's answer did not accept RTX.
    @exclusivity(unchecked) public internal(set) var rtx: RTXPacketizer?
    /// The RTX SSRC offered for this stream (video).
    public internal(set) var rtxSSRC: SSRC?
    /// What was sent by sequence number, to answer NACKs (video; allocated on first use).
    var index: RetransmissionIndex? {
        didSet { indexRef = index.map { Unmanaged.passUnretained($0) } }
    }
    /// Borrowed references to `index` and to the subscriber connection for the per-packet
    /// path, used with `_withUnsafeGuaranteedRef` (no reference counting per packet).
    /// `egressConnection` is set when the subscription is added to its publication; the
    /// connection outlives that membership, because the router removes a subscription from
    /// its publication before it drops the connection.
    @exclusivity(unchecked) var indexRef: Unmanaged<RetransmissionIndex>?
    @exclusivity(unchecked) var egressConnection: Unmanaged<SFUConnection>?
    /// NACKs the subscriber sent about this stream, and the packets resent for them.
    public internal(set) var nacksReceived: UInt64 = 0
    public internal(set) var retransmissionsSent: UInt64 = 0

    /// The RTT to this subscriber from its reception reports, once known.
    public var roundTripTime: Duration? { sendStatistics.roundTripTime }

    public init(slot: Int, outSSRC: SSRC, outPayloadType: PayloadType, mid: Mid?,
                destinationMap: RTPExtensionMap, clockRate: UInt32) {
        self.slot = slot
        self.outSSRC = outSSRC
        self.outPayloadType = outPayloadType
        self.mid = mid
        self.destinationMap = destinationMap
        self.timestamp = TimestampRewriter(clockRate: clockRate)
        self.sendStatistics = SendStreamStatistics(ssrc: outSSRC, clockRate: clockRate)
    }

    /// Starts forwarding `layer` at its keyframe with sequence number `seq` (a new
    /// subscription, a layer switch, a publisher restart): every rewriter re-syncs, so what the
    /// subscriber sees continues without a gap.
    func start(layer: Int, at seq: SequenceNumber) {
        currentLayer = layer
        sequence.sync(to: seq)
        timestamp.sync()
        vp8.sync()
        vp9IDs.sync()
        svc.reset()
    }

    /// How a source packet becomes this subscription's copy with sequence number `seq` and
    /// timestamp `ts` (forwarding, and a retransmission written again the same way).
    func rewrite(sequenceNumber seq: SequenceNumber, timestamp ts: UInt32, marker: Bool? = nil) -> RTPRewrite {
        RTPRewrite(ssrc: outSSRC, sequenceNumber: seq, timestamp: ts, payloadType: outPayloadType, marker: marker,
                   mid: mid, dropKinds: [.rid, .repairedRid], dropPadding: true)
    }

    /// The RTP timestamp offset the rewriter adds to the current source's timestamps.
    public var timestampOffset: UInt32 { timestamp.currentOffset }

    /// The next sequence number this subscription will send (for tests and RTX later).
    public var nextSequenceNumber: SequenceNumber { sequence.nextOutput }
}
