import Foundation
import NIOCore
import RTCCore

/// A track a participant publishes: one m-section of its publisher connection.
final class PublishedTrack {
    let trackID: String
    let participantID: String
    let kind: TrackKind
    /// The mid on the publisher's connection.
    let mid: Mid
    let publication: Publication
    /// What subscriber offers carry for this track (our payload types).
    let capability: SDPCodecCapability
    var muted = false

    init(trackID: String, participantID: String, kind: TrackKind, mid: Mid, publication: Publication,
         capability: SDPCodecCapability) {
        self.trackID = trackID
        self.participantID = participantID
        self.kind = kind
        self.mid = mid
        self.publication = publication
        self.capability = capability
    }

    var summary: [String: Any] { ["trackId": trackID, "participantId": participantID, "kind": kind.rawValue] }
}

/// One m-section of a subscriber connection: carries one other participant's track, or is
/// free (rejected, port 0) after that track went away, to be reused.
struct SubscriberSection {
    let mid: Mid
    let kind: TrackKind
    var track: PublishedTrack?
    var subscription: Subscription?
}

/// A participant's media: its publisher connection (it offers, we answer), its subscriber
/// connection (we offer every other participant's tracks; renegotiated one offer at a time),
/// and the forwarding state. Confined to the media loop.
final class ParticipantMedia {
    unowned let participant: Participant
    var publisher: MediaConnection?
    var subscriber: MediaConnection?
    /// What the remote side of each connection said in its SDP, to tell an ICE restart
    /// (same fingerprint, new ufrag) from a new connection (new fingerprint).
    var publisherRemote: (ufrag: String, fingerprints: [DTLSFingerprint])?
    var subscriberRemote: (ufrag: String, fingerprints: [DTLSFingerprint])?
    var publisherCredentials: ICECredentials?
    var streams = IncomingStreamTable()
    var tracks: [PublishedTrack] = []
    var rtxPayloadTypes: Set<UInt8> = []
    /// RFC 3550 receive statistics per (publication, layer) slot `publication * 4 + layer`,
    /// for the `quality` indicator; created on a stream's first packet.
    var loss: [ReceiveStreamStatistics?] = []
    // Subscriber side
    var sections: [SubscriberSection] = []
    var subscriberSlot: Int?
    var subscriberCredentials: ICECredentials?
    var lastOffer: SessionDescription?
    var offerInFlight = false
    var needsOffer = false
    var offerVersion: UInt64 = 0
    let rtcpSSRC: UInt32
    var lastKeyframeRequest: [UInt32: Instant] = [:]
    // Active speaker
    var loudnessSum: Double = 0
    var loudnessCount: Int = 0
    /// This participant's capture file (shared by its publisher and subscriber connections).
    lazy var capture: PacketCapture? = participant.room.registryCaptureDirectory.flatMap {
        PacketCapture(directory: $0, name: "\(participant.room.id)-\(participant.id)")
    }
    var bytesInWindow: UInt64 = 0

    init(participant: Participant) {
        self.participant = participant
        var rng = SystemRandomNumberGenerator()
        rtcpSSRC = UInt32.random(in: 1...UInt32.max, using: &rng)
    }

    /// SSRC of a publication's layer, once learned.
    func publisherSSRC(publication index: Int, layer: Int) -> UInt32? {
        streams.ssrc(publication: index, layer: layer)
    }

    func trackIndex(of p: Publication) -> Int? { tracks.firstIndex { $0.publication === p } }
}

extension IncomingStreamTable {
    /// The learned SSRC of a (publication, layer), not a repair stream.
    func ssrc(publication: Int, layer: Int) -> UInt32? {
        learnedStreams.first { $0.resolved.publication == publication && $0.resolved.layer == layer && !$0.resolved.isRepair }?.ssrc
    }
}
