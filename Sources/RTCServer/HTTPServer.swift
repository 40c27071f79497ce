import Foundation
import Hummingbird
import Logging
import NIOCore
import RTCCore

/// The `{code, message}` body of every HTTP error (DESIGN.md "Limits and errors").
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let message: String

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try jsonResponse(status, ["code": code, "message": message])
    }

    init(status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    init(_ e: SignalingError) {
        self.init(status: HTTPResponse.Status(code: e.httpStatus), code: e.code.rawValue, message: e.message)
    }

    static func badRequest(_ m: String) -> APIError { APIError(status: .badRequest, code: "bad-request", message: m) }
    static func badSDP(_ m: String) -> APIError { APIError(status: .badRequest, code: "bad-sdp", message: m) }
    static func notFound(_ m: String) -> APIError { APIError(status: .notFound, code: "not-found", message: m) }
    static func internalError(_ m: String) -> APIError { APIError(status: .internalServerError, code: "internal", message: m) }
}

/// A JSON body with the given status.
func jsonResponse(_ status: HTTPResponse.Status, _ object: [String: Any]) throws -> Response {
    let body = try JSONSerialization.data(withJSONObject: object)
    return Response(status: status, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(bytes: body)))
}

struct OfferRequest: Decodable {
    let sdp: String
}

struct OfferResponse: ResponseEncodable {
    let id: String
    let sdp: String
}

struct HealthResponse: ResponseEncodable {
    let status: String
    let activeRooms: Int
    let activeParticipants: Int
}

struct EchoStats: ResponseEncodable {
    let id: String
    let state: String
    let srtpProfile: String?
    /// First STUN request → first SRTP packet decrypted, in milliseconds.
    let setupMilliseconds: Double?
    let iceMilliseconds: Double?
    let dtlsMilliseconds: Double?
    let rtpReceived: UInt64
    let rtpSent: UInt64
}

/// Static files bundled with the server (the browser client).
enum StaticFiles {
    static func load(_ name: String) -> ByteBuffer? {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources"),
              let data = try? Data(contentsOf: url) else { return nil }
        return ByteBuffer(bytes: data)
    }

    static func page(_ name: String, type: String = "text/html; charset=utf-8") throws -> Response {
        guard let body = load(name) else { throw APIError.notFound("no such page") }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"],
                        body: .init(byteBuffer: body))
    }
}

struct LoginRequest: Decodable {
    let username: String
    let password: String
}

struct CreateRoomRequest: Decodable {
    let name: String?
}

struct RoomInfoResponse: ResponseEncodable {
    let room: String
    let name: String
    let locked: Bool
    let participants: Int
    let capacity: Int
}

struct JoinRequest: Decodable {
    let name: String
}

struct JoinResponse: ResponseEncodable {
    let token: String
    let wsUrl: String
    let iceServers: [String]
    let participantId: String
    let role: String
}

/// Everything the HTTP and WebSocket handlers share.
struct ServerContext: Sendable {
    let engine: MediaEngine
    let rooms: RoomRegistry
    let tokens: TokenService
    let host: HostAccount
    let publicHTTP: String
    let logger: Logger
    let metrics: ServerMetrics

    /// The host's login token from `Authorization: Bearer` or the `sfu_session` cookie.
    func hostToken(_ request: Request) async -> SFUToken? {
        var candidates: [String] = []
        if let auth = request.headers[.authorization], auth.hasPrefix("Bearer ") {
            candidates.append(String(auth.dropFirst(7)))
        }
        if let cookie = request.cookies["sfu_session"]?.value { candidates.append(cookie) }
        for c in candidates {
            if let t = await tokens.verify(c), t.role == .host, t.room == nil { return t }
        }
        return nil
    }
}

extension HTTPResponse.Status {
    static let unprocessableContent = HTTPResponse.Status(code: 422, reasonPhrase: "Unprocessable Content")
}

func decodeBody<T: Decodable>(_ type: T.Type, _ request: Request, _ context: BasicRequestContext) async throws -> T {
    do {
        return try await request.decode(as: T.self, context: context)
    } catch {
        throw APIError.badRequest("malformed JSON body")
    }
}

