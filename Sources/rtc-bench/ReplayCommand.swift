import ArgumentParser
import CMallocCounter
import Foundation
import RTCCore

/// `rtc-bench replay FIXTURE.pcap --subscribers N`: the forwarding pipeline on a captured (or
/// synthetic) publisher, through real in-process connections (ICE + DTLS handshakes in
/// virtual time), as fast as it goes. Measures three stages separately (``ReplayStage``),
/// each on a fresh set of connections (SRTP replay protection refuses a datagram twice), and
/// proves the result: egress == expected fan-out of what the layer gate selects, and sampled
/// egress packets decrypt with the subscriber clients' keys and carry their subscription's
/// SSRC.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay", abstract: "Replay a pcap fixture through the SFU forwarding path to N subscribers")

    @Argument(help: "Fixture pcap (its sidecar .json next to it)")
    var fixture: String

    @Option(help: "Subscribers")
    var subscribers: Int = 10

    @Option(help: "SRTP profile on every connection: gcm (AEAD_AES_128_GCM) or cm (AES_CM_128_HMAC_SHA1_80)")
    var profile: String = "gcm"

    @Option(help: "SRTP implementation on every connection (server and clients): openssl or libsrtp")
    var srtpBackend: String = SRTPBackend.default.rawValue

    @Option(help: "Use only the first this many seconds of the fixture")
    var fixtureSeconds: Double?

    @Option(help: "Minimum measured seconds per stage (passes repeat the fixture until then)")
    var minSeconds: Double = 1.0

    @Option(help: "Maximum passes per stage")
    var maxPasses: Int = 10_000

    @Option(help: "Stages to run: all, or a comma list of receive,route,full")
    var stages: String = "all"

    @Option(help: "Fail when heap allocations per forwarded (egress) packet exceed this")
    var maxAllocsPerPacket: Double?

    @Option(help: "Fail when routing and rewriting (the route stage less the receive stage, per forwarded packet) allocate more than this")
    var maxRouteAllocsPerPacket: Double?

    @Flag(help: "Print JSON only")
    var json = false

    mutating func run() throws {
        let srtpProfile: SRTPProfile
        switch profile.lowercased() {
        case "gcm": srtpProfile = .aeadAES128GCM
        case "cm": srtpProfile = .aes128CMHMACSHA1_80
        default:
            print("replay: --profile must be gcm or cm")
            throw ExitCode.failure
        }
        guard let backend = SRTPBackend(rawValue: srtpBackend.lowercased()) else {
            print("replay: --srtp-backend must be openssl or libsrtp")
            throw ExitCode.failure
        }
        let selected: [ReplayStage] = stages == "all" ? ReplayStage.allCases
            : stages.split(separator: ",").compactMap { ReplayStage(rawValue: String($0)) }
        guard !selected.isEmpty, subscribers >= 1 else {
            print("replay: no stage selected or no subscribers")
            throw ExitCode.failure
        }
        let sidecar = try ReplaySidecar.read(from: ReplaySidecar.sidecarPath(forPcap: fixture))
        var map = RTPExtensionMap()
        for (k, uri) in sidecar.extmap { if let id = UInt8(k) { _ = map.register(uri: uri, id: id) } }
        let fx = try ReplayFixture.load(pcap: fixture, sidecar: sidecar, map: map, seconds: fixtureSeconds)
        let unix = Int64(Date().timeIntervalSince1970)
        let serverCert = try DTLSCertificate(generatingAt: unix, commonName: "replay-server")
        let clientCert = try DTLSCertificate(generatingAt: unix, commonName: "replay-client")
        let publisherAddress = TransportAddress(sidecar.source) ?? TransportAddress("127.0.0.1:54321")!

        var failures: [String] = []
        var stageFields: [String] = []
        var lines: [String] = []
        var full: StageResult?
        var results: [ReplayStage: StageResult] = [:]
        for stage in selected {
            let setup0 = monotonicNanos()
            let world = try ReplayWorld(sidecar: sidecar, subscriberCount: subscribers, profile: srtpProfile,
                                        srtpBackend: backend,
                                        serverCertificate: serverCert, clientCertificate: clientCert,
                                        publisherAddress: publisherAddress)
            let setupNs = monotonicNanos() - setup0
            let runner = ReplayRunner(world: world, fixture: fx, stage: stage)
            var r = StageResult(stage: stage, setupNs: setupNs)
            var pass = 0
            while pass < maxPasses {
                try runner.prepare(pass: pass)
                let layersBefore = runner.layerSnapshot()
                let gatedBefore = runner.svcGatedDrops()
                let in0 = runner.ingressRTP, out0 = runner.egressPackets, bytes0 = runner.egressBytes
                let a0 = rtc_malloc_count()
                let t0 = monotonicNanos()
                runner.replay()
                let t1 = monotonicNanos()
                let a1 = rtc_malloc_count()
                let egress = runner.egressPackets - out0
                if pass == 0 {
                    r.warmupIngress = runner.ingressRTP - in0
                    r.warmupEgress = egress
                } else {
                    r.ns &+= t1 - t0
                    r.allocs &+= a1 - a0
                    r.ingress &+= runner.ingressRTP - in0
                    r.egress &+= egress
                    r.egressBytes &+= runner.egressBytes - bytes0
                    r.passes += 1
                    if stage != .receive {
                        if runner.layerSnapshot() == layersBefore {
                            let expected = runner.expectedEgress() &- (runner.svcGatedDrops() &- gatedBefore)
                            r.expected &+= expected
                            if expected != egress {
                                failures.append("\(stage) pass \(pass): \(egress) egress packets, expected \(expected)")
                            }
                        } else {
                            r.layerSwitchPasses += 1
                        }
                    }
                    if Double(r.ns) / 1e9 >= minSeconds { break }
                }
                pass += 1
            }
            if r.passes == 0 { failures.append("\(stage): no measured pass (maxPasses \(maxPasses))") }
            if runner.ingressDropped > 0 { failures.append("\(stage): \(runner.ingressDropped) ingress datagrams dropped") }
            if runner.unroutable > 0, stage != .receive { failures.append("\(stage): \(runner.unroutable) unroutable packets") }
            if runner.egressFailures > 0 { failures.append("\(stage): \(runner.egressFailures) egress protect failures") }
            let drops = runner.unexpectedDrops()
            if !drops.isEmpty, stage != .receive { failures.append("\(stage): unexpected drops \(drops)") }
            if stage != .receive, r.expected == 0 { failures.append("\(stage): no pass with a stable layer selection to check") }
            if stage == .full {
                let (checked, bad) = runner.verifySamples()
                r.samplesChecked = checked
                failures += bad.prefix(10).map { "full: \($0)" }
                if checked == 0 { failures.append("full: no egress sample to verify") }
                r.layers = world.subscriptions.map { subs in subs.first?.currentLayer ?? -1 }
                full = r
            }
            results[stage] = r
            stageFields.append(r.json)
            lines.append(r.text)
        }

        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peakRSSKB = Int(usage.ru_maxrss)
        let allocsPerPacket = full.map { $0.allocsPerEgress } ?? 0
        // What routing and rewriting add on top of SRTP (NSS allocates inside libsrtp2): the
        // route stage's allocations per ingress packet minus the receive stage's, per egress.
        var routeAllocs: Double?
        if let rt = results[.route], let rc = results[.receive], rt.egress > 0 {
            routeAllocs = (rt.allocsPerIngress - rc.allocsPerIngress) * Double(rt.ingress) / Double(rt.egress)
        }
        if let limit = maxRouteAllocsPerPacket {
            if let ra = routeAllocs {
                if ra > limit {
                    failures.append("route: \(String(format3: ra)) allocations per forwarded packet in routing and rewriting > \(limit)")
                }
            } else {
                failures.append("route: no allocation figure (run the receive and route stages)")
            }
        }
        if let limit = maxAllocsPerPacket, let f = full, f.allocsPerEgress > limit {
            failures.append("full: \(String(format3: f.allocsPerEgress)) allocations per forwarded packet > \(limit)")
        }
        if !json {
            print("replay \(fixture): \(fx.packets.count) packets per pass (\(String(format1: Double(fx.passNanos) / 1e9)) s), "
                + "\(subscribers) subscribers, \(srtpProfile), SRTP backend \(backend)")
            for l in lines { print(l) }
            print("peak RSS \(peakRSSKB) KB")
            if let ra = routeAllocs {
                print("allocations per forwarded packet added by route+rewrite (excluding SRTP): \(String(format3: ra))")
            }
            for f in failures { print("FAIL: \(f)") }
        }
        var top = "\"fixture\":\"\(fixture)\",\"subscribers\":\(subscribers),\"profile\":\"\(profile)\","
            + "\"srtpBackend\":\"\(backend)\","
            + "\"packetsPerPass\":\(fx.packets.count),\"passSeconds\":\(Double(fx.passNanos) / 1e9),"
            + "\"peakRSSKB\":\(peakRSSKB),\"allocationsPerForwardedPacket\":\(allocsPerPacket),"
        if let f = full {
            top += "\"egressPacketsPerSecond\":\(f.egressPerSecond),\"nsPerEgressPacket\":\(f.nsPerEgress),"
                + "\"ingressPacketsPerSecond\":\(f.ingressPerSecond),\"nsPerIngressPacket\":\(f.nsPerIngress),"
        }
        if let ra = routeAllocs { top += "\"routeAllocationsPerForwardedPacket\":\(ra)," }
        top += "\"stages\":{" + stageFields.joined(separator: ",") + "},"
        top += "\"ok\":\(failures.isEmpty),\"failures\":[" + failures.map { "\"\(jsonEscape($0))\"" }.joined(separator: ",") + "]"
        print("{" + top + "}")
        if !failures.isEmpty { throw ExitCode.failure }
    }
}

