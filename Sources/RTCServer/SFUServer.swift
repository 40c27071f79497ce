import ArgumentParser
import Hummingbird
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

    @Option(help: "Log level: trace, debug, info, notice, warning, error (env SFU_LOG_LEVEL)")
    var logLevel: String = env("SFU_LOG_LEVEL") ?? "info"

    func run() async throws {
        guard let (httpHost, httpPort) = ServerConfiguration.hostPort(http) else {
            throw ValidationError("--http must be HOST:PORT")
        }
        guard let (mediaHost, mediaPort) = ServerConfiguration.hostPort(media) else {
            throw ValidationError("--media must be HOST:PORT")
        }
        var logger = Logger(label: "sfu-server")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

        let nowUnix = Int64(time(nil))
        let certificate = try DTLSCertificate(generatingAt: nowUnix)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let engine = MediaEngine(loop: loop, certificate: certificate,
                                 announcedIP: announce.isEmpty ? nil : announce, logger: logger)
        try await engine.start(host: mediaHost, port: mediaPort)

        let router = buildRouter(engine: engine, logger: logger)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(httpHost, port: httpPort), serverName: "sfu-server"),
            onServerRunning: { _ in
                print("sfu-server: http://\(httpHost):\(httpPort)  media udp \(mediaHost):\(mediaPort)"
                    + "  dtls fingerprint \(certificate.fingerprint)")
                fflush(nil)
            },
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: app)],
                                 gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await engine.close()
    }
}

func env(_ name: String) -> String? {
    guard let p = getenv(name) else { return nil }
    return String(cString: p)
}
