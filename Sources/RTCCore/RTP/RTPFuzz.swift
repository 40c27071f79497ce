/// Fuzz entry point for the RTP family: header, RFC 8285 elements, typed extension values
/// (with every kind registered), every payload descriptor on the payload, and the
/// per-subscriber rewrite (re-parsed). Must never trap.
public enum RTPFuzz {
    /// All kinds registered at IDs 1...9 (the typed ones) and the rest at 10...14.
    static let map: RTPExtensionMap = {
        var m = RTPExtensionMap()
        let kinds: [RTPExtensionKind] = [
            .mid, .rid, .repairedRid, .absSendTime, .transportWideCC, .audioLevel,
            .dependencyDescriptor, .videoOrientation, .transmissionOffset,
            .playoutDelay, .absCaptureTime, .videoContentType, .transportWideCC02, .other,
        ]
        for (i, k) in kinds.enumerated() { m.register(k, id: UInt8(i + 1)) }
        return m
    }()

    /// A subscriber-side map with different IDs, some above 14 (forces the two-byte form).
    static let shiftedMap: RTPExtensionMap = {
        var m = RTPExtensionMap()
        m.register(.mid, id: 3)
        m.register(.transportWideCC, id: 20)
        m.register(.absSendTime, id: 1)
        m.register(.audioLevel, id: 200)
        m.register(.dependencyDescriptor, id: 12)
        m.register(.videoOrientation, id: 4)
        return m
    }()

    /// The rewrites applied to every parsed input: identity, and everything replaced.
    static let rewrites: [RTPRewrite] = [
        RTPRewrite(),
        RTPRewrite(ssrc: SSRC(0xDEAD_BEEF), sequenceNumber: SequenceNumber(7), timestamp: 90_000,
                   payloadType: PayloadType(96), marker: true, transportSequence: 0xFFFE,
                   mid: ShortID("0123456789abcdef"), absSendTime: 0x12_3456,
                   dropKinds: [.rid, .repairedRid], dropCSRCs: true, dropPadding: true),
    ]

    /// Returns true when the header and its extension values parsed.
    public static func fuzz(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let parsed = try? RTPHeader.parseForForwarding(bytes, map: map) else {
            return false
        }
        let header = parsed.0
        let values = parsed.1
        var reader = RTPExtensionElementReader(packet: bytes, header: header)
        while let e = try? reader.next() { _ = e.data(in: bytes).count }
        _ = header.extensionData(in: bytes).count
        _ = CodecFuzz.fuzz(header.payload(in: bytes))

        let capacity = bytes.count &* 2 &+ 128
        withUnsafeTemporaryAllocation(byteCount: capacity, alignment: 1) { out in
            // Re-encode the typed values and parse them back.
            if let n = try? RTPPacketWriter.write(header: header, values: values, map: map,
                                                  payload: header.payload(in: bytes),
                                                  paddingLength: header.paddingLength, into: out) {
                _ = try? RTPHeader.parseForForwarding(UnsafeRawBufferPointer(rebasing: out[0..<n]), map: map)
            }
            for spec in rewrites {
                for dest in 0..<2 {
                    let dest = dest == 0 ? map : shiftedMap
                    guard let written = try? spec.write(packet: bytes, header: header, sourceMap: map,
                                                        destinationMap: dest, into: out) else { continue }
                    let again = UnsafeRawBufferPointer(rebasing: out[0..<written.length])
                    _ = try? RTPHeader.parseForForwarding(again, map: dest)
                    let payload = UnsafeMutableRawBufferPointer(
                        rebasing: out[written.payloadOffset..<(written.payloadOffset + written.payloadLength)])
                    _ = try? VP8PayloadDescriptor.rewrite(payload, pictureID: 1, tl0PicIdx: 2)
                }
            }
        }
        return true
    }
}
