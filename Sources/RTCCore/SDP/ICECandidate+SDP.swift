extension ICECandidate {
    /// Reads the value of an `a=candidate` line (RFC 8839 §5.1), what follows
    /// `a=candidate:`; errors carry the 1-based line number as their offset, like every SDP
    /// error. The trickle prefixes (`a=`, `candidate:`) that ``init(parsing:)`` tolerates are
    /// not valid here.
    init(sdpValue value: ArraySlice<UInt8>, line: Int) throws(ParseError) {
        if value.starts(with: "a=".utf8) || value.starts(with: "candidate:".utf8) {
            throw ParseError(.sdp, .syntax, at: line, "candidate: prefix inside the value")
        }
        do {
            try self.init(parsing: String(decoding: value, as: UTF8.self))
        } catch {
            throw ParseError(.sdp, error.kind, at: line, error.reason)
        }
    }
}