func buildRouter(_ ctx: ServerContext) -> Router<BasicRequestContext> {
    let engine = ctx.engine
    let logger = ctx.logger
    let router = Router(context: BasicRequestContext.self)

    router.get("/health") { _, _ -> HealthResponse in
        let (r, p) = try await engine.loop.submit { (ctx.rooms.rooms.count, ctx.rooms.participantCount) }.get()
        return HealthResponse(status: "ok", activeRooms: r, activeParticipants: p)
    }

    router.get("/metrics") { _, _ -> Response in
        try await engine.loop.submit { ctx.metrics.update(engine: engine, rooms: ctx.rooms) }.get()
        var out: [UInt8] = []
        ctx.metrics.registry.emit(into: &out)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                        body: .init(byteBuffer: ByteBuffer(bytes: out)))
    }

    router.post("/api/login") { request, context -> Response in
        let body = try await decodeBody(LoginRequest.self, request, context)
        guard ctx.host.verify(username: body.username, password: body.password) else {
            logger.notice("host login refused", metadata: ["username": "\(body.username.prefix(64))"])
            throw APIError(status: .unauthorized, code: "unauthorized", message: "wrong username or password")
        }
        let (token, exp) = try await ctx.tokens.issue(subject: "host", room: nil, name: body.username, role: .host)
        var response = try jsonResponse(.ok, ["token": token, "expiresAt": Int(exp.timeIntervalSince1970)])
        response.setCookie(.init(name: "sfu_session", value: token, expires: exp, path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    router.post("/api/rooms") { request, context -> Response in
        guard await ctx.hostToken(request) != nil else {
            throw APIError(status: .unauthorized, code: "unauthorized", message: "host login required")
        }
        let name = (try? await request.decode(as: CreateRoomRequest.self, context: context))?.name
        let roomID = try await engine.loop.submit { ctx.rooms.createRoom(name: name).id }.get()
        return try jsonResponse(.created, ["room": roomID, "joinUrl": "\(ctx.publicHTTP)/join/\(roomID)"])
    }

    router.get("/api/rooms/:room") { _, context -> RoomInfoResponse in
        let id = context.parameters.get("room") ?? ""
        guard let info = try await engine.loop.submit({ () -> RoomInfoResponse? in
            guard let r = ctx.rooms.rooms[id] else { return nil }
            return RoomInfoResponse(room: r.id, name: r.name, locked: r.locked, participants: r.participants.count,
                                    capacity: r.capacity)
        }).get() else { throw APIError.notFound("no such room") }
        return info
    }

    router.post("/api/rooms/:room/join") { request, context -> JoinResponse in
        let id = context.parameters.get("room") ?? ""
        let body = try await decodeBody(JoinRequest.self, request, context)
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 64 else {
            throw APIError(status: .unprocessableContent, code: "bad-request", message: "a name is 1 to 64 characters")
        }
        let isHost = await ctx.hostToken(request) != nil
        do {
            try await engine.loop.submit { () throws in _ = try ctx.rooms.checkAdmission(roomID: id, participantID: nil) }.get()
        } catch let e as SignalingError {
            throw APIError(e)
        }
        let pid = "p-" + randomID(10)
        let role: SFUToken.Role = isHost ? .host : .guest
        let (token, _) = try await ctx.tokens.issue(subject: pid, room: id, name: name, role: role)
        let ws = ctx.publicHTTP.replacingOccurrences(of: "http", with: "ws", options: .anchored)
        return JoinResponse(token: token, wsUrl: "\(ws)/ws?token=\(token)", iceServers: [],
                            participantId: pid, role: role.rawValue)
    }

    router.get("/") { _, _ in try StaticFiles.page("index.html") }
    router.get("/join/:room") { _, _ in try StaticFiles.page("join.html") }
    router.get("/room/:room") { _, _ in try StaticFiles.page("join.html") }
    router.get("/static/:file") { _, context in
        let file = context.parameters.get("file") ?? ""
        guard file.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" }),
              !file.hasPrefix(".") else { throw APIError.notFound("no such file") }
        let type = file.hasSuffix(".js") ? "text/javascript; charset=utf-8"
            : file.hasSuffix(".css") ? "text/css; charset=utf-8" : "application/octet-stream"
        return try StaticFiles.page(file, type: type)
    }
    router.get("/echo") { _, _ in try StaticFiles.page("echo.html") }

    // The echo test: POST an offer, get an answer; the server sends every stream back.
    router.post("/echo/offer") { request, context -> OfferResponse in
        let body: OfferRequest
        do {
            body = try await request.decode(as: OfferRequest.self, context: context)
        } catch {
            throw APIError.badRequest("expected JSON {\"sdp\": \"...\"}")
        }
        let offer: SessionDescription
        do {
            offer = try SessionDescription.parse(body.sdp)
        } catch {
            throw APIError.badSDP("offer does not parse: \(error)")
        }
        var role: DTLSRole?
        switch request.uri.queryParameters.get("dtls") {
        case "client": role = .client
        case "server": role = .server
        case nil: role = nil
        default: throw APIError.badRequest("dtls must be client or server")
        }
        let forced = role
        do {
            let r = try await engine.loop.submit { try EchoSession.start(offer: offer, dtlsRole: forced, engine: engine) }.get()
            logger.info("echo session", metadata: ["id": "\(r.id)"])
            return OfferResponse(id: r.id, sdp: r.answer)
        } catch let e as SDPNegotiationError {
            throw APIError.badSDP("offer cannot be answered: \(e)")
        }
    }

    router.get("/echo/stats") { request, _ -> EchoStats in
        guard let id = request.uri.queryParameters.get("id") else { throw APIError.badRequest("id required") }
        let id2 = String(id)
        guard let s = try await engine.loop.submit({ () -> EchoStats? in
            guard let c = engine.connection(id: id2) else { return nil }
            let st = c.transport.stats
            func ms(_ t: Instant?) -> Double? {
                guard let a = st.firstSTUNRequestAt, let b = t else { return nil }
                return Double((b - a).rtcNanoseconds) / 1e6
            }
            return EchoStats(id: id2, state: "\(c.transport.state)", srtpProfile: c.transport.srtpProfile.map { "\($0)" },
                             setupMilliseconds: ms(st.firstSRTPReceivedAt), iceMilliseconds: ms(st.iceConnectedAt),
                             dtlsMilliseconds: ms(st.dtlsConnectedAt), rtpReceived: st.rtpReceived, rtpSent: st.rtpSent)
        }).get() else { throw APIError.notFound("no such echo session") }
        return s
    }
    return router
}
