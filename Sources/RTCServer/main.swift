import ArgumentParser
import RTCCore

/// sfu-server's command line (contract in DESIGN.md). The server grows from the secure
/// transport endpoint; until then it validates its configuration and reports what it supports.
struct SFUServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sfu-server",
        abstract: "swift-rtc Selective Forwarding Unit")

    @Option(help: "HTTP, WebSocket and browser client address (env SFU_HTTP)")
    var http: String = env("SFU_HTTP") ?? "127.0.0.1:8080"

    @Option(help: "UDP media address, one port for all peers (env SFU_MEDIA)")
    var media: String = env("SFU_MEDIA") ?? "127.0.0.1:40000"

    @Option(help: "Address announced in ICE candidates (env SFU_ANNOUNCE)")
    var announce: String? = env("SFU_ANNOUNCE")

    mutating func run() throws {
        print("sfu-server: http=\(http) media=\(media) announce=\(announce ?? "-")")
        print("sfu-server: signaling and forwarding are not implemented yet (see issues)")
    }
}

func env(_ name: String) -> String? {
    guard let p = getenv(name) else { return nil }
    return String(cString: p)
}

#if canImport(Glibc)
import Glibc
#endif

SFUServerCommand.main()
