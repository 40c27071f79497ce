import Foundation

/// A protocol error sent as `{"type":"error","code":…,"message":…}` (docs/PROTOCOL.md).
struct SignalingError: Error, Sendable {
    enum Code: String, Sendable {
        case badRequest = "bad-request"
        case badSDP = "bad-sdp"
        case unauthorized
        case forbidden
        case notFound = "not-found"
        case roomLocked = "room-locked"
        case roomFull = "room-full"
        case rateLimited = "rate-limited"
        case tooLarge = "too-large"
        case `internal`
    }
    let code: Code
    let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var httpStatus: Int {
        switch code {
        case .badRequest, .badSDP: return 400
        case .unauthorized: return 401
        case .forbidden: return 403
        case .notFound: return 404
        case .roomLocked, .roomFull: return 409
        case .tooLarge: return 413
        case .rateLimited: return 429
        case .internal: return 500
        }
    }
}

/// Messages a client sends on its WebSocket, parsed and validated before they reach a room.
enum ClientMessage: Sendable {
    case publishOffer(sdp: String)
    case subscribeAnswer(sdp: String)
    case candidate(candidate: String, sdpMid: String?, target: String)
    case setPreferences(trackID: String, maxWidth: Int?, maxHeight: Int?, maxFps: Int?, paused: Bool?)
    case muteSelf(kind: String, muted: Bool)
    case chat(text: String)
    case mute(participantID: String, kind: String)
    case kick(participantID: String)
    case lock(locked: Bool)
    case end
    case leave
    case ping(ts: Double?)

    static let maximumMessageBytes = 64 * 1024
    static let maximumChatCharacters = 4_000

    /// Parses one text frame. Throws a `SignalingError` naming what is wrong.
    static func parse(_ text: String) throws(SignalingError) -> ClientMessage {
        guard text.utf8.count <= maximumMessageBytes else {
            throw SignalingError(.tooLarge, "message over 64 KiB")
        }
        guard let data = text.data(using: .utf8),
              let any = try? JSONSerialization.jsonObject(with: data),
              let obj = any as? [String: Any] else {
            throw SignalingError(.badRequest, "message is not a JSON object")
        }
        guard let type = obj["type"] as? String else {
            throw SignalingError(.badRequest, "message has no \"type\"")
        }
        func string(_ k: String) throws(SignalingError) -> String {
            guard let v = obj[k] as? String else { throw SignalingError(.badRequest, "\(type): \"\(k)\" must be a string") }
            return v
        }
        func bool(_ k: String) throws(SignalingError) -> Bool {
            guard let v = obj[k] as? Bool else { throw SignalingError(.badRequest, "\(type): \"\(k)\" must be true or false") }
            return v
        }
        func int(_ k: String) -> Int? {
            guard let n = obj[k] as? NSNumber, !(obj[k] is Bool) else { return nil }
            let d = n.doubleValue
            guard d.isFinite, d >= 0, d <= 1_000_000 else { return nil }
            return Int(d)
        }
        switch type {
        case "publish-offer": return .publishOffer(sdp: try string("sdp"))
        case "subscribe-answer": return .subscribeAnswer(sdp: try string("sdp"))
        case "candidate":
            let target = (obj["target"] as? String) ?? "publisher"
            guard target == "publisher" || target == "subscriber" else {
                throw SignalingError(.badRequest, "candidate: target must be publisher or subscriber")
            }
            return .candidate(candidate: try string("candidate"), sdpMid: obj["sdpMid"] as? String, target: target)
        case "set-preferences":
            return .setPreferences(trackID: try string("trackId"), maxWidth: int("maxWidth"), maxHeight: int("maxHeight"),
                                   maxFps: int("maxFps"), paused: obj["paused"] as? Bool)
        case "mute-self":
            let kind = try string("kind")
            guard kind == "audio" || kind == "video" else { throw SignalingError(.badRequest, "kind must be audio or video") }
            return .muteSelf(kind: kind, muted: try bool("muted"))
        case "chat":
            let text = try string("text")
            guard !text.isEmpty else { throw SignalingError(.badRequest, "chat: empty text") }
            guard text.count <= maximumChatCharacters else {
                throw SignalingError(.tooLarge, "chat text over \(maximumChatCharacters) characters")
            }
            return .chat(text: text)
        case "mute":
            let kind = try string("kind")
            guard kind == "audio" || kind == "video" else { throw SignalingError(.badRequest, "kind must be audio or video") }
            return .mute(participantID: try string("participantId"), kind: kind)
        case "kick": return .kick(participantID: try string("participantId"))
        case "lock": return .lock(locked: try bool("locked"))
        case "end": return .end
        case "leave": return .leave
        case "ping": return .ping(ts: (obj["ts"] as? NSNumber)?.doubleValue)
        default: throw SignalingError(.badRequest, "unknown message type \"\(type)\"")
        }
    }
}

/// Builds server → client messages as JSON text.
enum ServerMessage {
    static func encode(_ type: String, _ fields: [String: Any]) -> String {
        var obj = fields
        obj["type"] = type
        guard let data = try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]),
              let s = String(data: data, encoding: .utf8) else { return "{\"type\":\"error\",\"code\":\"internal\"}" }
        return s
    }

    static func error(_ e: SignalingError) -> String {
        encode("error", ["code": e.code.rawValue, "message": e.message])
    }
}
