extension DTLSFingerprint {
    /// The `a=fingerprint` attribute value (RFC 8122 §5), `sha-256 AB:CD:…`: the name every
    /// SDP type gives its value. Same as ``sdpValue``.
    public var attributeValue: String { sdpValue }

    /// Reads the value of an `a=fingerprint` line; errors carry the 1-based line number as
    /// their offset. A hash function that RTCCore refuses or does not know (md5, md2, ...)
    /// is `.invalidValue`.
    init(sdpValue value: ArraySlice<UInt8>, line: Int) throws(ParseError) {
        let result: Result<DTLSFingerprint, ParseError> = value.withUnsafeBytes { raw in
            do throws(ParseError) {
                return .success(try DTLSFingerprint(parsing: raw))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let f): self = f
        case .failure(let e): throw ParseError(.sdp, e.kind, at: line, e.reason)
        }
    }
}
