import Foundation
@testable import RTCCore

/// Helpers shared by the STUN and ICE tests (names prefixed to stay clear of other suites).
enum STUNTestSupport {
    /// Hex bytes from annotated text: on each line, everything after `#` is a comment;
    /// whitespace is ignored.
    static func hex(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            var digits: [UInt8] = []
            for c in code.utf8 where !(c == 0x20 || c == 0x09) {
                digits.append(c)
            }
            precondition(digits.count % 2 == 0, "odd hex digit count in test vector")
            var i = 0
            while i < digits.count {
                let s = String(decoding: digits[i..<(i + 2)], as: UTF8.self)
                guard let b = UInt8(s, radix: 16) else { preconditionFailure("bad hex \(s)") }
                out.append(b)
                i += 2
            }
        }
        return out
    }

    /// Parses `bytes` and hands the view to `body` while the bytes are alive.
    static func withMessage<R>(_ bytes: [UInt8], _ body: (STUNMessage) throws -> R) throws -> R {
        try bytes.withUnsafeBytes { raw in
            let m = try STUNMessage(parsing: raw)
            return try body(m)
        }
    }

    /// The ParseError from parsing `bytes`, or nil if it parsed.
    static func parseError(_ bytes: [UInt8]) -> ParseError? {
        bytes.withUnsafeBytes { raw -> ParseError? in
            do throws(ParseError) {
                _ = try STUNMessage(parsing: raw)
                return nil
            } catch {
                return error
            }
        }
    }

    /// The package root, from this file's location (Tests/RTCCoreTests/STUN/<file>).
    static func packageRoot(_ filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath)
            .deletingLastPathComponent()  // STUN
            .deletingLastPathComponent()  // RTCCoreTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
    }
}

extension UnsafeRawBufferPointer {
    /// The bytes as a String (tests only).
    var stunTestString: String { String(decoding: self, as: UTF8.self) }
}