/// Measurements of one stage over its measured passes (pass 0 is warm-up).
struct StageResult {
    var stage: ReplayStage
    var setupNs: UInt64
    var ns: UInt64 = 0
    var allocs: UInt64 = 0
    var ingress: UInt64 = 0
    var egress: UInt64 = 0
    var egressBytes: UInt64 = 0
    var expected: UInt64 = 0
    var passes = 0
    var layerSwitchPasses = 0
    var warmupIngress: UInt64 = 0
    var warmupEgress: UInt64 = 0
    var samplesChecked = 0
    var layers: [Int] = []

    var nsPerIngress: Double { ingress == 0 ? 0 : Double(ns) / Double(ingress) }
    var nsPerEgress: Double { egress == 0 ? 0 : Double(ns) / Double(egress) }
    var ingressPerSecond: Double { ns == 0 ? 0 : Double(ingress) * 1e9 / Double(ns) }
    var egressPerSecond: Double { ns == 0 ? 0 : Double(egress) * 1e9 / Double(ns) }
    var allocsPerEgress: Double { egress == 0 ? 0 : Double(allocs) / Double(egress) }
    var allocsPerIngress: Double { ingress == 0 ? 0 : Double(allocs) / Double(ingress) }

    var text: String {
        var s = "  \(stage.rawValue): \(passes) passes, \(ingress) ingress, \(egress) egress in "
            + "\(String(format1: Double(ns) / 1e6)) ms: \(String(format1: nsPerIngress)) ns/ingress"
        if stage != .receive {
            s += ", \(String(format1: nsPerEgress)) ns/egress, \(Int(egressPerSecond)) egress/s"
                + ", expected \(expected) (checked passes)"
        }
        s += ", \(String(format3: allocsPerIngress)) allocs/ingress"
        if egress > 0 { s += ", \(String(format3: allocsPerEgress)) allocs/egress" }
        if samplesChecked > 0 { s += ", \(samplesChecked) samples verified" }
        s += " (setup \(String(format1: Double(setupNs) / 1e6)) ms)"
        return s
    }

