/// A participant of an ``SFURouter``: a slot and a generation, so a stale handle of a
/// participant that left never reaches the one that took its slot.
public struct SFUParticipantID: Hashable, Sendable, CustomStringConvertible {
    public let slot: Int
    public let generation: UInt32
    public var description: String { "p\(slot).\(generation)" }
}

/// A group of participants that receive each other (a meeting). The router forwards only
/// within a room.
public struct SFURoomID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "room\(rawValue)" }
}

/// A publisher's reception quality over the last report window.
public struct SFUQualityReport: Hashable, Sendable {
    public let participant: SFUParticipantID
    /// ``QualityScore`` of the loss: 5 best, 1 worst.
    public let score: Int
    /// The highest fraction lost of its streams (RFC 3550 §6.4.1), in percent.
    public let lossPercent: Double
    /// What it sent in the window, all tracks and layers, in kbit/s.
    public let bitrateKbps: Double
    /// The round-trip time to this participant in milliseconds (the worst of its subscriber
    /// streams' RTTs from its Receiver Reports), nil before one was measured.
    public let rttMs: Double?

    public init(participant: SFUParticipantID, score: Int, lossPercent: Double, bitrateKbps: Double, rttMs: Double? = nil) {
        self.participant = participant
        self.score = score
        self.lossPercent = lossPercent
        self.bitrateKbps = bitrateKbps
        self.rttMs = rttMs
    }
}

/// Which way a packet went, for ``SFURouter/tap``.
public enum SFUTapDirection: Sendable, Hashable {
    /// Decrypted, as it arrived.
    case received
    /// Before protection, as it leaves.
    case sent
}

/// One of a participant's two peer connections: it offers on its publisher connection (the
/// router answers), the router offers on its subscriber connection.
public enum SFUConnectionRole: String, Sendable, Hashable {
    case publisher
    case subscriber
}

/// A connection of the router: which participant, which role.
public struct SFUConnectionID: Hashable, Sendable, CustomStringConvertible {
    public let participant: SFUParticipantID
    public let role: SFUConnectionRole
    public init(participant: SFUParticipantID, role: SFUConnectionRole) {
        self.participant = participant
        self.role = role
    }
    public var description: String { "\(participant)/\(role.rawValue)" }
}

/// A published track, as events and API calls name it.
public struct SFUTrackID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public var description: String { "track\(rawValue)" }
}

/// What the router tells about a published track.
public struct SFUTrackInfo: Hashable, Sendable {
    public let id: SFUTrackID
    public let publisher: SFUParticipantID
    public let kind: TrackKind
    /// The mid on the publisher's connection.
    public let publisherMid: Mid
    /// Simulcast layers (rids), lowest first; empty when not simulcast.
    public let rids: [Rid]
}

/// A track in a subscriber offer: which section carries it.
public struct SFUOfferedTrack: Hashable, Sendable {
    public let track: SFUTrackID
    public let publisher: SFUParticipantID
    public let kind: TrackKind
    /// The mid on the subscriber's connection.
    public let mid: Mid
}

/// What a subscriber wants of one track (`set-preferences`): the highest simulcast layer, or
/// nothing at all.
public struct SFUTrackPreferences: Hashable, Sendable {
    /// Highest layer index wanted (0 the lowest); nil: from the view size, else the highest
    /// that arrives.
    public var maxLayer: Int?
    /// The size the video is shown at (device pixels): picks the layer when `maxLayer` is nil
    /// (``SimulcastLayerPolicy/layer(maxWidth:maxHeight:sizes:)``).
    public var maxWidth: Int?
    public var maxHeight: Int?
    /// Highest temporal layer (VP8 TID) wanted; nil: all (see ``SimulcastLayerPolicy/temporalLayer(maxFps:frameRate:temporalLayers:)``).
    public var maxTemporalLayer: Int?
    /// Highest frame rate wanted; the router turns it into a temporal layer from the measured
    /// frame rate of the layer the subscription receives (used when `maxTemporalLayer` is nil).
    public var maxFrameRate: Double?
    public var paused: Bool
    public init(maxLayer: Int? = nil, maxWidth: Int? = nil, maxHeight: Int? = nil, maxTemporalLayer: Int? = nil,
                maxFrameRate: Double? = nil, paused: Bool = false) {
        self.maxLayer = maxLayer
        self.maxWidth = maxWidth
        self.maxHeight = maxHeight
        self.maxTemporalLayer = maxTemporalLayer
        self.maxFrameRate = maxFrameRate
        self.paused = paused
    }
}

