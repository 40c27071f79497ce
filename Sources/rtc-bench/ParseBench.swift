import ArgumentParser
import CMallocCounter
import RTCCore

/// `rtc-bench parse`: the RTP forwarding parse (header + typed extensions: the hot path, must
/// not allocate), and for comparison the full RTCP decode (compound walk, every message into
/// owned values, write-back check) and the full STUN check (parse, every accessor, HMAC-SHA1
/// integrity, fingerprint) as the fuzz entry points run them.
struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse", abstract: "RTP, RTCP and STUN parse rates and allocations per parse")

    @Option(help: "Packets per measurement")
    var count: Int = 2_000_000

    @Flag(help: "Print JSON only")
    var json = false

    mutating func run() throws {
        // A Chromium-like VP8 simulcast packet: one-byte extensions mid, rid, abs-send-time,
        // transport-wide-cc, 1,000 bytes of payload.
        var map = RTPExtensionMap()
        map.register(.absSendTime, id: 2)
        map.register(.transportWideCC, id: 3)
        map.register(.mid, id: 4)
        map.register(.rid, id: 10)
        let rtp = makeRTPPacket()
        var results: [(String, Double, Double)] = []  // name, ns per packet, allocs per packet

        let rtpResult = rtp.withUnsafeBytes { raw -> (Double, Double) in
            var sink: UInt64 = 0
            // Warm up, then count allocations and time over `count` parses.
            for _ in 0..<1000 { sink &+= parseOnce(raw, map) }
            let a0 = rtc_malloc_count()
            let t0 = monotonicNanos()
            for _ in 0..<count { sink &+= parseOnce(raw, map) }
            let t1 = monotonicNanos()
            let a1 = rtc_malloc_count()
            blackHole(sink)
            return (Double(t1 - t0) / Double(count), Double(a1 - a0) / Double(count))
        }
        results.append(("rtp", rtpResult.0, rtpResult.1))

        let rtcp = makeRTCPCompound()
        let rtcpResult = rtcp.withUnsafeBytes { raw -> (Double, Double) in
            let n = max(1, count / 10)
            var ok = 0
            let a0 = rtc_malloc_count()
            let t0 = monotonicNanos()
            for _ in 0..<n { if RTCPFuzz.fuzz(raw) { ok &+= 1 } }
            let t1 = monotonicNanos()
            let a1 = rtc_malloc_count()
            blackHole(UInt64(ok))
            return (Double(t1 - t0) / Double(n), Double(a1 - a0) / Double(n))
        }
        results.append(("rtcp-compound-full-decode", rtcpResult.0, rtcpResult.1))

        let stun = makeSTUNRequest()
        guard stun.withUnsafeBytes({ STUNFuzz.fuzz($0) }), rtcp.withUnsafeBytes({ RTCPFuzz.fuzz($0) }),
              rtp.withUnsafeBytes({ parseOnce($0, map) }) != 0
        else {
            print("parse: a sample packet does not parse")
            throw ExitCode.failure
        }
        let stunResult = stun.withUnsafeBytes { raw -> (Double, Double) in
            let n = max(1, count / 10)
            var ok = 0
            let a0 = rtc_malloc_count()
            let t0 = monotonicNanos()
            for _ in 0..<n { if STUNFuzz.fuzz(raw) { ok &+= 1 } }
            let t1 = monotonicNanos()
            let a1 = rtc_malloc_count()
            blackHole(UInt64(ok))
            return (Double(t1 - t0) / Double(n), Double(a1 - a0) / Double(n))
        }
        results.append(("stun-full-check", stunResult.0, stunResult.1))

        var fields: [String] = []
        for (name, ns, allocs) in results {
            if !json {
                print("parse \(name): \(String(format1: ns)) ns/packet, "
                    + "\(String(format1: 1e9 / ns / 1e6)) M packets/s, \(allocs) allocations/packet")
            }
            fields.append("\"\(name)\":{\"nsPerPacket\":\(ns),\"allocationsPerPacket\":\(allocs)}")
        }
        print("{" + fields.joined(separator: ",") + "}")
        if rtpResult.1 > 0 {
            print("parse: RTP parse with extensions allocated on the heap")
            throw ExitCode.failure
        }
    }
}

@inline(never)
func parseOnce(_ raw: UnsafeRawBufferPointer, _ map: RTPExtensionMap) -> UInt64 {
    guard let (h, v) = try? RTPHeader.parseForForwarding(raw, map: map) else { return 0 }
    return UInt64(h.sequenceNumber.rawValue) &+ UInt64(v.transportSequence ?? 0)
        &+ UInt64(v.mid?.count ?? 0) &+ UInt64(v.rid?.count ?? 0)
}

@inline(never)
func blackHole(_ v: UInt64) {
    if v == 0x1234_5678_9ABC_DEF0 { print("") }
}

func makeRTPPacket() -> [UInt8] {
    var p: [UInt8] = [
        0x90, 0x60, 0x1A, 0x2B, 0x00, 0x01, 0x5F, 0x90, 0x12, 0x34, 0x56, 0x78,
        0xBE, 0xDE, 0x00, 0x04,
        0x22, 0x01, 0x02, 0x03,  // abs-send-time
        0x31, 0x00, 0x05,        // transport-wide-cc
        0x40, 0x30,              // mid "0"
        0xA0, 0x68,              // rid "h"
        0x00, 0x00, 0x00, 0x00, 0x00,
    ]
    p += [0x90, 0xE0, 0x81, 0x23, 0x05, 0x20]
    p += [UInt8](repeating: 0xAB, count: 1000)
    return p
}

func makeRTCPCompound() -> [UInt8] {
    // RR with one report block + PLI + generic NACK (reduced-size compound as Chromium sends).
    [
        0x81, 0xC9, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01,
        0x12, 0x34, 0x56, 0x78, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x1A, 0x2B,
        0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x81, 0xCE, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78,
        0x81, 0xCD, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78,
        0x1A, 0x2B, 0x00, 0x05,
    ]
}

func makeSTUNRequest() -> [UInt8] {
    // RFC 5769 §2.1 sample request (USERNAME, PRIORITY, ICE-CONTROLLED, SOFTWARE,
    // MESSAGE-INTEGRITY, FINGERPRINT).
    let hex = """
    000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74002400046e0001ff8029\
    0008932ff9b151263b36000600096576746a3a68367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf
    """
    return decodeHexFixture(Array(hex.utf8))
}
