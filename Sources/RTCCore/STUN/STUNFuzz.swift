/// Fuzz entry point for the STUN parser family (used by `rtc-bench fuzz` and the tests).
///
/// Runs the datagram through ``Demux``, the full ``STUNMessage`` parse, every typed attribute
/// accessor, attribute iteration (including address, error-code and unknown-attribute decoding
/// of every attribute, whatever its type), MESSAGE-INTEGRITY verification with a fixed key and
/// FINGERPRINT verification, and the ICE agents' Binding-request validation. Returns true when
/// the message parsed. Never traps.
public enum STUNFuzz {
    /// The fixed short-term key used for the integrity check (RFC 5769's sample password).
    static let key: [UInt8] = Array("VOkJxbRl1RmTxUk/WvJxBt".utf8)
    /// Credentials for the ICE request validation path (RFC 5769 §2.1's ufrag "evtj").
    static let credentials = ICECredentials(ufrag: "evtj", pwd: "VOkJxbRl1RmTxUk/WvJxBt")

    public static func fuzz(_ bytes: UnsafeRawBufferPointer) -> Bool {
        _ = Demux.classify(bytes)
        let message: STUNMessage
        do {
            message = try STUNMessage(parsing: bytes)
        } catch {
            return false
        }
        var sink = 0
        sink &+= Int(message.type.rawValue) &+ message.length
        sink &+= message.messageClass.isResponse ? 1 : 0
        sink &+= Int(truncatingIfNeeded: message.transactionID.lo)
        if let a = try? message.xorMappedAddress() { sink &+= Int(a.port) }
        if let a = try? message.mappedAddress() { sink &+= Int(a.port) }
        if let u = try? message.username() { sink &+= u.count }
        if let s = try? message.software() { sink &+= s.count }
        if let r = try? message.realm() { sink &+= r.count }
        if let n = try? message.nonce() { sink &+= n.count }
        if let e = try? message.errorCode() { sink &+= Int(e.code.rawValue) &+ e.reason.count }
        if let u = try? message.unknownAttributes() {
            for t in u { sink &+= Int(t.rawValue) }
        }
        if let p = try? message.priority() { sink &+= Int(p) }
        if message.hasUseCandidate { sink &+= 1 }
        if let t = try? message.iceControlling() { sink &+= Int(truncatingIfNeeded: t) }
        if let t = try? message.iceControlled() { sink &+= Int(truncatingIfNeeded: t) }
        if let t = message.firstUnknownComprehensionRequired { sink &+= Int(t.rawValue) }
        if let f = message.fingerprint { sink &+= Int(f) }
        for a in message.attributes {
            sink &+= Int(a.type.rawValue) &+ a.value.count
            // Decode each value under every interpretation, to reach the value decoders with
            // arbitrary bytes.
            if let t = try? STUNAddressAttribute.decode(a.value, xor: message.transactionID, at: a.offset) {
                sink &+= Int(t.port)
            }
            if let t = try? STUNAddressAttribute.decode(a.value, xor: nil, at: a.offset) {
                sink &+= Int(t.port)
            }
            if let e = try? STUNErrorCodeAttribute(parsing: a.value, at: a.offset) {
                sink &+= Int(e.code.rawValue)
            }
            if let u = try? STUNUnknownAttributes(parsing: a.value, at: a.offset) {
                sink &+= u.count
            }
        }
        if (try? message.verifyMessageIntegrity(key: key)) != nil { sink &+= 1 }
        if (try? message.verifyFingerprint()) != nil { sink &+= 1 }
        // The ICE agents' request validation (USERNAME, integrity, unknown attributes, PRIORITY
        // and role attributes) on the same message.
        switch ICEConnectivityCheck.validate(message, local: credentials) {
        case .accepted(let a): sink &+= Int(a.priority)
        case .reject(let code, let unknown): sink &+= Int(code.rawValue) &+ unknown.count
        }
        blackHole(sink)
        return true
    }

    /// Keeps the optimizer from discarding the accessor calls in release builds.
    @inline(never) @_optimize(none)
    static func blackHole(_ value: Int) {}
}
