import ArgumentParser
import CMallocCounter
import RTCCore

/// `rtc-bench crypto`: SRTP protect and unprotect cost per profile, for both SRTP backends side
/// by side (OpenSSL EVP and libsrtp2) — the floor the forwarding pipeline is compared with
/// (DESIGN.md: cost per egress packet within 1.3x of it) — and heap allocations per operation.
struct CryptoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crypto", abstract: "SRTP protect/unprotect ns and allocations per packet, per profile and backend")

    @Option(help: "Packets per measurement")
    var count: Int = 200_000

    @Option(help: "RTP payload bytes (1188: a 1,200-byte RTP packet)")
    var payload: Int = 1_188

    @Option(help: "SRTP backend to measure: openssl, libsrtp, or both")
    var srtpBackend: String = "both"

    @Option(help: "Fail when a measured backend allocates more than this per protect + unprotect")
    var maxAllocsPerPacket: Double?

    struct Figure {
        var protectNs: Double
        var unprotectNs: Double
        var allocationsPerPacket: Double
    }

    mutating func run() throws {
        let backends: [SRTPBackend]
        if srtpBackend.lowercased() == "both" {
            backends = [.openssl, .libsrtp]
        } else if let b = SRTPBackend(rawValue: srtpBackend.lowercased()) {
            backends = [b]
        } else {
            print("crypto: --srtp-backend must be openssl, libsrtp or both")
            throw ExitCode.failure
        }
        var fields: [String] = []
        var failures: [String] = []
        var table: [(SRTPProfile, [SRTPBackend: Figure])] = []
        var packetLength = 0
        for profile in SRTPProfile.allCases {
            var row: [SRTPBackend: Figure] = [:]
            var profileFields: [String] = []
            for backend in backends {
                let (f, n) = try measure(profile: profile, backend: backend)
                packetLength = n
                row[backend] = f
                print("crypto \(profile) \(backend): protect \(String(format1: f.protectNs)) ns, unprotect "
                    + "\(String(format1: f.unprotectNs)) ns per \(n)-byte packet, \(f.allocationsPerPacket) allocations/packet")
                profileFields.append("\"\(backend)\":{\"protectNs\":\(f.protectNs),\"unprotectNs\":\(f.unprotectNs),"
                    + "\"allocationsPerPacket\":\(f.allocationsPerPacket)}")
                if let limit = maxAllocsPerPacket, f.allocationsPerPacket > limit {
                    failures.append("\(profile) \(backend): \(f.allocationsPerPacket) allocations per packet > \(limit)")
                }
            }
            table.append((profile, row))
            fields.append("\"\(profile)\":{" + profileFields.joined(separator: ",") + "}")
        }
        // Side by side: ns per protect / unprotect and allocations per protect + unprotect.
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        var header = pad("profile (\(packetLength)-byte RTP)", 28)
        for b in backends { header += pad("\(b) protect/unprotect ns, allocs", 40) }
        print(header)
        for (profile, row) in table {
            var line = pad(profile.name, 28)
            for b in backends {
                guard let f = row[b] else { continue }
                line += pad("\(String(format1: f.protectNs)) / \(String(format1: f.unprotectNs)), \(f.allocationsPerPacket)", 40)
            }
            print(line)
        }
        for f in failures { print("FAIL: \(f)") }
        print("{" + fields.joined(separator: ",") + "}")
        if !failures.isEmpty { throw ExitCode.failure }
    }

    /// Protects and unprotects `count` packets of one stream (after a warm-up that creates the
    /// stream state) and returns the mean cost of each and the allocations per packet.
    func measure(profile: SRTPProfile, backend: SRTPBackend) throws -> (Figure, Int) {
        var rng = SeededRandom(seed: 7)
        guard let key = SRTPMasterKey(profile: profile, key: rng.bytes(profile.keyLength),
                                      salt: rng.bytes(profile.saltLength)) else { throw ExitCode.failure }
        let out = try SRTPSession(profile: profile, masterKey: key, direction: .outbound, backend: backend)
        let inb = try SRTPSession(profile: profile, masterKey: key, direction: .inbound, backend: backend)
        let header = RTPHeader(marker: false, payloadType: PayloadType(96), sequenceNumber: SequenceNumber(1),
                               timestamp: 0, ssrc: SSRC(0x1234_5678))
        let packet = try RTPPacketWriter.packet(header: header, form: nil, elements: [],
                                                payload: [UInt8](repeating: 0xAB, count: payload), paddingLength: 0)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: packet.count + SRTPSession.rtcpTrailerRoom,
                                                            alignment: 16)
        defer { buffer.deallocate() }
        let warmup = 1_000
        var protectNs: UInt64 = 0
        var unprotectNs: UInt64 = 0
        var a0 = rtc_malloc_count()
        for i in 0..<(warmup + count) {
            if i == warmup {
                protectNs = 0
                unprotectNs = 0
                a0 = rtc_malloc_count()
            }
            packet.withUnsafeBytes { buffer.copyMemory(from: $0) }
            // A new sequence number each time, so replay protection never refuses.
            let seq = UInt16(truncatingIfNeeded: i)
            buffer[2] = UInt8(seq >> 8)
            buffer[3] = UInt8(seq & 0xFF)
            buffer[4] = UInt8(truncatingIfNeeded: i >> 24)
            buffer[5] = UInt8(truncatingIfNeeded: i >> 16)
            let t0 = monotonicNanos()
            let n = try out.protect(buffer: buffer, length: packet.count)
            let t1 = monotonicNanos()
            _ = try inb.unprotect(buffer: buffer, length: n)
            let t2 = monotonicNanos()
            protectNs &+= t1 - t0
            unprotectNs &+= t2 - t1
        }
        let allocs = Double(rtc_malloc_count() - a0) / Double(count)
        return (Figure(protectNs: Double(protectNs) / Double(count), unprotectNs: Double(unprotectNs) / Double(count),
                       allocationsPerPacket: allocs), packet.count)
    }
}
