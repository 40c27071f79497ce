import Foundation
import Logging
import NIOCore
import RTCCore

/// A participant's outgoing signaling: the WebSocket task drains it.
final class Outbox: @unchecked Sendable {
    // @unchecked: its only state is the stream and its continuation, which are thread-safe.
    let stream: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation

    init() {
        (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(1024))
    }

    func send(_ text: String) { continuation.yield(text) }
    func finish() { continuation.finish() }
}

/// One person in a room. Confined to the media loop, like everything in `RoomRegistry`.
final class Participant {
    let id: String
    let name: String
    let role: SFUToken.Role
    unowned let room: Room
    var outbox: Outbox
    /// Increases with every new WebSocket for this identity (the newest one wins).
    var socketGeneration: Int
    var chatBucket: TokenBucket
    var mutedKinds: Set<String> = []
    let joinedAt: Date
    lazy var media = ParticipantMedia(participant: self)

    init(id: String, name: String, role: SFUToken.Role, room: Room, outbox: Outbox, generation: Int, now: Date) {
        self.id = id
        self.name = name
        self.role = role
        self.room = room
        self.outbox = outbox
        self.socketGeneration = generation
        self.chatBucket = TokenBucket(ratePerSecond: 5, burst: 5, now: now)
        self.joinedAt = now
    }

    var summary: [String: Any] { ["id": id, "name": name, "role": role.rawValue] }

    func send(_ type: String, _ fields: [String: Any] = [:]) {
        outbox.send(ServerMessage.encode(type, fields))
    }

    func sendError(_ e: SignalingError) { outbox.send(ServerMessage.error(e)) }
}

/// A meeting.
final class Room {
    let id: String
    var name: String
    var locked = false
    let capacity: Int
    var participants: [String: Participant] = [:]
    /// Participant ids that were kicked: their tokens no longer admit them.
    var banned: Set<String> = []
    let createdAt: Date
    /// `--capture DIR` of the server, copied here so participants find it.
    var registryCaptureDirectory: String?
    /// The room in the `SFURouter`.
    let routerID: SFURoomID

    init(id: String, name: String, capacity: Int, routerID: SFURoomID, now: Date) {
        self.id = id
        self.routerID = routerID
        self.name = name
        self.capacity = capacity
        self.createdAt = now
    }

    var summary: [String: Any] { ["id": id, "name": name, "locked": locked] }

    func broadcast(_ type: String, _ fields: [String: Any], except: String? = nil) {
        let text = ServerMessage.encode(type, fields)
        for p in participants.values where p.id != except { p.outbox.send(text) }
    }
}

/// Allows `burst` events at once and `ratePerSecond` on average.
struct TokenBucket {
    let ratePerSecond: Double
    let burst: Double
    private var tokens: Double
    private var last: Date

