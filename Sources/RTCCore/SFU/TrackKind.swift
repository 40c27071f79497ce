/// Audio or video.
public enum TrackKind: String, Sendable, Hashable {
    case audio
    case video
}
