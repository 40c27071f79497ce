import ArgumentParser
import RTCCore

#if canImport(Glibc)
import Glibc
#endif

/// One parser family under test: its corpus folders and its never-trapping entry point.
struct FuzzTarget: Sendable {
    let name: String
    let corpusFolders: [String]
    let fixtureFolders: [String]
    let run: @Sendable (UnsafeRawBufferPointer) -> Bool
}

/// The SRTP target's sessions, reused across its mutation loop (which runs on one thread).
nonisolated(unsafe) let srtpFuzzRunner = SRTPFuzz.Runner()

let fuzzTargets: [FuzzTarget] = [
    FuzzTarget(name: "stun", corpusFolders: ["stun-corpus"], fixtureFolders: ["stun"],
               run: { STUNFuzz.fuzz($0) }),
    FuzzTarget(name: "ice-authenticated", corpusFolders: ["stun-corpus"], fixtureFolders: ["stun"],
               run: { ICEAuthenticatedFuzz.fuzz($0) }),
    FuzzTarget(name: "rtp", corpusFolders: ["rtp-corpus", "crashes/rtp"], fixtureFolders: ["rtp"],
               run: { RTPFuzz.fuzz($0) }),
    FuzzTarget(name: "codecs", corpusFolders: ["rtp-corpus"], fixtureFolders: ["rtp"],
               run: { CodecFuzz.fuzz($0) }),
    FuzzTarget(name: "rtcp", corpusFolders: ["rtcp-corpus", "crashes/rtcp"], fixtureFolders: ["rtcp"],
               run: { RTCPFuzz.fuzz($0) }),
    FuzzTarget(name: "sdp", corpusFolders: ["sdp-corpus"], fixtureFolders: ["sdp"],
               run: { SDPFuzz.fuzz($0) }),
    FuzzTarget(name: "vp8-depacketizer", corpusFolders: ["rtp-corpus", "crashes/rtp"], fixtureFolders: ["media", "rtp"],
               run: { VP8Depacketizer.fuzz($0) }),
    FuzzTarget(name: "streams", corpusFolders: ["rtp-corpus", "crashes/rtp"], fixtureFolders: ["rtp"],
               run: { StreamsFuzz.fuzz($0) }),
    FuzzTarget(name: "srtp", corpusFolders: ["rtp-corpus", "rtcp-corpus", "crashes/rtp", "crashes/rtcp"],
               fixtureFolders: ["rtp", "rtcp"], run: { srtpFuzzRunner.fuzz($0) }),
    FuzzTarget(name: "dtls-fingerprint", corpusFolders: ["sdp-corpus"], fixtureFolders: ["sdp"],
               run: { DTLSFingerprint.fuzz($0) }),
]

/// Reads every regular file in a folder (sorted by name, for a deterministic seed list).
func readFolder(_ path: String) -> [[UInt8]]? {
    guard let dir = opendir(path) else { return nil }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name.hasPrefix(".") { continue }
        names.append(name)
    }
    var out: [[UInt8]] = []
    for name in names.sorted() where !name.hasSuffix(".md") {
        guard let bytes = readFile(path + "/" + name) else { continue }
        out.append(name.hasSuffix(".hex") ? decodeHexFixture(bytes) : bytes)
    }
    return out
}

func readFile(_ path: String) -> [UInt8]? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var st = stat()
    guard fstat(fileno(f), &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
    var out = [UInt8](repeating: 0, count: Int(st.st_size))
    let n = out.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
    out.removeSubrange(n...)
    return out
}

/// Seeded structure-unaware mutator: bit flips, interesting bytes and 16-bit values, inserts,
/// deletes, truncation, duplication of a run, and splicing with another seed.
struct Mutator {
    var rng: SeededRandom

