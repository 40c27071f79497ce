import Foundation
import Hummingbird
import Logging
import NIOCore
import RTCCore

/// The `{code, message}` body of every HTTP error (DESIGN.md "Limits and errors").
struct APIError: Error, ResponseGenerator {
    let status: HTTPResponse.Status
    let code: String
    let message: String

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONSerialization.data(withJSONObject: ["code": code, "message": message])
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func badRequest(_ m: String) -> APIError { APIError(status: .badRequest, code: "bad-request", message: m) }
    static func badSDP(_ m: String) -> APIError { APIError(status: .badRequest, code: "bad-sdp", message: m) }
    static func notFound(_ m: String) -> APIError { APIError(status: .notFound, code: "not-found", message: m) }
    static func internalError(_ m: String) -> APIError { APIError(status: .internalServerError, code: "internal", message: m) }
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

func buildRouter(engine: MediaEngine, logger: Logger) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)

    router.get("/health") { _, _ -> HealthResponse in
        let n = try await engine.loop.submit { engine.connectionCount }.get()
        return HealthResponse(status: "ok", activeRooms: 0, activeParticipants: n)
    }

    router.get("/") { _, _ in try StaticFiles.page("index.html") }
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
