/// Builds whole RTP packets (RFC 3550 §5.1) into a caller's buffer: fixed header, CSRCs, an
/// optional RFC 8285 extension block, payload and padding. For synthetic media, tests and the
/// rewrite step (``RTPRewrite``); never allocates.
///
/// ```
/// +-------------+-------+--------------------+-----------------+-------------------+
/// | fixed (12)  | CSRCs | extension block    | payload         | padding ... count |
/// +-------------+-------+--------------------+-----------------+-------------------+
///   V=2 P X CC M PT seq timestamp SSRC        X set by an extension block, P by padding
/// ```
/// Leaving room for the SRTP authentication tag is the caller's job: pass a destination that
/// is shorter than the egress slot by the tag length.
public enum RTPPacketWriter {
    /// Writes the 12-byte fixed header and the CSRC list of `header`, with P and X clear
    /// (``setPaddingBit(_:at:)`` and ``setExtensionBit(_:at:)`` patch them later).
    @inlinable
    public static func writeFixedHeader(
        _ header: RTPHeader, csrcs: Bool = true, to w: inout ByteWriter
    ) throws(WriteError) {
        let cc = csrcs ? header.csrcs.count : 0
        try w.require(RTPHeader.fixedLength &+ cc &* 4)
        try w.writeU8(0x80 | UInt8(truncatingIfNeeded: cc))
        try w.writeU8((header.marker ? 0x80 : 0) | (header.payloadType.rawValue & 0x7F))
        try w.writeU16(header.sequenceNumber.rawValue)
        try w.writeU32(header.timestamp)
        try w.writeU32(header.ssrc.rawValue)
        if csrcs {
            for s in header.csrcs { try w.writeU32(s.rawValue) }
        }
    }

    /// Sets the X bit of the header that starts at `packetStart`.
    @inlinable
    public static func setExtensionBit(_ w: inout ByteWriter, at packetStart: Int) {
        guard packetStart >= 0, packetStart < w.position else { return }
        w.buffer[packetStart] |= 0x10
    }

    /// Sets the P bit of the header that starts at `packetStart`.
    @inlinable
    public static func setPaddingBit(_ w: inout ByteWriter, at packetStart: Int) {
        guard packetStart >= 0, packetStart < w.position else { return }
        w.buffer[packetStart] |= 0x20
    }

    /// Writes `count` padding octets (zeros, the last one holding the count), 1...255.
    @inlinable
    public static func writePadding(_ count: Int, to w: inout ByteWriter) throws(WriteError) {
        guard count >= 1, count <= 255 else { throw WriteError(.rtp, .valueOutOfRange) }
        try w.require(count)
        try w.writeZeros(count &- 1)
        try w.writeU8(UInt8(truncatingIfNeeded: count))
    }

    /// Writes a packet. When `extensionForm` is set, an extension block in that form is
    /// written (and the X bit set) and `extensions` appends its elements through the
    /// ``RTPExtensionWriter`` it receives; a block with no elements is legal (length 0).
    ///
    /// - Returns: the packet length.
    @inlinable
    public static func write(
        header: RTPHeader,
        extensionForm: RTPExtensionForm? = nil,
        extensions: (RTPExtensionWriter, inout ByteWriter) throws(WriteError) -> Void = { _, _ in },
        payload: UnsafeRawBufferPointer,
        paddingLength: Int = 0,
        into buffer: UnsafeMutableRawBufferPointer
    ) throws(WriteError) -> Int {
        var w = ByteWriter(buffer, format: .rtp)
        try writeFixedHeader(header, to: &w)
        if let form = extensionForm {
            let x = try RTPExtensionWriter.begin(&w, form: form)
            try extensions(x, &w)
            try x.finish(&w)
            setExtensionBit(&w, at: 0)
        }
        try w.writeBytes(payload)
        if paddingLength > 0 {
            try writePadding(paddingLength, to: &w)
            setPaddingBit(&w, at: 0)
        }
        return w.position
    }

    /// Writes a packet whose extension block carries the typed `values` under `map`'s IDs, in
    /// the smallest form that fits (no block when no value is registered in `map`).
    public static func write(
        header: RTPHeader,
        values: RTPExtensionValues,
        map: RTPExtensionMap,
        payload: UnsafeRawBufferPointer,
        paddingLength: Int = 0,
        into buffer: UnsafeMutableRawBufferPointer
    ) throws(WriteError) -> Int {
        var any = false
        values.forEachEncodable(map: map) { _, _ in any = true }
        let form: RTPExtensionForm? = any ? values.requiredForm(map: map) : nil
        return try write(
            header: header, extensionForm: form,
            extensions: { (x, w) throws(WriteError) in try values.write(map: map, with: x, to: &w) },
            payload: payload, paddingLength: paddingLength, into: buffer)
    }

    /// Convenience for tests and synthetic media: a packet with raw `(id, data)` elements in
    /// `form` (allocates the returned array).
    public static func packet(
        header: RTPHeader,
        form: RTPExtensionForm? = nil,
        elements: [(id: UInt8, data: [UInt8])] = [],
        payload: [UInt8],
        paddingLength: Int = 0
    ) throws(WriteError) -> [UInt8] {
        let capacity = RTPHeader.fixedLength + 60 + 4 + elements.reduce(0) { $0 + 2 + $1.data.count } + 3
            + payload.count + paddingLength
        var out = [UInt8](repeating: 0, count: capacity)
        let result: Result<Int, WriteError> = out.withUnsafeMutableBytes { dst in
            payload.withUnsafeBytes { src in
                do throws(WriteError) {
                    let n = try write(
                        header: header, extensionForm: form,
                        extensions: { (x, w) throws(WriteError) in
                            for e in elements {
                                let r: Result<Void, WriteError> = e.data.withUnsafeBytes { d in
                                    do throws(WriteError) {
                                        try x.append(id: e.id, bytes: d, to: &w)
                                        return .success(())
                                    } catch { return .failure(error) }
                                }
                                try r.get()
                            }
                        },
                        payload: src, paddingLength: paddingLength, into: dst)
                    return .success(n)
                } catch { return .failure(error) }
            }
        }
        let n = try result.get()
        out.removeSubrange(n...)
        return out
    }
}
