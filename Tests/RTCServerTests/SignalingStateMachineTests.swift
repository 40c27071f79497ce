import Foundation
import Logging
import NIOCore
import NIOEmbedded
import RTCCore
import Testing
@testable import RTCServer

/// The signaling state machine (rooms, participants, host controls, renegotiation) driven
/// without sockets: an embedded event loop, outboxes read directly, tokens made in-process.
@Suite struct SignalingStateMachineTests {
    final class Harness {
        let loop = EmbeddedEventLoop()
        let engine: MediaEngine
        let rooms: RoomRegistry
        var iterators: [String: AsyncStream<String>.Iterator] = [:]

        init(capacity: Int = 20) throws {
            let cert = try DTLSCertificate(generatingAt: 1_790_000_000)
            engine = MediaEngine(loop: loop, certificate: cert, announcedIP: nil, logger: Logger(label: "test"))
            rooms = RoomRegistry(engine: engine, capacity: capacity, logger: Logger(label: "test"))
        }

        func token(_ id: String, room: String, role: SFUToken.Role = .guest) -> SFUToken {
            SFUToken(sub: .init(value: id), exp: .init(value: Date().addingTimeInterval(600)), room: room,
                     name: id.uppercased(), role: role)
        }

        @discardableResult
        func connect(_ id: String, room: String, role: SFUToken.Role = .guest) throws(SignalingError) -> Int {
            let outbox = Outbox()
            let g = try rooms.connect(token: token(id, room: room, role: role), outbox: outbox)
            iterators[id] = outbox.stream.makeAsyncIterator()
            return g
        }

        /// Next message of `type` for `id` (skipping others), as a JSON object.
        func next(_ id: String, _ type: String) async -> [String: Any]? {
            guard var it = iterators[id] else { return nil }
            defer { iterators[id] = it }
            for _ in 0..<50 {
                guard let text = await it.next() else { return nil }
                if let obj = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                   obj["type"] as? String == type { return obj }
            }
            return nil
        }

        func send(_ m: ClientMessage, from id: String, room: String, generation: Int = 1) {
            rooms.handle(m, roomID: room, participantID: id, generation: generation)
        }
    }

