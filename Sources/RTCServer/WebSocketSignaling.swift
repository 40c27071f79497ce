import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// `GET /ws?token=…`: one signaling socket per participant (docs/PROTOCOL.md).
func buildWebSocketRouter(_ ctx: ServerContext) -> Router<BasicWebSocketRequestContext> {
    let router = Router(context: BasicWebSocketRequestContext.self)
    router.ws("/ws") { inbound, outbound, wsContext in
        let loop = ctx.rooms.loop
        func fail(_ e: SignalingError) async {
            try? await outbound.write(.text(ServerMessage.error(e)))
            try? await outbound.close(.policyViolation, reason: e.code.rawValue)
        }
        guard let raw = wsContext.request.uri.queryParameters.get("token") else {
            await fail(SignalingError(.unauthorized, "token required"))
            return
        }
        guard let token = await ctx.tokens.verify(String(raw)), let roomID = token.room else {
            await fail(SignalingError(.unauthorized, "invalid or expired token"))
            return
        }
        let pid = token.sub.value
        let outbox = Outbox()
        let generation: Int
        do {
            generation = try await loop.submit { () throws -> Int in try ctx.rooms.connect(token: token, outbox: outbox) }.get()
        } catch let e as SignalingError {
            await fail(e)
            return
        }
        await withTaskGroup(of: Void.self) { group in
            // Writer: drains the outbox; when the server finishes it (kick, end, replaced), close.
            group.addTask {
                for await text in outbox.stream {
                    do { try await outbound.write(.text(text)) } catch { break }
                }
                try? await outbound.close(.normalClosure, reason: nil)
            }
            // Reader: parse, validate, and hand each message to the room on the media loop.
            group.addTask {
                do {
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message else {
                            outbox.send(ServerMessage.error(SignalingError(.badRequest, "binary messages are not supported")))
                            continue
                        }
                        do {
                            let m = try ClientMessage.parse(text)
                            loop.execute { ctx.rooms.handle(m, roomID: roomID, participantID: pid, generation: generation) }
                        } catch let e as SignalingError {
                            outbox.send(ServerMessage.error(e))
                        } catch {
                            outbox.send(ServerMessage.error(SignalingError(.internal, "unexpected error")))
                        }
                    }
                } catch {
                    ctx.logger.debug("websocket read ended", metadata: ["error": "\(error)"])
                }
                outbox.finish()
            }
        }
        loop.execute {
            ctx.rooms.socketClosed(roomID: roomID, participantID: pid, generation: generation, grace: .seconds(10))
        }
    }
    return router
}
