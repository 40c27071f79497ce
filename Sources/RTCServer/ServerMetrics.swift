import CoreMetrics
import Metrics
import Prometheus
import RTCCore

/// `/metrics`: the media plane keeps plain counters (no metrics call per packet); at each
/// scrape they are read on the media loop and the deltas go to swift-metrics objects, which
/// the Prometheus registry renders.
final class ServerMetrics: @unchecked Sendable {
    // @unchecked: `update` runs only on the media loop; the registry is thread-safe.
    let registry: PrometheusCollectorRegistry
    private let rooms = CoreMetrics.Gauge(label: "sfu_rooms")
    private let participants = CoreMetrics.Gauge(label: "sfu_participants")
    private let connections = CoreMetrics.Gauge(label: "sfu_media_connections")
    private let packetsIn = CoreMetrics.Counter(label: "sfu_udp_packets_received_total")
    private let bytesIn = CoreMetrics.Counter(label: "sfu_udp_bytes_received_total")
    private let packetsOut = CoreMetrics.Counter(label: "sfu_udp_packets_sent_total")
    private let bytesOut = CoreMetrics.Counter(label: "sfu_udp_bytes_sent_total")
    private let rtpIn = CoreMetrics.Counter(label: "sfu_rtp_packets_received_total")
    private let keyframeRequests = CoreMetrics.Counter(label: "sfu_keyframe_requests_sent_total")
    private let unknownSource = CoreMetrics.Counter(label: "sfu_udp_unknown_source_total")
    private let gsoWrites = CoreMetrics.Counter(label: "sfu_udp_gso_writes_total")
    private let gsoSegments = CoreMetrics.Counter(label: "sfu_udp_gso_segments_total")
    private let nacksSent = CoreMetrics.Counter(label: "sfu_nacks_sent_total")
    private let nacksReceived = CoreMetrics.Counter(label: "sfu_nacks_received_total")
    private let retransmissions = CoreMetrics.Counter(label: "sfu_retransmissions_sent_total")
    private let repaired = CoreMetrics.Counter(label: "sfu_rtx_repaired_total")
    private let rtt = CoreMetrics.Gauge(label: "sfu_subscriber_rtt_seconds")
    private let rttMax = CoreMetrics.Gauge(label: "sfu_subscriber_rtt_max_seconds")
    private let lost = CoreMetrics.Gauge(label: "sfu_publisher_packets_lost")
    private let streams = CoreMetrics.Gauge(label: "sfu_streams")
    private var dropCounters: [String: CoreMetrics.Counter] = [:]
    /// Per stream (labels participant, track, direction, ssrc): packets, packets lost
    /// (received streams), NACKs (sent for received streams, received for sent ones),
    /// retransmissions and RTT (sent streams). Removed when the stream goes.
    private var streamGauges: [String: [Prometheus.Gauge]] = [:]
    static let streamMetrics = ["sfu_stream_packets", "sfu_stream_packets_lost", "sfu_stream_nacks",
                                "sfu_stream_retransmissions", "sfu_stream_rtt_seconds"]
    private var last: [String: Int64] = [:]

    /// Bootstraps swift-metrics with a Prometheus factory (once per process).
    static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    private func add(_ key: String, _ value: UInt64, _ counter: CoreMetrics.Counter) {
        let v = Int64(truncatingIfNeeded: value)
        let delta = v - (last[key] ?? 0)
        if delta > 0 { counter.increment(by: delta) }
        last[key] = v
    }

    private func drop(_ reason: String, _ value: UInt64) {
        let c = dropCounters[reason] ?? {
            let c = CoreMetrics.Counter(label: "sfu_packets_dropped_total", dimensions: [("reason", reason)])
            dropCounters[reason] = c
            return c
        }()
        add("drop." + reason, value, c)
    }

    /// Reads every counter (call on the media loop).
    func update(engine: MediaEngine, rooms registry: RoomRegistry) {
        rooms.record(registry.rooms.count)
        participants.record(registry.participantCount)
        connections.record(engine.connectionCount)
        let c = engine.counters
        add("in", c.datagramsIn, packetsIn)
        add("bin", c.bytesIn, bytesIn)
        add("out", c.datagramsOut, packetsOut)
        add("bout", c.bytesOut, bytesOut)
        add("rtp", c.rtpIn, rtpIn)
        add("kf", c.keyframeRequests, keyframeRequests)
        add("unknown", c.unknownSource, unknownSource)
        add("gsow", c.gsoWrites, gsoWrites)
        add("gsos", c.gsoSegments, gsoSegments)
        let r = engine.router.stats
        add("rtpr", r.rtpIn, rtpIn)
        add("unknownr", r.unknownSource, unknownSource)
        for (i, reason) in PeerDropReason.allCases.enumerated() {
            let v = c.drops[i] &+ (i < r.peerDrops.count ? r.peerDrops[i] : 0)
            drop("\(reason)", v)
        }
        drop("unroutable", r.unroutable)
        drop("egressFailure", r.egressFailures)
        drop("egressOverflow", r.egressOverflow)
        add("nacks", r.nacksSent, nacksSent)
        add("nackr", r.nacksReceived, nacksReceived)
        add("rtx", r.retransmissionsSent, retransmissions)
        add("repaired", r.repairedPackets, repaired)
        // Per stream, summarized: the subscribers' mean and worst RTT, publishers' losses.
        let reports = engine.router.streamReports()
        let rtts = reports.compactMap { $0.roundTripTime.map { Double($0.rtcNanoseconds) / 1e9 } }
        rtt.record(rtts.isEmpty ? 0 : rtts.reduce(0, +) / Double(rtts.count))
        rttMax.record(rtts.max() ?? 0)
        lost.record(reports.filter { $0.direction == .received }.reduce(Int64(0)) { $0 + $1.packetsLost })
        streams.record(reports.count)
        var seen = Set<String>()
        for r in reports {
            let participant = registry.participant(routerID: r.participant)?.id ?? "\(r.participant)"
            let direction = r.direction == .received ? "received" : "sent"
            let key = "\(participant)|\(r.track.signalingID)|\(direction)|\(r.ssrc.rawValue)"
            seen.insert(key)
            let gauges = streamGauges[key] ?? {
                let labels = [("participant", participant), ("track", r.track.signalingID), ("direction", direction),
                              ("ssrc", String(r.ssrc.rawValue))]
                let g = Self.streamMetrics.map { self.registry.makeGauge(name: $0, labels: labels) }
                streamGauges[key] = g
                return g
            }()
            gauges[0].set(Double(r.packets))
            gauges[1].set(Double(r.packetsLost))
            gauges[2].set(Double(r.nacks))
            gauges[3].set(Double(r.retransmissions))
            gauges[4].set(r.roundTripTime.map { Double($0.rtcNanoseconds) / 1e9 } ?? 0)
        }
        for (key, gauges) in streamGauges where !seen.contains(key) {
            for g in gauges { self.registry.unregisterGauge(g) }
            streamGauges[key] = nil
        }
        // Forwarding drops, by reason: tracks that are gone plus live ones.
        let forwarding = engine.router.forwardingDrops
        for r in ForwardingDropReason.allCases { drop("\(r)", forwarding[r]) }
    }
}