    static func fixture(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("Fixtures/sdp/\(name)"), encoding: .utf8)
    }

    @Test func joinAnnouncesParticipants() async throws {
        let h = try Harness()
        let room = h.rooms.createRoom(name: "Standup").id
        try h.connect("host", room: room, role: .host)
        let joined = await h.next("host", "joined")
        #expect((joined?["participant"] as? [String: Any])?["role"] as? String == "host")
        try h.connect("ada", room: room)
        let seen = await h.next("host", "participant-joined")
        #expect((seen?["participant"] as? [String: Any])?["id"] as? String == "ada")
        let adaJoined = await h.next("ada", "joined")
        #expect((adaJoined?["participants"] as? [[String: Any]])?.count == 1)
        #expect(h.rooms.participantCount == 2)
    }

    @Test func guestsCannotUseHostControls() async throws {
        let h = try Harness()
        let room = h.rooms.createRoom(name: nil).id
        try h.connect("host", room: room, role: .host)
        try h.connect("ada", room: room)
        for m in [ClientMessage.kick(participantID: "host"), .lock(locked: true), .end,
                  .mute(participantID: "host", kind: "audio")] {
            h.send(m, from: "ada", room: room)
            let e = await h.next("ada", "error")
            #expect(e?["code"] as? String == "forbidden")
        }
        #expect(h.rooms.rooms[room]?.locked == false)
        #expect(h.rooms.participantCount == 2)
    }

    @Test func lockFullAndKick() async throws {
        let h = try Harness(capacity: 2)
        let room = h.rooms.createRoom(name: nil).id
        try h.connect("host", room: room, role: .host)
        try h.connect("ada", room: room)
        #expect(throws: SignalingError.self) { try h.rooms.checkAdmission(roomID: room, participantID: nil) }
        do {
            try h.connect("bo", room: room)
            Issue.record("a full room admitted a third participant")
        } catch {
            #expect(error.code == .roomFull)
        }
        h.send(.kick(participantID: "ada"), from: "host", room: room)
        #expect(await h.next("ada", "kicked") != nil)
        let left = await h.next("host", "participant-left")
        #expect(left?["reason"] as? String == "kicked")
        do {
            try h.connect("ada", room: room)
            Issue.record("a kicked participant came back")
        } catch {
            #expect(error.code == .forbidden)
        }
        h.send(.lock(locked: true), from: "host", room: room)
        do {
            _ = try h.rooms.checkAdmission(roomID: room, participantID: nil)
            Issue.record("a locked room admitted someone")
        } catch {
            #expect(error.code == .roomLocked)
        }
    }

    @Test func chatIsRelayedAndRateLimited() async throws {
        let h = try Harness()
        let room = h.rooms.createRoom(name: nil).id
        try h.connect("ada", room: room)
        try h.connect("bo", room: room)
        h.send(.chat(text: "hi"), from: "ada", room: room)
        let chat = await h.next("bo", "chat")
        #expect(chat?["text"] as? String == "hi" && chat?["name"] as? String == "ADA")
        for i in 0..<6 { h.send(.chat(text: "spam \(i)"), from: "ada", room: room) }
        let e = await h.next("ada", "error")
        #expect(e?["code"] as? String == "rate-limited")
    }

    @Test func parsingRefusesBadMessages() {
        for (text, code) in [("{", "bad-request"), ("[1]", "bad-request"), ("{\"type\":\"nope\"}", "bad-request"),
                             ("{\"type\":\"chat\",\"text\":\"" + String(repeating: "x", count: 4001) + "\"}", "too-large"),
                             ("{\"type\":\"chat\",\"text\":\"" + String(repeating: "x", count: 70_000) + "\"}", "too-large"),
                             ("{\"type\":\"mute\",\"participantId\":\"a\",\"kind\":\"smell\"}", "bad-request"),
                             ("{\"type\":\"lock\",\"locked\":\"yes\"}", "bad-request")] {
            do {
                _ = try ClientMessage.parse(text)
                Issue.record("accepted \(text.prefix(40))")
            } catch {
                #expect(error.code.rawValue == code)
            }
        }
    }

    @Test func badSDPIsRefusedAndTheRoomCarriesOn() async throws {
        let h = try Harness()
        let room = h.rooms.createRoom(name: nil).id
        try h.connect("ada", room: room)
        try h.connect("bo", room: room)
        h.send(.publishOffer(sdp: "v=0\r\nnonsense"), from: "ada", room: room)
        #expect(await h.next("ada", "error")?["code"] as? String == "bad-sdp")
        h.send(.subscribeAnswer(sdp: "v=0"), from: "ada", room: room)
        #expect(await h.next("ada", "error")?["code"] as? String == "bad-request")
        h.send(.chat(text: "still here"), from: "ada", room: room)
        #expect(await h.next("bo", "chat") != nil)
    }

    @Test func publishingOffersTracksToOthersOneOfferAtATime() async throws {
        let h = try Harness()
        let room = h.rooms.createRoom(name: nil).id
        try h.connect("ada", room: room)
        try h.connect("bo", room: room)
        h.send(.publishOffer(sdp: try Self.fixture("chromium-offer-simulcast.sdp")), from: "ada", room: room)
        let answer = await h.next("ada", "publish-answer")
        let answerSDP = try SessionDescription.parse(answer?["sdp"] as? String ?? "")
        #expect(answerSDP.iceLite)
        #expect(await h.next("bo", "track-published") != nil)
        let offer = await h.next("bo", "subscribe-offer")
        let tracks = offer?["tracks"] as? [[String: Any]] ?? []
        #expect(Set(tracks.compactMap { $0["kind"] as? String }) == ["audio", "video"])
        let sub = try SessionDescription.parse(offer?["sdp"] as? String ?? "")
        #expect(sub.media.count == 2 && sub.media.allSatisfy { $0.direction == .sendonly })
        // A second publisher while bo's offer is unanswered: queued, not sent.
        try h.connect("cy", room: room)
        h.send(.publishOffer(sdp: try Self.fixture("aiortc-offer.sdp")), from: "cy", room: room)
        #expect(await h.next("cy", "publish-answer") != nil)
        let bo = try #require(h.rooms.rooms[room]?.participants["bo"]?.media.routerID)
        #expect(h.engine.router.subscriberOfferState(bo)?.queued == true)
        // Leaving removes every trace: tracks, sections elsewhere, connections.
        h.send(.leave, from: "ada", room: room)
        #expect(await h.next("bo", "track-unpublished") != nil)
        #expect(h.rooms.rooms[room]?.participants["ada"] == nil)
        h.send(.leave, from: "cy", room: room)
        h.send(.leave, from: "bo", room: room)
        #expect(h.rooms.participantCount == 0)
        #expect(h.engine.connectionCount == 0)
    }
}