    var json: String {
        "\"\(stage.rawValue)\":{\"passes\":\(passes),\"ingressPackets\":\(ingress),\"egressPackets\":\(egress),"
            + "\"egressBytes\":\(egressBytes),\"expectedEgress\":\(expected),\"layerSwitchPasses\":\(layerSwitchPasses),"
            + "\"seconds\":\(Double(ns) / 1e9),\"nsPerIngressPacket\":\(nsPerIngress),\"nsPerEgressPacket\":\(nsPerEgress),"
            + "\"ingressPacketsPerSecond\":\(ingressPerSecond),\"egressPacketsPerSecond\":\(egressPerSecond),"
            + "\"allocationsPerIngressPacket\":\(allocsPerIngress),\"allocationsPerEgressPacket\":\(allocsPerEgress),"
            + "\"warmupIngress\":\(warmupIngress),\"warmupEgress\":\(warmupEgress),\"samplesVerified\":\(samplesChecked),"
            + "\"setupMs\":\(Double(setupNs) / 1e6)}"
    }
}

func jsonEscape(_ s: String) -> String {
    s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
}

extension String {
    init(format3 v: Double) {
        let scaled = Int((v * 1000).rounded())
        let frac = abs(scaled % 1000)
        let f = frac < 10 ? "00\(frac)" : frac < 100 ? "0\(frac)" : "\(frac)"
        self = "\(scaled < 0 && scaled > -1000 ? "-" : "")\(scaled / 1000).\(f)"
    }
}
