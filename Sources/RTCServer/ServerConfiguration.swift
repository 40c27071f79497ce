import RTCCore

/// sfu-server's settings (command line and environment, DESIGN.md "Command line").
struct ServerConfiguration: Sendable {
    var httpHost: String
    var httpPort: Int
    var mediaHost: String
    var mediaPort: Int
    /// Address put in ICE candidates instead of the bound one (1:1 NAT), if any.
    var announce: String?

    /// Splits "HOST:PORT" or "[V6]:PORT".
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
