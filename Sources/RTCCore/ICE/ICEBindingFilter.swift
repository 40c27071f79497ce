/// The first step of both ICE agents' receive path: a STUN Binding message whose FINGERPRINT
/// (when present) verifies, or nil — counted in the agent's stats as malformed or unexpected.
enum ICEBindingFilter {
    static func binding(_ bytes: UnsafeRawBufferPointer, stats: inout ICEStats) -> STUNMessage? {
        let m: STUNMessage
        do {
            m = try STUNMessage(parsing: bytes)
            if m.hasFingerprint { try m.verifyFingerprint() }
        } catch {
            stats.malformedDropped += 1
            return nil
        }
        guard m.method == .binding else {
            stats.unexpectedDropped += 1
            return nil
        }
        return m
    }
}
