/// The per-subscriber rewrite of a forwarded RTP packet, applied while copying it into the
/// subscriber's egress buffer (the SFU's "rewrite while copying" step; the source packet is
/// never modified).
///
/// ```
/// source (publisher transport)                 destination (subscriber transport)
/// +-------+------+-----------+---------+       +-------+------+-------------+---------+
/// | fixed | CSRC | ext block | payload |  -->  | fixed'| CSRC | ext block'  | payload |
/// +-------+------+-----------+---------+       +-------+------+-------------+---------+
///  SSRC, seq, timestamp, PT, M replaced         elements re-keyed from the source map's IDs
///  where the spec says so                       to the destination map's; dropped when the
///                                               destination did not negotiate them or the
///                                               spec drops them; TWCC seq / mid / abs-send-
///                                               time replaced or added
/// ```
///
/// Elements of kind ``RTPExtensionKind/other`` cannot be re-keyed and are dropped. The block
/// is written in the one-byte form unless an ID above 14 or data longer than 16 bytes needs
/// the two-byte form (RFC 8285 §4.1.1). An extension block with a non-RFC 8285 profile is
/// copied verbatim when no element is to be added. Padding is copied verbatim unless
/// `dropPadding` is set.
public struct RTPRewrite: Sendable {
    public var ssrc: SSRC?
    public var sequenceNumber: SequenceNumber?
    public var timestamp: UInt32?
    public var payloadType: PayloadType?
    public var marker: Bool?
    /// A transport-wide sequence number to write (replacing or adding the element).
    public var transportSequence: UInt16?
    /// A mid to write (replacing or adding the element).
    public var mid: Mid?
    /// An abs-send-time (24-bit) to write (replacing or adding the element).
    public var absSendTime: UInt32?
    /// Extension kinds not to forward (e.g. rid and repaired-rid once simulcast is collapsed).
    public var dropKinds: RTPExtensionKindSet
    /// Leave out the CSRC list.
    public var dropCSRCs: Bool
    /// Leave out the padding.
    public var dropPadding: Bool

    @inlinable
    public init(
        ssrc: SSRC? = nil, sequenceNumber: SequenceNumber? = nil, timestamp: UInt32? = nil,
        payloadType: PayloadType? = nil, marker: Bool? = nil, transportSequence: UInt16? = nil,
        mid: Mid? = nil, absSendTime: UInt32? = nil, dropKinds: RTPExtensionKindSet = [],
        dropCSRCs: Bool = false, dropPadding: Bool = false
    ) {
        self.ssrc = ssrc
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.payloadType = payloadType
        self.marker = marker
        self.transportSequence = transportSequence
        self.mid = mid
        self.absSendTime = absSendTime
        self.dropKinds = dropKinds
        self.dropCSRCs = dropCSRCs
        self.dropPadding = dropPadding
    }

    /// The destination ID for a source element, or nil when it is not forwarded.
    @inlinable
    func destinationID(
        forSourceID id: UInt8, sourceMap: RTPExtensionMap, destinationMap: RTPExtensionMap
    ) -> UInt8? {
        guard let kind = sourceMap.kind(forID: id), kind != .other, !dropKinds.contains(kind) else {
            return nil
        }
        switch kind {
        case .mid where mid != nil: return nil
        case .transportWideCC, .transportWideCC02: if transportSequence != nil { return nil }
        case .absSendTime where absSendTime != nil: return nil
        default: break
        }
        return destinationMap.id(for: kind)
    }

    /// The destination ID of the TWCC element to add, if any.
    @inlinable
    func transportSequenceID(_ map: RTPExtensionMap) -> UInt8? {
        guard transportSequence != nil else { return nil }
        return map.id(for: .transportWideCC) ?? map.id(for: .transportWideCC02)
    }

