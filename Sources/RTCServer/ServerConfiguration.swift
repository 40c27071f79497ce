/// Parsing of sfu-server's `HOST:PORT` flags (DESIGN.md "Command line").
enum ServerConfiguration {
    /// Splits "HOST:PORT" or "[V6]:PORT"; nil when malformed or the port is out of range.
    static func hostPort(_ s: String) -> (String, Int)? {
        if s.hasPrefix("["), let close = s.firstIndex(of: "]") {
            let host = String(s[s.index(after: s.startIndex)..<close])
            let rest = s[s.index(after: close)...]
            guard rest.hasPrefix(":"), let p = Int(rest.dropFirst()), (0...65535).contains(p) else { return nil }
            return (host, p)
        }
        guard let colon = s.lastIndex(of: ":"), let p = Int(s[s.index(after: colon)...]),
              (0...65535).contains(p) else { return nil }
        let host = String(s[..<colon])
        return host.isEmpty ? nil : (host, p)
    }
}