/// Something the application acts on (signaling, UI, metrics).
public enum SFUEvent: Sendable {
    /// A new subscriber offer for `participant`'s subscriber connection: send it, and hand
    /// the answer to ``SFURouter/subscribeAnswer(_:from:now:)``. One is outstanding at a time.
    case subscribeOffer(SFUParticipantID, SessionDescription, [SFUOfferedTrack])
    case trackPublished(SFUTrackInfo)
    case trackUnpublished(SFUTrackInfo)
    /// A connection's transport changed state (`.connected` once ICE and DTLS are done).
    case connectionStateChanged(SFUConnectionID, PeerTransportState)
    /// A keyframe request (PLI or FIR) went to a publisher stream.
    case keyframeRequested(SFUParticipantID, SSRC)
    /// The loudest participant of a room changed (``ActiveSpeakerPolicy``).
    case activeSpeaker(SFURoomID, SFUParticipantID)
    /// Each report interval, for each publisher that sent media in it.
    case quality(SFUQualityReport)
    /// Dynacast: which simulcast layers of a track some subscriber wants (lowest first; the
    /// lowest is always kept for quick starts). Tell the publisher to stop encoding the others
    /// and to resume them when this changes again.
    case layersWanted(SFUTrackInfo, [Bool])
}

/// A datagram to send: `bytes` stays valid until the router's output is drained and the
/// router is called again.
public struct SFUTransmit {
    public let connection: SFUConnectionID
    public let bytes: UnsafeRawBufferPointer
    public let to: TransportAddress
    /// The local address to send from (the socket the peer talks to).
    public let from: TransportAddress
}

/// An output of ``SFURouter/pollOutput()``.
public enum SFUOutput {
    case transmit(SFUTransmit)
    case event(SFUEvent)
}

/// What a router input is.
public enum SFUInput {
    /// A datagram that arrived on `local` from `from`, in a caller-owned buffer the router
    /// may decrypt in place (give it ``SRTPSession/rtcpTrailerRoom`` bytes beyond `length`).
    /// The router finds the connection: by remote address, or a STUN check's USERNAME.
    case datagram(UnsafeMutableRawBufferPointer, length: Int, from: TransportAddress, local: TransportAddress)
    /// The deadline of ``SFURouter/nextTimeout()`` passed.
    case timeout
}

/// Why the router wants to be called back.
public enum SFUTimeoutReason: Sendable, Hashable {
    case peer(SFUConnectionID, PeerTimeoutReason)
    case keyframeRequest(SFUParticipantID)
    /// Active speaker, quality reports, RTCP reports and publisher bandwidth messages.
    case report
    /// A NACK (or its retry) to a publisher is due.
    case nack
    /// Transport-wide feedback or an estimated REMB to a publisher is due.
    case publisherFeedback
}

/// A refused API call.
public struct SFURouterError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        case unknownParticipant
        case unknownTrack
        case badOffer
        case badAnswer
        case noOfferOutstanding
    }
    public let code: Code
    public let message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "\(code): \(message)" }
}

/// Counters of the router (read at scrape time; nothing per packet but integer adds).
public struct SFURouterStats: Sendable, Hashable {
    public var datagramsIn: UInt64 = 0
    /// Datagrams from an address no connection knows that were not a STUN check naming a
    /// local ufrag.
    public var unknownSource: UInt64 = 0
    public var rtpIn: UInt64 = 0
    public var rtcpIn: UInt64 = 0
    /// RTP the router could not route (unknown SSRC or mid, a subscriber sending).
    public var unroutable: UInt64 = 0
    /// RTX packets and repair streams (retransmissions and bandwidth probes), not forwarded.
    public var repairPackets: UInt64 = 0
    public var transmits: UInt64 = 0
    public var transmittedBytes: UInt64 = 0
    /// Egress packets that could not be protected (transport not secure yet).
    public var egressFailures: UInt64 = 0
    /// Datagrams dropped because every egress slot was taken (the caller did not drain
    /// ``SFURouter/pollOutput()``, or one call produced more than the configured slots).
    public var egressOverflow: UInt64 = 0
    public var keyframeRequestsSent: UInt64 = 0
    /// RTX packets from publishers rebuilt into the originals they repair and forwarded.
    public var repairedPackets: UInt64 = 0
    /// RTX packets for packets that had arrived (not forwarded again).
    public var duplicateRepairs: UInt64 = 0
    /// NACKs sent to publishers, NACKs received from subscribers, packets resent for them.
    public var nacksSent: UInt64 = 0
    public var nacksReceived: UInt64 = 0
    public var retransmissionsSent: UInt64 = 0
    /// NACKed packets not resent as originals because their rewrite changed since they were
    /// sent (a subscriber without RTX after a renegotiation).
    public var resendsRefused: UInt64 = 0
    /// Transport-wide feedback packets and estimated REMBs sent to publishers.
    public var transportFeedbackSent: UInt64 = 0
    public var rembSent: UInt64 = 0
    /// Datagrams the transports dropped, by ``PeerDropReason`` (`allCases` order).
    public var peerDrops = [UInt64](repeating: 0, count: PeerDropReason.allCases.count)
    public init() {}
}
