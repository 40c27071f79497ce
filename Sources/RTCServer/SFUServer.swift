import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOPosix
import RTCCore
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// sfu-server's command line (contract in DESIGN.md "Command line").
@main
struct SFUServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sfu-server",
        abstract: "swift-rtc Selective Forwarding Unit")

    @Option(help: "HTTP, WebSocket and browser client address (env SFU_HTTP)")
    var http: String = env("SFU_HTTP") ?? "127.0.0.1:8080"

    @Option(help: "UDP media address, one port for all peers (env SFU_MEDIA)")
    var media: String = env("SFU_MEDIA") ?? "127.0.0.1:40000"

    @Option(help: "Address announced in ICE candidates (env SFU_ANNOUNCE)")
    var announce: String = env("SFU_ANNOUNCE") ?? ""

    @Option(help: "Host login name (env SFU_HOST_USER)")
    var hostUser: String = env("SFU_HOST_USER") ?? "host"

    @Option(help: "Host password, default random and printed at start (env SFU_HOST_PASSWORD)")
    var hostPassword: String = env("SFU_HOST_PASSWORD") ?? ""

    @Option(help: "HS256 secret for tokens, default random per start (env SFU_JWT_SECRET)")
    var jwtSecret: String = env("SFU_JWT_SECRET") ?? ""

    @Option(help: "Participants per room (env SFU_CAPACITY)")
    var capacity: Int = Int(env("SFU_CAPACITY") ?? "") ?? 20

    @Option(help: "Write decrypted RTP/RTCP per participant as pcap into this folder (env SFU_CAPTURE)")
    var capture: String = env("SFU_CAPTURE") ?? ""

    @Option(help: "Log level: trace, debug, info, notice, warning, error (env SFU_LOG_LEVEL)")
    var logLevel: String = env("SFU_LOG_LEVEL") ?? "info"

    func validate() throws {
        guard (1...1000).contains(capacity) else { throw ValidationError("--capacity must be 1...1000") }
        // HS256 needs a key at least as long as the hash output (RFC 7518 §3.2).
        guard jwtSecret.isEmpty || jwtSecret.utf8.count >= 32 else {
            throw ValidationError("--jwt-secret must be at least 32 bytes")
        }
    }

    func run() async throws {
        guard let (httpHost, httpPort) = ServerConfiguration.hostPort(http) else {
            throw ValidationError("--http must be HOST:PORT")
        }
        guard let (mediaHost, mediaPort) = ServerConfiguration.hostPort(media) else {
            throw ValidationError("--media must be HOST:PORT")
        }
        var logger = Logger(label: "sfu-server")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

        let password = hostPassword.isEmpty ? randomID(12) : hostPassword
        let secret = jwtSecret.isEmpty ? randomID(40) : jwtSecret
        let certificate = try DTLSCertificate(generatingAt: Int64(time(nil)))
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let engine = MediaEngine(loop: loop, certificate: certificate,
                                 announcedIP: announce.isEmpty ? nil : announce, logger: logger)
        if !capture.isEmpty {
            try FileManager.default.createDirectory(atPath: capture, withIntermediateDirectories: true)
            engine.captureDirectory = capture
        }
        try await engine.start(host: mediaHost, port: mediaPort)
        let rooms = RoomRegistry(engine: engine, capacity: capacity, logger: logger)
        let publicHost = announce.isEmpty ? httpHost : announce
        let ctx = ServerContext(
            engine: engine, rooms: rooms, tokens: await TokenService(secret: secret),
            host: HostAccount(username: hostUser, password: password),
            publicHTTP: "http://\(publicHost.contains(":") ? "[\(publicHost)]" : publicHost):\(httpPort)",
            logger: logger, metrics: ServerMetrics(registry: ServerMetrics.bootstrap()))

        let app = Application(
            router: buildRouter(ctx),
            server: .http1WebSocketUpgrade(
                webSocketRouter: buildWebSocketRouter(ctx),
                configuration: .init(ws: .init(maxFrameSize: 1 << 20))),
            configuration: .init(address: .hostname(httpHost, port: httpPort), serverName: "sfu-server"),
            onServerRunning: { _ in
                print("sfu-server: open \(ctx.publicHTTP)/  (host login: \(hostUser) / \(password))")
                print("sfu-server: media udp \(mediaHost):\(mediaPort), dtls fingerprint \(certificate.fingerprint)")
                fflush(nil)
            },
            logger: logger)
        // Services stop in reverse order: on SIGTERM/SIGINT the rooms end first (everyone gets
        // `end` while the sockets are still open), then the HTTP server.
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: app), .init(service: RoomsShutdown(rooms: rooms))],
                                 gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await engine.close()
    }
}

func env(_ name: String) -> String? {
    guard let p = getenv(name) else { return nil }
    return String(cString: p)
}

/// Ends every meeting when the server is asked to stop.
struct RoomsShutdown: Service {
    let rooms: RoomRegistry

    func run() async throws {
        try? await gracefulShutdown()
        try? await rooms.loop.submit { rooms.endAll(reason: "the server is shutting down") }.get()
        // Give the WebSocket writers a moment to deliver `end` before the HTTP server stops.
        try? await Task.sleep(for: .milliseconds(300))
    }
}
