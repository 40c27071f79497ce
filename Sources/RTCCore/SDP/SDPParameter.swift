/// One `key=value` (or bare `value`) parameter of an `fmtp` or `rid` attribute
/// (RFC 8866 §6.15 format-specific parameters; RFC 8851 §10 rid-param).
///
/// ```
///   level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
///   `--key--------------' `v'
///   0-15                        a bare parameter (telephone-event events): key "0-15", no value
/// ```
/// Parameters are separated by ';'; spaces around each parameter and around its '=' are
/// ignored when reading and not written.
public struct SDPParameter: Hashable, Sendable {
    public var key: String
    /// nil for a bare parameter.
    public var value: String?

    public init(_ key: String, _ value: String? = nil) {
        self.key = key
        self.value = value
    }

    /// Parses a ';'-separated list, skipping empty pieces.
    static func list(_ s: ArraySlice<UInt8>) -> [SDPParameter] {
        var out: [SDPParameter] = []
        for piece in SDPText.split(s, on: SDPText.semicolon) {
            let p = SDPText.trim(piece)
            if p.isEmpty { continue }
            let (k, v) = SDPText.splitOnce(p, on: SDPText.equals)
            out.append(SDPParameter(SDPText.string(SDPText.trim(k)),
                                    v.map { SDPText.string(SDPText.trim($0)) }))
        }
        return out
    }

    static func write(_ list: [SDPParameter]) -> String {
        var s = ""
        for (i, p) in list.enumerated() {
            if i > 0 { s += ";" }
            s += p.key
            if let v = p.value { s += "=" + v }
        }
        return s
    }
}

extension Array where Element == SDPParameter {
    /// The value of the first parameter named `key` (case-sensitive), if present.
    public subscript(sdpKey key: String) -> String? {
        first { $0.key == key }?.value
    }
}
