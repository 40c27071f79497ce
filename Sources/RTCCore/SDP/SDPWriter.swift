/// Writes a session description as text (RFC 8866 §5): lines in the RFC's order, each
/// ending in CRLF, attributes in their stored order.
///
/// ```
///   v o s i u e* p* c b* (t r*)* z k a*  then for each section:  m i c* b* k a*
/// ```
extension SessionDescription: CustomStringConvertible {
    /// The description as SDP text.
    public func serialized() -> String {
        var out = ""
        out.reserveCapacity(256 + media.count * 1024)
        func line(_ type: String, _ value: String) {
            out += type
            out += "="
            out += value
            out += "\r\n"
        }
        line("v", "0")
        line("o", origin.lineValue)
        line("s", sessionName)
        if let information { line("i", information) }
        if let uri { line("u", uri) }
        for e in emails { line("e", e) }
        for p in phones { line("p", p) }
        if let connection { line("c", connection.lineValue) }
        for b in bandwidths { line("b", b.lineValue) }
        for t in timing {
            line("t", t.lineValue)
            for r in t.repeats { line("r", r) }
        }
        if let timeZones { line("z", timeZones) }
        if let encryptionKey { line("k", encryptionKey) }
        for a in attributes { line("a", a.text) }
        for m in media {
            line("m", m.mLineValue)
            if let i = m.information { line("i", i) }
            for c in m.connections { line("c", c.lineValue) }
            for b in m.bandwidths { line("b", b.lineValue) }
            if let k = m.encryptionKey { line("k", k) }
            for a in m.attributes { line("a", a.text) }
        }
        return out
    }

    public var description: String { serialized() }

    /// Writes the text into a caller-owned buffer.
    public func write(to writer: inout ByteWriter) throws(WriteError) {
        let text = serialized()
        try writer.writeBytes(text.utf8)
    }
}