    mutating func mutate(_ seed: [UInt8], other: [UInt8], into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: seed)
        let rounds = 1 + Int(rng.next() % 4)
        for _ in 0..<rounds { mutateOnce(&out, other: other) }
    }

    private mutating func pick(_ n: Int) -> Int { n <= 0 ? 0 : Int(rng.next() % UInt64(n)) }

    private mutating func mutateOnce(_ b: inout [UInt8], other: [UInt8]) {
        let interesting8: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, 0x10, 0x20, 0x40]
        let interesting16: [UInt16] = [0, 1, 0x7FFF, 0x8000, 0xFFFF, 0x00FF, 0x0100, 0xFFFE]
        switch rng.next() % 9 {
        case 0 where !b.isEmpty:
            let i = pick(b.count); b[i] ^= UInt8(1 << pick(8))
        case 1 where !b.isEmpty:
            b[pick(b.count)] = interesting8[pick(interesting8.count)]
        case 2 where b.count >= 2:
            let i = pick(b.count - 1); let v = interesting16[pick(interesting16.count)]
            b[i] = UInt8(v >> 8); b[i + 1] = UInt8(v & 0xFF)
        case 3:
            let n = 1 + pick(8)
            let at = pick(b.count + 1)
            b.insert(contentsOf: (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
        case 4 where !b.isEmpty:
            let at = pick(b.count); let n = min(b.count - at, 1 + pick(16))
            b.removeSubrange(at..<(at + n))
        case 5:
            b.removeSubrange(pick(b.count + 1)...)
        case 6 where !b.isEmpty:
            let at = pick(b.count); let n = min(b.count - at, 1 + pick(32))
            let run = Array(b[at..<(at + n)]); b.insert(contentsOf: run, at: pick(b.count + 1))
        case 7 where !other.isEmpty:
            let cut = pick(b.count + 1); let from = pick(other.count)
            b.removeSubrange(cut...); b.append(contentsOf: other[from...])
        default:
            if !b.isEmpty { b[pick(b.count)] = UInt8(truncatingIfNeeded: rng.next()) }
        }
    }
}

struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Feed every corpus file and seeded mutations of them to each parser; a trap fails.")

    @Option(help: "Folder holding the public corpora (stun-corpus, rtp-corpus, ...); without it the seeds are the project's fixtures")
    var corpora: String?

    @Option(help: "Folder holding the project's own fixtures")
    var fixtures: String = "Fixtures"

    @Option(help: "Mutated inputs per parser")
    var iterations: Int = 1_000_000

    @Option(help: "Seed for the mutator")
    var seed: UInt64 = 0x5EED

    @Option(help: "Only this target (stun, rtp, codecs, rtcp, sdp)")
    var only: String?

    mutating func run() throws {
        var failures = 0
        var checks = 0
        for target in fuzzTargets where only == nil || only == target.name {
            var seeds: [[UInt8]] = []
            var corpusFiles = 0
            var corpusOK = 0
            for folder in target.corpusFolders {
                guard let corpora else { break }
                guard let files = readFolder(corpora + "/" + folder) else {
                    print("fuzz \(target.name): corpus folder missing: \(corpora)/\(folder)")
                    failures += 1
                    continue
                }
                for f in files {
                    corpusFiles += 1
                    if f.withUnsafeBytes({ target.run($0) }) { corpusOK += 1 }
                }
                seeds += files
            }
            for folder in target.fixtureFolders {
                seeds += readFolder(fixtures + "/" + folder) ?? []
            }
            if seeds.isEmpty { seeds = [[0x80, 0, 0, 0]] }
            var mutator = Mutator(rng: SeededRandom(seed: seed ^ UInt64(target.name.hashValueStable)))
            var buf: [UInt8] = []
            buf.reserveCapacity(1 << 16)
            var accepted = 0
            let start = monotonicNanos()
            for i in 0..<iterations {
                let s = seeds[i % seeds.count]
                let o = seeds[(i &* 7 &+ 3) % seeds.count]
                mutator.mutate(s, other: o, into: &buf)
                if buf.withUnsafeBytes({ target.run($0) }) { accepted += 1 }
            }
            let secs = Double(monotonicNanos() - start) / 1e9
            checks += 1
            print("fuzz \(target.name): corpus \(corpusOK)/\(corpusFiles) parsed, rest refused with typed errors; "
                + "\(iterations) mutations (\(accepted) accepted) in \(String(format1: secs)) s, no trap")
        }
        print("fuzz: \(checks) passed, \(failures) failed")
        if failures > 0 { throw ExitCode.failure }
    }
}

extension String {
    /// FNV-1a of the UTF-8 bytes: a hash that is stable across runs (Hasher is seeded per process).
    var hashValueStable: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    init(format1 v: Double) {
        let scaled = Int((v * 10).rounded())
        self = "\(scaled / 10).\(abs(scaled % 10))"
    }
}

func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Decodes an annotated hex fixture: hex digit pairs, with `#` starting a comment to line end.
func decodeHexFixture(_ text: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var inComment = false
    var pending: UInt8?
    for c in text {
        if c == UInt8(ascii: "\n") { inComment = false; continue }
        if inComment { continue }
        if c == UInt8(ascii: "#") { inComment = true; continue }
        let v: UInt8
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
        default: continue
        }
        if let hi = pending { out.append(hi << 4 | v); pending = nil } else { pending = v }
    }
    return out
}
