/// The `simulcast` attribute: which rids are sent or received as simulcast streams
/// (RFC 8853 §5.1).
///
/// ```
///   a=simulcast:send q;h;~f recv a,b
///               |    | | |       `-- ',' separates alternatives for one stream
///               |    | | `---------- '~' marks a stream that starts paused
///               |    `-`------------ ';' separates streams
///               `------------------- send and/or recv, each at most once, either order
/// ```
public struct SDPSimulcast: Hashable, Sendable {
    /// One rid in a stream's list of alternatives.
    public struct Alternative: Hashable, Sendable {
        public var rid: Rid
        public var paused: Bool

        public init(rid: Rid, paused: Bool = false) {
            self.rid = rid
            self.paused = paused
        }
    }

    /// Streams sent by the writer, each a list of alternative rids (usually one).
    public var send: [[Alternative]]
    /// Streams received by the writer.
    public var recv: [[Alternative]]
    /// True when the `recv` list was written first (kept so writing is stable).
    public var recvFirst: Bool

    public init(send: [[Alternative]] = [], recv: [[Alternative]] = [], recvFirst: Bool = false) {
        self.send = send
        self.recv = recv
        self.recvFirst = recvFirst
    }

    /// Simple lists: one rid per stream, none paused.
    public init(send: [Rid], recv: [Rid] = []) {
        self.send = send.map { [Alternative(rid: $0)] }
        self.recv = recv.map { [Alternative(rid: $0)] }
        self.recvFirst = false
    }

    init(_ value: ArraySlice<UInt8>, line: Int) throws(ParseError) {
        let tokens = SDPText.split(value, on: SDPText.space)
        guard tokens.count == 2 || tokens.count == 4 else {
            throw ParseError(.sdp, .syntax, at: line, "simulcast: expected send/recv lists")
        }
        var send: [[Alternative]]?
        var recv: [[Alternative]]?
        var recvFirst = false
        var i = 0
        while i + 1 < tokens.count {
            let list = try Self.streams(tokens[i + 1], line: line)
            if SDPText.equals(tokens[i], "send"), send == nil {
                send = list
            } else if SDPText.equals(tokens[i], "recv"), recv == nil {
                recv = list
                if i == 0 { recvFirst = true }
            } else {
                throw ParseError(.sdp, .syntax, at: line, "simulcast: expected send or recv once each")
            }
            i += 2
        }
        self.send = send ?? []
        self.recv = recv ?? []
        self.recvFirst = recvFirst && !self.send.isEmpty
    }

    static func streams(_ s: ArraySlice<UInt8>, line: Int) throws(ParseError) -> [[Alternative]] {
        var out: [[Alternative]] = []
        for stream in SDPText.splitKeepingEmpty(s, on: SDPText.semicolon) {
            var alts: [Alternative] = []
            for alt in SDPText.splitKeepingEmpty(stream, on: SDPText.comma) {
                var a = alt
                let paused = a.first == SDPText.tilde
                if paused { a = a.dropFirst() }
                alts.append(Alternative(rid: try SDPText.shortID(a, rid: true, line: line, "simulcast: bad rid"),
                                        paused: paused))
            }
            out.append(alts)
        }
        return out
    }

    static func write(_ streams: [[Alternative]]) -> String {
        var s = ""
        for (i, alts) in streams.enumerated() {
            if i > 0 { s += ";" }
            for (j, a) in alts.enumerated() {
                if j > 0 { s += "," }
                if a.paused { s += "~" }
                s += a.rid.description
            }
        }
        return s
    }

    /// The first alternative of each sent stream, in order.
    public var sendRids: [Rid] { send.compactMap { $0.first?.rid } }
    /// The first alternative of each received stream, in order.
    public var recvRids: [Rid] { recv.compactMap { $0.first?.rid } }

    /// The same lists seen from the other side (send ↔ recv), e.g. to mirror an offer.
    public var reversed: SDPSimulcast {
        SDPSimulcast(send: recv, recv: send, recvFirst: !recvFirst && !recv.isEmpty && !send.isEmpty)
    }

    public var attributeValue: String {
        var parts: [String] = []
        if !send.isEmpty { parts.append("send " + Self.write(send)) }
        if !recv.isEmpty {
            let r = "recv " + Self.write(recv)
            if recvFirst { parts.insert(r, at: 0) } else { parts.append(r) }
        }
        var s = ""
        for (i, p) in parts.enumerated() {
            if i > 0 { s += " " }
            s += p
        }
        return s
    }
}
