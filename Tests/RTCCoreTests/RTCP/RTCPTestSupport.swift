import Foundation
import Testing
@testable import RTCCore

/// Shared helpers for the RTCP tests: fixtures, annotated hex, parse/encode over arrays.
enum RTCPTestSupport {
    /// Package root: this file is <root>/Tests/RTCCoreTests/RTCP/RTCPTestSupport.swift.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // RTCP
        .deletingLastPathComponent()  // RTCCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // root

    static var fixturesDirectory: URL { packageRoot.appendingPathComponent("Fixtures/rtcp") }

    /// `<root>/../shared/corpora`.
    static var corporaDirectory: URL {
        packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpora")
    }

    /// Annotated hex: `#` starts a comment to the end of the line; the rest is hex byte pairs.
    static func hex(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            var digits = code.filter { !$0.isWhitespace }[...]
            while digits.count >= 2 {
                out.append(UInt8(digits.prefix(2), radix: 16)!)
                digits = digits.dropFirst(2)
            }
            precondition(digits.isEmpty, "odd number of hex digits in: \(line)")
        }
        return out
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        let url = fixturesDirectory.appendingPathComponent(name)
        return hex(try String(contentsOf: url, encoding: .utf8))
    }

    static func fixtureNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: fixturesDirectory.path)
            .filter { $0.hasSuffix(".hex") }.sorted()
    }
}

/// Parses exactly one packet from an array.
func parseRTCP(_ bytes: [UInt8]) throws(ParseError) -> RTCPPacket {
    let r: Result<RTCPPacket, ParseError> = bytes.withUnsafeBytes { raw in
        do throws(ParseError) { return .success(try RTCPPacket.parse(raw)) } catch { return .failure(error) }
    }
    return try r.get()
}

/// Parses a compound datagram from an array.
func parseCompound(
    _ bytes: [UInt8], paddingPolicy: RTCPCompoundIterator.PaddingPolicy = .lastPacketOnly
) throws(ParseError) -> [RTCPPacket] {
    let r: Result<[RTCPPacket], ParseError> = bytes.withUnsafeBytes { raw in
        do throws(ParseError) {
            return .success(try RTCPPacket.parseCompound(raw, paddingPolicy: paddingPolicy))
        } catch { return .failure(error) }
    }
    return try r.get()
}

/// Writes one packet into an exactly sized buffer and checks marshalSize.
func encodeRTCP(_ packet: RTCPPacket) throws -> [UInt8] {
    let out = try [UInt8].writing(capacity: packet.marshalSize, { (w: inout ByteWriter) throws(WriteError) in
        try packet.write(to: &w)
    }, format: .rtcp)
    #expect(out.count == packet.marshalSize)
    return out
}

/// Writes packets back to back.
func encodeCompound(_ packets: [RTCPPacket]) throws -> [UInt8] {
    try [UInt8].writing(capacity: RTCPPacket.compoundSize(packets), { (w: inout ByteWriter) throws(WriteError) in
        try RTCPPacket.write(compound: packets, to: &w)
    }, format: .rtcp)
}

/// Parses with a type's own `parse(_:)` entry.
func parseWith<T>(_ bytes: [UInt8], _ f: (UnsafeRawBufferPointer) throws(ParseError) -> T) throws(ParseError) -> T {
    let r: Result<T, ParseError> = bytes.withUnsafeBytes { raw in
        do throws(ParseError) { return .success(try f(raw)) } catch { return .failure(error) }
    }
    return try r.get()
}

/// Parse outcome of an arbitrary input through the fuzz entry and RTCPPacket.parseCompound:
/// never traps, so reaching the end is the check.
@discardableResult
func fuzzRTCP(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { RTCPFuzz.fuzz($0) }
}

/// Expects `body` to throw a ParseError of `kind`.
func expectParseError<T>(
    _ kind: ParseError.Kind, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> T
) {
    let error = #expect(throws: ParseError.self, sourceLocation: sourceLocation) { _ = try body() }
    #expect(error?.kind == kind, sourceLocation: sourceLocation)
}
