// Fields read or written per packet are `@exclusivity(unchecked)`: the router is driven by one
// owner and its per-packet code never holds two accesses to the same field at once.

/// One connection of the router: a ``PeerConnection`` and how datagrams find it.
final class SFUConnection {
    /// Remote addresses learned per connection (a peer trying several candidates).
    static let maximumAddresses = 8

    let id: SFUConnectionID
    let peer: PeerConnection
    /// Local ufrags that name this connection (the first, then ICE restarts).
    var ufrags: [String] = []
    var addresses: [TransportAddress] = []
    /// The transport's deadline when last looked at (to know when the router's changed).
    var deadline: Instant?
    /// The selected pair, refreshed whenever the connection's outputs are drained (after
    /// every STUN, DTLS or timer event), so the per-packet path does not ask the transport.
    @exclusivity(unchecked) var pair: ICESelectedPair?
    /// The connection's transport once negotiated (a `PeerConnection` keeps its transport
    /// for life), borrowed so protecting a packet needs no reference counting.
    @exclusivity(unchecked) var transport: Unmanaged<PeerTransport>?

    init(id: SFUConnectionID, peer: PeerConnection) {
        self.id = id
        self.peer = peer
    }
}

/// A track a participant publishes: one m-section of its publisher connection.
final class SFUTrack {
    let id: SFUTrackID
    let publisher: SFUParticipantID
    let kind: TrackKind
    let publisherMid: Mid
    let rids: [Rid]
    let publication: Publication
    /// What subscriber offers carry for this track (the router's payload types).
    let capability: SDPCodecCapability
    var muted = false
    /// Dynacast: the layers the publisher was last told to send (all at first).
    @exclusivity(unchecked) var layersWanted: [Bool]
    /// A keyframe request to this track's publisher is outstanding: watch for a keyframe.
    @exclusivity(unchecked) var keyframeRequestPending = false
    /// A keyframe was wanted for this layer before its SSRC was learned.
    @exclusivity(unchecked) var unresolvedKeyframeLayer: Int?
    /// Bytes received in the current report window.
    @exclusivity(unchecked) var bytesInWindow: UInt64 = 0
    /// RFC 6464 loudness (127 - level) summed over the current active-speaker window.
    @exclusivity(unchecked) var loudnessSum: Double = 0
    @exclusivity(unchecked) var loudnessCount = 0
    /// Per simulcast layer, lowest first: what the router receives and keeps for it.
    @exclusivity(unchecked) var layers: [SFUTrackLayer]

    init(id: SFUTrackID, publisher: SFUParticipantID, kind: TrackKind, publisherMid: Mid, rids: [Rid],
         publication: Publication, capability: SDPCodecCapability) {
        self.id = id
        self.publisher = publisher
        self.kind = kind
        self.publisherMid = publisherMid
        self.rids = rids
        self.publication = publication
        self.capability = capability
        self.layers = Array(repeating: SFUTrackLayer(), count: max(1, publication.layerCount))
        self.layersWanted = Array(repeating: true, count: max(1, publication.layerCount))
    }

    var codec: TrackCodec { publication.codec }
    /// The frame rate of each layer measured over the last report window.
    var frameRates: [Double] { layers.map(\.frameRate) }
    var info: SFUTrackInfo { SFUTrackInfo(id: id, publisher: publisher, kind: kind, publisherMid: publisherMid, rids: rids) }
}

/// One simulcast layer of a track (one receive stream) as the router keeps it.
struct SFUTrackLayer {
    /// RFC 3550 receive statistics, created on the layer's first packet.
    var statistics: ReceiveStreamStatistics?
    /// NACK generation for the publisher's stream (video).
    var nack: NackGenerator?
    /// The last packets received, decrypted, to answer subscribers' NACKs (video): one copy
    /// per received packet, shared by every subscription of the layer (each keeps only a
    /// small ``RetransmissionIndex`` of what it sent).
    var history: RTXPacketCache?
    /// Pictures (distinct timestamps) in the current report window, the last timestamp seen,
    /// and the frame rate measured over the last window.
    var framesInWindow = 0
    var lastTimestamp: UInt32 = 0
    var frameRate: Double = 0
    /// The publisher's last Sender Report (RTP time) and when it arrived.
    var senderReport: (rtp: UInt32, at: Instant)?
}

