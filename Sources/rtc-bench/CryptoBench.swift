import ArgumentParser
import CMallocCounter
import RTCCore

/// `rtc-bench crypto`: SRTP protect and unprotect cost per profile (libsrtp2), the floor the
/// forwarding pipeline is compared with (DESIGN.md: cost per egress packet within 1.3x of it).
struct CryptoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crypto", abstract: "SRTP protect/unprotect ns per packet for each profile")

    @Option(help: "Packets per measurement")
    var count: Int = 200_000

    @Option(help: "RTP payload bytes")
    var payload: Int = 1_100

    mutating func run() throws {
        var fields: [String] = []
        for profile in [SRTPProfile.aeadAES128GCM, .aeadAES256GCM, .aes128CMHMACSHA1_80] {
            var rng = SeededRandom(seed: 7)
            guard let key = SRTPMasterKey(profile: profile, key: rng.bytes(profile.keyLength),
                                          salt: rng.bytes(profile.saltLength)) else { throw ExitCode.failure }
            let out = try SRTPSession(profile: profile, masterKey: key, direction: .outbound)
            let inb = try SRTPSession(profile: profile, masterKey: key, direction: .inbound)
            let header = RTPHeader(marker: false, payloadType: PayloadType(96), sequenceNumber: SequenceNumber(1),
                                   timestamp: 0, ssrc: SSRC(0x1234_5678))
            let packet = try RTPPacketWriter.packet(header: header, form: nil, elements: [],
                                                payload: [UInt8](repeating: 0xAB, count: payload), paddingLength: 0)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 16)
            defer { buffer.deallocate() }
            var protectNs: UInt64 = 0
            var unprotectNs: UInt64 = 0
            let a0 = rtc_malloc_count()
            for i in 0..<count {
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
            let p = Double(protectNs) / Double(count)
            let u = Double(unprotectNs) / Double(count)
            print("crypto \(profile): protect \(String(format1: p)) ns, unprotect \(String(format1: u)) ns "
                + "per \(packet.count)-byte packet, \(allocs) allocations/packet")
            fields.append("\"\(profile)\":{\"protectNs\":\(p),\"unprotectNs\":\(u),\"allocationsPerPacket\":\(allocs)}")
        }
        print("{" + fields.joined(separator: ",") + "}")
    }
}