    init(ratePerSecond: Double, burst: Double, now: Date) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.tokens = burst
        self.last = now
    }

    mutating func take(now: Date) -> Bool {
        tokens = min(burst, tokens + now.timeIntervalSince(last) * ratePerSecond)
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

/// All rooms and participants, and the signaling state machine that acts on client messages.
/// Every method runs on `loop` (the media loop), so signaling and forwarding share state
/// without locks.
final class RoomRegistry: @unchecked Sendable {
    // @unchecked: confined to `loop` (asserted).
    let loop: EventLoop
    let logger: Logger
    let capacity: Int
    let engine: MediaEngine
    private(set) var rooms: [String: Room] = [:]
    private var roomCounter: UInt64 = 0
    /// Participants by their router handle (router events name them so).
    var byRouterID: [SFUParticipantID: Participant] = [:]

    init(engine: MediaEngine, capacity: Int, logger: Logger) {
        self.engine = engine
        self.loop = engine.loop
        self.capacity = capacity
        self.logger = logger
        engine.rooms = self
    }

    var participantCount: Int { rooms.values.reduce(0) { $0 + $1.participants.count } }

    func createRoom(name: String?) -> Room {
        loop.assertInEventLoop()
        var id = randomID(8)
        while rooms[id] != nil { id = randomID(8) }
        roomCounter &+= 1
        let room = Room(id: id, name: name.flatMap { $0.isEmpty ? nil : String($0.prefix(100)) } ?? "Meeting",
                        capacity: capacity, routerID: SFURoomID(roomCounter), now: Date())
        room.registryCaptureDirectory = engine.captureDirectory
        rooms[id] = room
        logger.info("room created", metadata: ["room": "\(id)"])
        return room
    }

    /// Checks that `room` can take one more participant (at join time).
    func checkAdmission(roomID: String, participantID: String?) throws(SignalingError) -> Room {
        loop.assertInEventLoop()
        guard let room = rooms[roomID] else { throw SignalingError(.notFound, "no such room") }
        if let pid = participantID, room.participants[pid] != nil { return room }
        if let pid = participantID, room.banned.contains(pid) {
            throw SignalingError(.forbidden, "you were removed from this meeting")
        }
        guard !room.locked else { throw SignalingError(.roomLocked, "the room is locked") }
        guard room.participants.count < room.capacity else {
            throw SignalingError(.roomFull, "the room is full (\(room.capacity) participants)")
        }
        return room
    }

    /// A WebSocket with a valid room token arrived: admit it (or replace the identity's old
    /// socket) and send `joined`. Returns the socket generation to pass back on disconnect.
    func connect(token: SFUToken, outbox: Outbox) throws(SignalingError) -> Int {
        loop.assertInEventLoop()
        guard let roomID = token.room, let name = token.name else {
            throw SignalingError(.unauthorized, "not a room token")
        }
        let pid = token.sub.value
        let room = try checkAdmission(roomID: roomID, participantID: pid)
        let now = Date()
        let participant: Participant
        var isNew = false
        if let existing = room.participants[pid] {
            // Reconnection: the newest socket replaces the old one.
            existing.outbox.finish()
            existing.outbox = outbox
            existing.socketGeneration += 1
            participant = existing
        } else {
            participant = Participant(id: pid, name: name, role: token.role, room: room, outbox: outbox,
                                      generation: 1, now: now)
            room.participants[pid] = participant
            isNew = true
        }
        let others = room.participants.values.filter { $0.id != pid }.sorted { $0.joinedAt < $1.joinedAt }
        participant.send("joined", [
            "participant": participant.summary,
            "participants": others.map { o in
                o.summary.merging(["tracks": trackSummaries(of: o)]) { a, _ in a }
            },
            "iceServers": [Any](),
            "room": room.summary,
        ])
        if isNew {
            room.broadcast("participant-joined", ["participant": participant.summary], except: pid)
            logger.info("participant joined", metadata: ["room": "\(room.id)", "participant": "\(pid)"])
        }
        // A newcomer enters the router (offered every track already published); a
        // reconnected socket gets a fresh offer for its current sections.
        attachMedia(participant, isNew: isNew)
        return participant.socketGeneration
    }

    /// The WebSocket of generation `generation` closed. If no newer socket replaced it, the
    /// participant is removed after `grace` unless it reconnects.
    func socketClosed(roomID: String, participantID: String, generation: Int, grace: TimeAmount) {
        loop.assertInEventLoop()
        guard let room = rooms[roomID], let p = room.participants[participantID],
              p.socketGeneration == generation else { return }
        let expected = ObjectIdentifier(p)
        loop.scheduleTask(in: grace) { [self] in
            guard let room = rooms[roomID], let p2 = room.participants[participantID],
                  ObjectIdentifier(p2) == expected, p2.socketGeneration == generation else { return }
            remove(p2, reason: "timeout")
        }
    }

    func remove(_ p: Participant, reason: String) {
        loop.assertInEventLoop()
        let room = p.room
        guard room.participants[p.id] === p else { return }
        room.participants[p.id] = nil
        tearDownMedia(p)
        p.outbox.finish()
        room.broadcast("participant-left", ["participantId": p.id, "reason": reason])
        logger.info("participant left", metadata: ["room": "\(room.id)", "participant": "\(p.id)", "reason": "\(reason)"])
    }

    func endRoom(_ room: Room, reason: String) {
        loop.assertInEventLoop()
        room.broadcast("end", ["reason": reason])
        let everyone = Array(room.participants.values)
        room.participants.removeAll()
        for p in everyone {
            tearDownMedia(p)
            p.outbox.finish()
        }
        rooms[room.id] = nil
        logger.info("room ended", metadata: ["room": "\(room.id)", "reason": "\(reason)"])
    }

    /// Ends every room (graceful shutdown): participants get `end`.
    func endAll(reason: String) {
        for r in Array(rooms.values) { endRoom(r, reason: reason) }
    }

    // MARK: Client messages

    func handle(_ message: ClientMessage, roomID: String, participantID: String, generation: Int) {
        loop.assertInEventLoop()
        guard let room = rooms[roomID], let p = room.participants[participantID],
              p.socketGeneration == generation else { return }
        do {
            try dispatch(message, from: p, in: room)
        } catch {
            p.sendError(error)
        }
    }

    private func requireHost(_ p: Participant, _ action: String) throws(SignalingError) {
        guard p.role == .host else { throw SignalingError(.forbidden, "only the host can \(action)") }
    }

    private func dispatch(_ m: ClientMessage, from p: Participant, in room: Room) throws(SignalingError) {
        switch m {
        case .ping(let ts):
            p.send("pong", ts.map { ["ts": $0] } ?? [:])
        case .chat(let text):
            guard p.chatBucket.take(now: Date()) else {
                throw SignalingError(.rateLimited, "at most 5 chat messages per second")
            }
            let ts = Int64(Date().timeIntervalSince1970 * 1000)
            room.broadcast("chat", ["from": p.id, "name": p.name, "text": text, "ts": ts])
        case .leave:
            remove(p, reason: "left")
        case .kick(let target):
            try requireHost(p, "kick")
            guard let t = room.participants[target] else { throw SignalingError(.notFound, "no such participant") }
            guard t.id != p.id else { throw SignalingError(.badRequest, "the host cannot kick themself") }
            room.banned.insert(t.id)
            t.send("kicked", ["reason": "removed by the host"])
            remove(t, reason: "kicked")
        case .lock(let locked):
            try requireHost(p, "lock the room")
            room.locked = locked
            room.broadcast("room-locked", ["locked": locked])
        case .end:
            try requireHost(p, "end the meeting")
            endRoom(room, reason: "the host ended the meeting")
        case .mute(let target, let kind):
            try requireHost(p, "mute others")
            guard let t = room.participants[target] else { throw SignalingError(.notFound, "no such participant") }
            t.send("mute", ["kind": kind])
            setMuted(t, kind: kind, muted: true, in: room)
        case .muteSelf(let kind, let muted):
            setMuted(p, kind: kind, muted: muted, in: room)
        case .publishOffer(let sdp):
            try handlePublishOffer(sdp, from: p)
        case .subscribeAnswer(let sdp):
            try handleSubscribeAnswer(sdp, from: p)
        case .candidate:
            // ICE-lite: the peer's checks reveal its addresses; trickled candidates are not needed.
            break
        case .setPreferences(let trackID, let maxWidth, let maxHeight, let maxFps, let paused):
            try handleSetPreferences(trackID: trackID, maxWidth: maxWidth, maxHeight: maxHeight, maxFps: maxFps,
                                     paused: paused, from: p)
        }
    }
}