    /// Copies `packet` (parsed as `header`) into `destination` with this rewrite applied.
    ///
    /// The extension elements are trusted to have been validated by the parse that produced
    /// the forwarding decision (``RTPHeader/parseForForwarding(_:map:)``); if they are
    /// malformed anyway, copying of elements stops at the bad one (no trap).
    ///
    /// - Throws: `WriteError(.bufferTooSmall, needed:)` when `destination` is too short.
    @inlinable
    public func write(
        packet: UnsafeRawBufferPointer,
        header: RTPHeader,
        sourceMap: RTPExtensionMap,
        destinationMap: RTPExtensionMap,
        into destination: UnsafeMutableRawBufferPointer
    ) throws(WriteError) -> RTPWrittenPacket {
        // Pass 1: which elements go out, and which form they need.
        var count = 0
        var needsTwoByte = false
        var reader = RTPExtensionElementReader(packet: packet, header: header)
        while let e = try? reader.next() {
            guard let id = destinationID(forSourceID: e.id, sourceMap: sourceMap, destinationMap: destinationMap)
            else { continue }
            count &+= 1
            if !RTPExtensionForm.oneByte.canEncode(id: id, length: e.length) { needsTwoByte = true }
        }
        let midID = mid != nil ? destinationMap.id(for: .mid) : nil
        let twccID = transportSequenceID(destinationMap)
        let astID = absSendTime != nil ? destinationMap.id(for: .absSendTime) : nil
        if let id = midID, let m = mid {
            count &+= 1
            if !RTPExtensionForm.oneByte.canEncode(id: id, length: Int(m.count)) { needsTwoByte = true }
        }
        if let id = twccID {
            count &+= 1
            if id > 14 { needsTwoByte = true }
        }
        if let id = astID {
            count &+= 1
            if id > 14 { needsTwoByte = true }
        }
        let copyForeignBlock = count == 0 && header.hasExtension && header.extensionForm == nil

        var out = header
        if let v = ssrc { out.ssrc = v }
        if let v = sequenceNumber { out.sequenceNumber = v }
        if let v = timestamp { out.timestamp = v }
        if let v = payloadType { out.payloadType = v }
        if let v = marker { out.marker = v }

        var w = ByteWriter(destination, format: .rtp)
        try RTPPacketWriter.writeFixedHeader(out, csrcs: !dropCSRCs, to: &w)

        if count > 0 {
            // Pass 2: write them.
            let x = try RTPExtensionWriter.begin(&w, form: needsTwoByte ? .twoByte(appBits: 0) : .oneByte)
            reader = RTPExtensionElementReader(packet: packet, header: header)
            while let e = try? reader.next() {
                guard let id = destinationID(forSourceID: e.id, sourceMap: sourceMap, destinationMap: destinationMap)
                else { continue }
                try x.append(id: id, bytes: e.data(in: packet), to: &w)
            }
            if let id = midID, let m = mid { try x.append(id: id, token: m, to: &w) }
            if let id = twccID, let v = transportSequence {
                try x.append(id: id, integer: UInt64(v), byteCount: 2, to: &w)
            }
            if let id = astID, let v = absSendTime {
                try x.append(id: id, integer: UInt64(v & 0xFF_FFFF), byteCount: 3, to: &w)
            }
            try x.finish(&w)
            RTPPacketWriter.setExtensionBit(&w, at: 0)
        } else if copyForeignBlock {
            try w.writeBytes(packet.rtcSlice(header.extensionOffset &- 4, header.extensionLength &+ 4))
            RTPPacketWriter.setExtensionBit(&w, at: 0)
        }

        let payloadOffset = w.position
        try w.writeBytes(header.payload(in: packet))
        if header.paddingLength > 0 && !dropPadding {
            let pad = packet.rtcSlice(header.payloadOffset &+ header.payloadLength, header.paddingLength)
            if pad.count == header.paddingLength {
                try w.writeBytes(pad)
                RTPPacketWriter.setPaddingBit(&w, at: 0)
            }
        }
        return RTPWrittenPacket(length: w.position, payloadOffset: payloadOffset, payloadLength: header.payloadLength)
    }
}
