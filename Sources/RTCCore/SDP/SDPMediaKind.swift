/// The media type of an m-line (RFC 8866 §5.14): `audio`, `video`, `application`, ...
public enum SDPMediaKind: Hashable, Sendable {
    case audio, video, application
    case other(String)

    public init(_ token: String) {
        switch token {
        case "audio": self = .audio
        case "video": self = .video
        case "application": self = .application
        default: self = .other(token)
        }
    }

    public var token: String {
        switch self {
        case .audio: return "audio"
        case .video: return "video"
        case .application: return "application"
        case .other(let s): return s
        }
    }
}
