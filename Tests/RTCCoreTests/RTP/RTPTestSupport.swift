import Foundation
import Testing
@testable import RTCCore

/// Helpers shared by the RTP and codec tests.
enum RTPTestSupport {
    /// Bytes from annotated hex: whitespace ignored, `#` starts a comment to end of line.
    static func hex(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var pending: UInt8?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            for c in code {
                guard let v = c.hexDigitValue else {
                    precondition(c == " " || c == "\t" || c == "|" || c == "\r", "bad hex character \(c)")
                    continue
                }
                if let hi = pending {
                    out.append(hi << 4 | UInt8(v))
                    pending = nil
                } else {
                    pending = UInt8(v)
                }
            }
        }
        precondition(pending == nil, "odd number of hex digits")
        return out
    }

    /// The package root, from this file's path (Tests/RTCCoreTests/RTP/RTPTestSupport.swift).
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // RTP
            .deletingLastPathComponent()  // RTCCoreTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // root
    }

    /// `<root>/../shared/corpora/<sub>`.
    static func corpus(_ sub: String) -> URL {
        packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpora").appendingPathComponent(sub)
    }

    /// Every regular file in a folder, sorted by name; records an issue when the folder is
    /// missing or empty (the test must fail, not skip).
    static func files(in dir: URL) -> [(name: String, bytes: [UInt8])] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: dir.path) else {
            Issue.record("missing folder \(dir.path)")
            return []
        }
        let out = names.sorted().compactMap { name -> (String, [UInt8])? in
            guard let data = fm.contents(atPath: dir.appendingPathComponent(name).path) else { return nil }
            return (name, [UInt8](data))
        }
        if out.isEmpty { Issue.record("empty folder \(dir.path)") }
        return out
    }

    /// The annotated-hex fixtures in Fixtures/rtp.
    static func fixtures() -> [(name: String, bytes: [UInt8])] {
        let dir = packageRoot.appendingPathComponent("Fixtures/rtp")
        return files(in: dir).filter { $0.name.hasSuffix(".hex") }.map { f in
            (f.name, hex(String(decoding: f.bytes, as: UTF8.self)))
        }
    }

    /// Parses `bytes` as an RTP header.
    static func header(_ bytes: [UInt8]) throws(ParseError) -> RTPHeader {
        let r: Result<RTPHeader, ParseError> = bytes.withUnsafeBytes { raw in
            do throws(ParseError) { return .success(try RTPHeader.parse(raw)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// Parses header and extension values.
    static func forwarding(_ bytes: [UInt8], map: RTPExtensionMap) throws(ParseError) -> (RTPHeader, RTPExtensionValues) {
        let r: Result<(RTPHeader, RTPExtensionValues), ParseError> = bytes.withUnsafeBytes { raw in
            do throws(ParseError) { return .success(try RTPHeader.parseForForwarding(raw, map: map)) }
            catch { return .failure(error) }
        }
        return try r.get()
    }

    /// The elements of a packet as (id, data).
    static func elements(_ bytes: [UInt8]) throws(ParseError) -> [(id: UInt8, data: [UInt8])] {
        let h = try header(bytes)
        let r: Result<[(id: UInt8, data: [UInt8])], ParseError> = bytes.withUnsafeBytes { raw in
            var reader = RTPExtensionElementReader(packet: raw, header: h)
            var out: [(id: UInt8, data: [UInt8])] = []
            do throws(ParseError) {
                while let e = try reader.next() { out.append((e.id, [UInt8](e.data(in: raw)))) }
                return .success(out)
            } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// Runs a parser over `bytes` and returns the result or the typed error.
    static func run<T>(_ bytes: [UInt8], _ parse: (UnsafeRawBufferPointer) throws(ParseError) -> T) -> Result<T, ParseError> {
        bytes.withUnsafeBytes { raw in
            do throws(ParseError) { return .success(try parse(raw)) } catch { return .failure(error) }
        }
    }

    /// Runs a writer over a 2,048-byte buffer and returns the bytes it says it wrote.
    static func write(capacity: Int = 2048, _ body: (UnsafeMutableRawBufferPointer) throws(WriteError) -> Int) throws(WriteError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: capacity)
        let r: Result<Int, WriteError> = out.withUnsafeMutableBytes { dst in
            do throws(WriteError) { return .success(try body(dst)) } catch { return .failure(error) }
        }
        let n = try r.get()
        return Array(out.prefix(n))
    }

    /// `bytes.withUnsafeBytes` that keeps the body's typed error.
    static func borrow<T, E: Error>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(E) -> T) throws(E) -> T {
        let r: Result<T, E> = bytes.withUnsafeBytes { raw in
            do throws(E) { return .success(try body(raw)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// `bytes.withUnsafeMutableBytes` that keeps the body's typed error.
    static func mutate<T>(_ bytes: inout [UInt8], _ body: (UnsafeMutableRawBufferPointer) throws(ParseError) -> T) throws(ParseError) -> T {
        let r: Result<T, ParseError> = bytes.withUnsafeMutableBytes { raw in
            do throws(ParseError) { return .success(try body(raw)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// A map like Chromium's default video extmap.
    static let chromeMap = RTPExtensionMap([
        (1, .audioLevel), (2, .absSendTime), (3, .transportWideCC), (4, .mid), (10, .rid),
        (11, .repairedRid), (12, .videoOrientation), (13, .transmissionOffset), (14, .playoutDelay),
        (9, .dependencyDescriptor),
    ])
}
