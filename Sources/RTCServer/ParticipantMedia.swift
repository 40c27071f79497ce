import Foundation
import RTCCore

/// A participant's media, as the signaling layer sees it: its handle in the `SFURouter`
/// (which owns its connections, tracks, subscriptions and preferences) and its capture file. Confined to the media loop.
final class ParticipantMedia {
    unowned let participant: Participant
    /// Set when the participant's WebSocket first connects.
    var routerID: SFUParticipantID?
    /// This participant's capture file (shared by its publisher and subscriber connections).
    lazy var capture: PacketCapture? = participant.room.registryCaptureDirectory.flatMap {
        PacketCapture(directory: $0, name: "\(participant.room.id)-\(participant.id)")
    }

    init(participant: Participant) {
        self.participant = participant
    }
}

extension SFUTrackID {
    /// The id signaling uses (`trackId`).
    var signalingID: String { "t\(rawValue)" }

    init?(signalingID: String) {
        guard signalingID.first == "t", let n = UInt32(signalingID.dropFirst()) else { return nil }
        self.init(rawValue: n)
    }
}