/// One m-section of a subscriber connection: another participant's track, or free (offered
/// rejected after that track went away, to be reused by the next track of its kind).
struct SFUSubscriberSection {
    let mid: Mid
    let kind: TrackKind
    var track: SFUTrack?
    var subscription: Subscription?
    var preferences = SFUTrackPreferences()
}

/// A participant's state in the router.
final class SFUParticipant {
    let id: SFUParticipantID
    let room: SFURoomID
    let publisherCredentials: ICECredentials
    let subscriberCredentials: ICECredentials
    /// The SSRC the router's RTCP to this participant carries as sender.
    let rtcpSSRC: SSRC
    var publisher: SFUConnection?
    var subscriber: SFUConnection?
    // Publishing
    @exclusivity(unchecked) var tracks: [SFUTrack] = []
    @exclusivity(unchecked) var streams = IncomingStreamTable()
    /// RTX payload types of the publisher, indexed by payload type (no set lookup per packet),
    /// and the payload type each repairs (RFC 4588 `apt`).
    @exclusivity(unchecked) var isRTXPayloadType = [Bool](repeating: false, count: 128)
    @exclusivity(unchecked) var rtxApt = [UInt8](repeating: 0, count: 128)
    /// RTX streams learned: which (track index, layer) each repairs.
    var rtxStreams: [(ssrc: UInt32, track: Int, layer: Int)] = []
    /// The publisher's RTX SSRC for a media SSRC, from its SDP (`a=ssrc-group:FID`).
    var rtxForMedia: [SSRC: SSRC] = [:]
    @exclusivity(unchecked) var keyframeThrottles: [KeyframeRequestThrottle] = []
    /// Transport-wide feedback to the publisher (it negotiated transport-cc), created on its
    /// first packet with a transport-wide sequence number.
    @exclusivity(unchecked) var transportFeedback: TWCCFeedbackGenerator?
    /// Otherwise, the receive-side estimate of its uplink for REMB (from abs-send-time).
    @exclusivity(unchecked) var receiveEstimator: ReceiveSideBandwidthEstimator?
    // Subscribing
    var sections: [SFUSubscriberSection] = []
    var offerSections: [SDPOfferSection] = []
    var offerInFlight = false
    var needsOffer = false

    init(id: SFUParticipantID, room: SFURoomID, publisherCredentials: ICECredentials,
         subscriberCredentials: ICECredentials, rtcpSSRC: SSRC) {
        self.id = id
        self.room = room
        self.publisherCredentials = publisherCredentials
        self.subscriberCredentials = subscriberCredentials
        self.rtcpSSRC = rtcpSSRC
    }

    /// Puts `track` on the subscriber connection, reusing a free section of the same kind.
    func addSection(for track: SFUTrack) {
        if sections.contains(where: { $0.track === track }) { return }
        if let i = sections.firstIndex(where: { $0.track == nil && $0.kind == track.kind }) {
            sections[i].track = track
            sections[i].subscription = nil
            sections[i].preferences = SFUTrackPreferences()
        } else if let mid = Mid(String(sections.count)) {
            sections.append(SFUSubscriberSection(mid: mid, kind: track.kind, track: track))
        }
    }

    /// Frees the section carrying `track`.
    func removeSection(for track: SFUTrack) {
        guard let i = sections.firstIndex(where: { $0.track === track }) else { return }
        if let s = sections[i].subscription { track.publication.removeSubscription(slot: s.slot, outSSRC: s.outSSRC) }
        sections[i].track = nil
        sections[i].subscription = nil
    }
}
