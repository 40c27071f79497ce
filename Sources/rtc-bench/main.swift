import ArgumentParser
import CMallocCounter
import RTCCore

struct RTCBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rtc-bench",
        abstract: "Packet-level benchmarks and robustness runs for RTCCore",
        subcommands: [FuzzCommand.self, ParseCommand.self, CryptoCommand.self, MakeFixtureCommand.self, ReplayCommand.self])
}

RTCBench.main()
