import Foundation
import Testing
@testable import RTCCore

/// Every file of the shared STUN corpus parses to a value or a typed error.
@Suite struct STUNCorpusTests {
    @Test func sharedCorpus() throws {
        let dir = STUNTestSupport.packageRoot()
            .appendingPathComponent("..").appendingPathComponent("shared")
            .appendingPathComponent("corpora").appendingPathComponent("stun-corpus")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(!names.isEmpty, "empty corpus at \(dir.path)")
        var parsed = 0
        for name in names.sorted() {
            let data = try Data(contentsOf: dir.appendingPathComponent(name))
            let bytes = [UInt8](data)
            let ok = bytes.withUnsafeBytes { raw -> Bool in
                do throws(ParseError) {
                    _ = try STUNMessage(parsing: raw)
                    return true
                } catch {
                    #expect(error.format == .stun)
                    return false
                }
            }
            #expect(bytes.withUnsafeBytes { STUNFuzz.fuzz($0) } == ok, "\(name)")
            if ok { parsed += 1 }
        }
        print("STUN corpus: \(names.count) files, \(parsed) parsed")
    }
}
