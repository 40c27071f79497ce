/// Authenticated fuzz entry point for the ICE agents (used by `rtc-bench fuzz --only
/// ice-authenticated` and the tests).
///
/// Plain STUN mutations almost never carry a valid MESSAGE-INTEGRITY, so they stop at the
/// first check. This target re-seals each input as a participant who knows the server's ICE
/// password would: the input's attribute area (after its 20-byte header, cut to a multiple of
/// 4) becomes the body of a Binding request, optionally after a valid USERNAME, then a
/// MESSAGE-INTEGRITY computed with the agent's password and a FINGERPRINT are appended. The
/// result goes through a fresh ICE-lite agent and a fresh full agent (controlling, with the
/// peer's credentials), and every datagram they answer with is checked.
///
/// The `precondition`s are the fuzzer's oracle, not input checks: a reply larger than
/// ``maximumReplySize`` (its size would follow attacker input) or one that does not parse
/// with a valid FINGERPRINT stops the run.
public enum ICEAuthenticatedFuzz {
    /// No reply an agent writes to any request may be larger than this.
    public static let maximumReplySize = 256
    static let lite = ICECredentials(ufrag: "LiTe", pwd: "litePasswordOf24Chars+/x")
    static let peer = ICECredentials(ufrag: "PeEr", pwd: "peerPasswordOf24Chars+/x")
    static let server = TransportAddress("10.0.0.2:40000")!
    static let client = TransportAddress("10.0.0.1:5000")!

    /// Returns true when the sealed request passed USERNAME, MESSAGE-INTEGRITY and FINGERPRINT
    /// checks at the lite agent (it was answered with neither 400 nor 401, or accepted).
    public static func fuzz(_ input: UnsafeRawBufferPointer) -> Bool {
        let flags = input.first ?? 0
        // Lite agent: the request a full peer sends it ("LiTe:PeEr", lite password).
        var liteAgent = ICELiteAgent(configuration: .init(localCredentials: lite,
                                                          hostAddresses: [ICEHostAddress(base: server)]),
                                     now: .zero)
        let toLite = seal(input, username: flags & 1 == 0 ? "LiTe:PeEr" : nil, key: lite.key)
        toLite.withUnsafeBytes { liteAgent.handle(.datagram($0, from: client, local: server), now: Instant(nanoseconds: 1_000_000)) }
        while let o = liteAgent.pollOutput() { check(o) }
        let st = liteAgent.stats
        let passed = st.requestsAccepted > 0 || st.unknownAttributeSent > 0 || st.roleConflictsSent > 0
        // Full agent: the same body as a request to the client side ("PeEr:LiTe", peer password).
        var fullAgent = ICEAgent(configuration: .init(localCredentials: peer,
                                                      hostAddresses: [ICEHostAddress(base: client)],
                                                      seed: UInt64(flags)), now: .zero)
        if flags & 2 == 0 { fullAgent.setRemoteCredentials(lite, now: .zero) }
        let toFull = seal(input, username: flags & 1 == 0 ? "PeEr:LiTe" : nil, key: peer.key)
        toFull.withUnsafeBytes { fullAgent.handle(.datagram($0, from: server, local: client), now: Instant(nanoseconds: 1_000_000)) }
        while let o = fullAgent.pollOutput() { check(o) }
        fullAgent.handle(.timeout, now: Instant(nanoseconds: 100_000_000))
        while let o = fullAgent.pollOutput() { check(o) }
        return passed
    }

    private static func check(_ output: ICEOutput) {
        guard case .transmit(let t) = output else { return }
        precondition(t.bytes.count <= maximumReplySize, "an ICE agent wrote a reply sized by its input")
        let ok = t.bytes.withUnsafeBytes { b in
            (try? STUNMessage(parsing: b)).map { (try? $0.verifyFingerprint()) != nil } ?? false
        }
        precondition(ok, "an ICE agent wrote a message that does not parse with its FINGERPRINT")
    }

    /// A Binding request (or, with bit 2 of the first byte, the input's own type): the input's transaction ID, optionally USERNAME and PRIORITY, the input's
    /// attributes (raw, as mutated), MESSAGE-INTEGRITY with `key`, FINGERPRINT.
    static func seal(_ input: UnsafeRawBufferPointer, username: String?, key: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x00, 0x01, 0, 0, 0x21, 0x12, 0xA4, 0x42]
        if let f = input.first, f & 4 != 0, input.count >= 2 {
            // Keep the input's method and class (indications, responses, other methods).
            out[0] = input[0] & 0x3F
            out[1] = input[1]
        }
        for i in 8..<20 { out.append(i < input.count ? input[i] : UInt8(truncatingIfNeeded: i)) }
        if let u = username {
            let bytes = Array(u.utf8)
            out += [0x00, 0x06, 0, UInt8(bytes.count)] + bytes
            while out.count % 4 != 0 { out.append(0) }
            if flags8(input) & 8 == 0 { out += [0x00, 0x24, 0x00, 0x04, 0x6E, 0x00, 0x01, 0xFF] }  // PRIORITY
        }
        if input.count > STUNMessage.headerSize {
            // At most 60,000 bytes of body: the sealed message stays under the 65,535-byte limit.
            let body = min((input.count - STUNMessage.headerSize) & ~3, 60_000)
            out += input[STUNMessage.headerSize..<(STUNMessage.headerSize + body)]
        }
        // MESSAGE-INTEGRITY over the message with its length counting the MI attribute.
        setLength(&out, out.count - STUNMessage.headerSize + STUNMessageIntegrity.attributeSize)
        var mac = [UInt8](repeating: 0, count: STUNMessageIntegrity.size)
        key.withUnsafeBytes { k in
            out.withUnsafeBytes { d in mac.withUnsafeMutableBytes { STUNMessageIntegrity.hmac(key: k, data: d, into: $0) } }
        }
        out += [0x00, 0x08, 0x00, 0x14] + mac
        // FINGERPRINT over the message with its length counting the FINGERPRINT attribute.
        setLength(&out, out.count - STUNMessage.headerSize + 8)
        let crc = out.withUnsafeBytes { STUNFingerprint.value(over: $0) }
        out += [0x80, 0x28, 0x00, 0x04, UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF),
                UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)]
        return out
    }

    private static func flags8(_ input: UnsafeRawBufferPointer) -> UInt8 { input.first ?? 0 }

    private static func setLength(_ m: inout [UInt8], _ n: Int) {
        m[2] = UInt8(truncatingIfNeeded: n >> 8)
        m[3] = UInt8(truncatingIfNeeded: n)
    }
}
