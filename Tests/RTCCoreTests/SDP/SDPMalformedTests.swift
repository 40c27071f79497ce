import Foundation
import Testing
@testable import RTCCore

/// Malformed input gives a typed error (or a value), never a trap.
@Suite struct SDPMalformedTests {
    static let head = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"

    func error(_ text: String) -> ParseError? {
        do {
            _ = try SessionDescription.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func minimalIsValid() throws {
        let sdp = try SessionDescription.parse(Self.head)
        #expect(sdp.media.isEmpty)
        #expect(sdp.serialized() == Self.head)
    }

    @Test(arguments: [
        ("", 1), ("\r\n", 1), ("x", 1), ("v", 1), ("v=1\r\n", 1), ("o=- 1 2 IN IP4 a\r\n", 1),
        ("v=0\r\n", 1), ("v=0\r\ns=-\r\n", 2),
    ])
    func missingOrWrongHeader(text: String, line: Int) {
        let e = error(text)
        #expect(e != nil)
        #expect(e?.format == .sdp)
    }

    @Test(arguments: [
        // line without '=' or value
        "a", "a=", "m=", "c=", "b=", "t=", "o=", "a=mid", "a=rtpmap", "a=ice-ufrag:",
        "a=fingerprint:", "a=setup:", "a=candidate:",
        // unknown line types and bad type letters
        "x=foo", "A=foo", "1=foo", "==", " a=mid:0",
        // bad numbers, out of range, huge
        "a=rtpmap:128 VP8/90000", "a=rtpmap:-1 VP8/90000", "a=rtpmap:96 VP8/99999999999",
        "a=rtpmap:96 VP8", "a=rtpmap:96 VP8/90000/2/1", "a=rtpmap:96 /90000", "a=rtpmap:+96 VP8/90000",
        "a=rtpmap:99999999999999999999999999999 VP8/90000",
        "a=fmtp:x apt=96", "a=fmtp:1000 apt=96", "a=rtcp-fb:96", "a=rtcp-fb:abc nack",
        "a=extmap:0 urn:x", "a=extmap:4352 urn:x", "a=extmap:1/sideways urn:x", "a=extmap:1",
        "a=ssrc:4294967296 cname:x", "a=ssrc:1", "a=ssrc:1 :x", "a=ssrc-group:FID 1 x",
        "a=msid:a b c", "a=rid:q", "a=rid:q sideways", "a=rid:q send pt=a", "a=rid:q send pt",
        "a=rid:q!x send", "a=rid:0123456789abcdefX send",
        "a=simulcast:send", "a=simulcast:send q recv", "a=simulcast:send q send h", "a=simulcast:up q",
        "a=simulcast:send q;;h", "a=simulcast:send ~", "a=simulcast:send q,", "a=mid:a b",
        "a=group:BUNDLE 0 a/b", "a=setup:client", "a=fingerprint:sha-256", "a=fingerprint:sha-256 ZZ",
        "a=fingerprint:sha-256 AB:C", "a=fingerprint:sha-256 AB::CD", "a=ice-ufrag:a b",
        "a=candidate:1 1 udp 1 1.2.3.4 5", "a=candidate:1 1 udp 1 1.2.3.4 5 host x",
        "a=candidate:1 1 udp 4294967296 1.2.3.4 5 typ host", "a=candidate:1 1 udp 1 1.2.3.4 65536 typ host",
        "a=candidate:1 1000 udp 1 1.2.3.4 5 typ host", "a=candidate:1 1 udp 1 1.2.3.4 5 typ host generation",
        "a=candidate:1 1 udp 1 1.2.3.4 5 typ srflx raddr 1.2.3.4 rport 99999",
        "a=sctp-port:65536", "a=max-message-size:18446744073709551616", "a=max-message-size:-1",
        "b=AS", "b=AS:x", "b=AS:18446744073709551616", "b=:5", "t=0", "t=0 x", "t=18446744073709551616 0",
        "o=- 1 2 IN IP4", "o=- x 2 IN IP4 a", "c=IN IP4", "v=0", "a=na me:x", "a=:x",
        "a=mid:0\u{0}", "a=mid:0\rx",
    ])
    func malformedSessionLine(line: String) {
        // Append the line after a valid header (and a second valid line so line numbers show).
        let e = error(Self.head + line + "\r\n")
        #expect(e != nil, "accepted: \(line)")
        if let e {
            #expect(e.format == .sdp && e.kind == .syntax)
            #expect(e.offset == 5, "line number \(e.offset) for \(line)")
        }
    }

    @Test(arguments: [
        "m=audio", "m=audio 9", "m=audio x RTP/AVP 0", "m=audio 65536 RTP/AVP 0", "m=audio -1 RTP/AVP 0",
        "m=audio 9/x RTP/AVP 0", "m=audio 9/70000 RTP/AVP 0", "m=audio 9 RTP//AVP 0", "m=audio 9 /RTP 0",
        "m=audio 9 RTP/AVP/ 0", "m=audio 9 RTP:AVP 0", "m=audio 9 RTP/AVP 128", "m=audio 9 RTP/AVP x",
        "m=audio 9 UDP/TLS/RTP/SAVPF 96 1000", "m=audio 99999999999999999999999 RTP/AVP 0",
        "m=aud:io 9 RTP/AVP 0", "m=application 9 UDP/DTLS/SCTP web:rtc",
    ])
    func malformedMediaLine(line: String) {
        let e = error(Self.head + line + "\r\n")
        #expect(e != nil, "accepted: \(line)")
        #expect(e?.offset == 5 && e?.kind == .syntax)
    }

    @Test func versionOtherThanZero() {
        #expect(error("v=1\r\n")?.kind == .unsupportedVersion)
        #expect(error("v=00x\r\n")?.kind == .unsupportedVersion)
    }

    @Test(arguments: ["o=- 1 2 IN IP4 a", "s=x", "t=0 0", "v=0", "u=x", "e=x", "p=x", "z=x", "r=x"])
    func sessionLineInsideMedia(line: String) {
        let e = error(Self.head + "m=audio 9 RTP/AVP 0\r\n" + line + "\r\n")
        #expect(e?.offset == 6, "accepted: \(line)")
    }

    @Test func repeatNeedsTiming() {
        #expect(error("v=0\r\no=- 1 2 IN IP4 a\r\ns=-\r\nr=1\r\n")?.offset == 4)
        #expect(error(Self.head + "r=7d 1h 0 25h\r\n") == nil)
    }

    @Test func duplicatesAreRejected() {
        #expect(error(Self.head + "o=- 1 2 IN IP4 a\r\n")?.offset == 5)
        #expect(error(Self.head + "s=again\r\n")?.offset == 5)
        #expect(error(Self.head + "c=IN IP4 a\r\nc=IN IP4 b\r\n")?.offset == 6)
        #expect(error(Self.head + "m=audio 9 RTP/AVP 0\r\ni=a\r\ni=b\r\n")?.offset == 7)
        // Several c= lines are fine in a media section.
        #expect(error(Self.head + "m=audio 9 RTP/AVP 0\r\nc=IN IP4 a\r\nc=IN IP4 b\r\n") == nil)
    }

    @Test func lenientForms() throws {
        // LF endings, blank lines, trailing spaces, empty s=, an unknown attribute.
        let sdp = try SessionDescription.parse("v=0\no=- 1 2 IN IP4 0.0.0.0\ns=\n\nt=0 0\na=mid:0  \na=x-foo\n")
        #expect(sdp.sessionName == "")
        #expect(sdp.attributes == [.mid(.t("0")), .other(name: "x-foo", value: nil)])
        // A flag attribute with a value is kept verbatim.
        let s2 = try SessionDescription.parse(Self.head + "a=rtcp-mux:yes\r\na=unknown:a b  c\r\n")
        #expect(s2.attributes == [.other(name: "rtcp-mux", value: "yes"), .other(name: "unknown", value: "a b  c")])
        #expect(!s2.rtcpMux)
    }

    @Test(arguments: SDPTestSupport.fixtureNames)
    func fixtureTruncatedAtEveryByte(name: String) throws {
        let bytes = try SDPTestSupport.fixtureBytes(name)
        var parsed = 0
        for n in 0...bytes.count {
            // Truncated text either parses or gives a typed error; when it parses, writing
            // and reading again gives the same model.
            if let sdp = try? SessionDescription.parse(Array(bytes[0..<n])) {
                parsed += 1
                #expect(try SessionDescription.parse(sdp.serialized()) == sdp)
            }
            if n % 16 == 0 { _ = bytes[0..<n].withUnsafeBytes { SDPFuzz.fuzz($0) } }
        }
        #expect(parsed > 0)
    }

    /// Byte flips, insertions and deletions on the fixtures: each result parses or fails with
    /// a typed error, and what parses survives write → parse unchanged.
    @Test func seededMutationsRoundTrip() throws {
        var rng = SeededRandom(seed: 0x5D9_F022)
        let interesting: [UInt8] = Array(" :;,/=~\r\n\t0123456789aZ-*\u{0}".utf8) + [0xFF, 0xC3, 0x80]
        var parsedCount = 0
        for name in SDPTestSupport.fixtureNames {
            let base = try SDPTestSupport.fixtureBytes(name)
            for _ in 0..<400 {
                var b = base
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    let i = Int(rng.next() % UInt64(b.count))
                    switch rng.next() % 4 {
                    case 0: b[i] = interesting[Int(rng.next() % UInt64(interesting.count))]
                    case 1: b.insert(interesting[Int(rng.next() % UInt64(interesting.count))], at: i)
                    case 2: b.remove(at: i)
                    default: b[i] = UInt8(truncatingIfNeeded: rng.next())
                    }
                }
                _ = b.withUnsafeBytes { SDPFuzz.fuzz($0) }
                if let sdp = try? SessionDescription.parse(b) {
                    parsedCount += 1
                    let again = try SessionDescription.parse(sdp.serialized())
                    #expect(again == sdp)
                    #expect(again.serialized() == sdp.serialized())
                }
            }
        }
        #expect(parsedCount > 100)
    }

    @Test func sharedCorpus() throws {
        let dir = SDPTestSupport.corpusDirectory
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(files.count > 10, "corpus folder \(dir.path) is missing or empty")
        var values = 0
        var errors = 0
        for f in files.sorted() {
            let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent(f)))
            do {
                let sdp = try SessionDescription.parse(bytes)
                values += 1
                #expect(try SessionDescription.parse(sdp.serialized()) == sdp, "\(f)")
            } catch {
                errors += 1
                #expect(error.format == .sdp)
            }
            _ = bytes.withUnsafeBytes { SDPFuzz.fuzz($0) }
        }
        #expect(values + errors == files.count)
        #expect(values > 0)
    }
}
