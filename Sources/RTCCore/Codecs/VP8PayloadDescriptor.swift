/// The VP8 payload descriptor (RFC 7741 §4.2) at the start of every VP8 RTP payload, plus the
/// keyframe flag of the VP8 payload header that follows it (§4.3, RFC 6386 §9.1).
///
/// ```
///        0 1 2 3 4 5 6 7
///       +-+-+-+-+-+-+-+-+
///       |X|R|N|S|R| PID | (REQUIRED)
///       +-+-+-+-+-+-+-+-+
///  X:   |I|L|T|K| RSV   | (OPTIONAL)
///       +-+-+-+-+-+-+-+-+
///  I:   |M| PictureID   | (OPTIONAL)          M = 1: 15-bit picture ID in two bytes
///       +-+-+-+-+-+-+-+-+
///       |   PictureID   |  (when M = 1)
///       +-+-+-+-+-+-+-+-+
///  L:   |   TL0PICIDX   | (OPTIONAL)
///       +-+-+-+-+-+-+-+-+
///  T/K: |TID|Y| KEYIDX  | (OPTIONAL: present when T or K is set)
///       +-+-+-+-+-+-+-+-+
///       | VP8 payload header (first partition start: |Size0|H| VER |P|, P = 0 keyframe) ...
/// ```
///
/// Offsets of the picture ID and TL0PICIDX are kept so that the simulcast rewriter can
/// rewrite them in place in the egress copy (``rewrite(_:pictureID:tl0PicIdx:)``).
public struct VP8PayloadDescriptor: Hashable, Sendable {
    /// N: the frame can be discarded without affecting others.
    public var nonReference: Bool = false
    /// S: the first byte of a VP8 partition starts here.
    public var startOfPartition: Bool = false
    /// PID: partition index (0...7).
    public var partitionIndex: UInt8 = 0
    /// Picture ID, 7 or 15 bits, when I is set.
    public var pictureID: UInt16?
    /// M: the picture ID uses the 15-bit (two-byte) form.
    public var pictureIDIs15Bit: Bool = false
    /// Temporal level zero picture index, when L is set.
    public var tl0PicIdx: UInt8?
    /// TID: temporal layer index, when T is set.
    public var temporalLayer: UInt8?
    /// Y: layer sync bit (meaningful when T is set).
    public var layerSync: Bool = false
    /// KEYIDX: temporal key-frame index, when K is set.
    public var keyIndex: UInt8?
    /// Length of the descriptor; the VP8 payload starts at this offset.
    public var length: Int = 1
    /// Offset of the picture ID field within the payload, when present.
    public var pictureIDOffset: Int?
    /// Offset of the TL0PICIDX field within the payload, when present.
    public var tl0PicIdxOffset: Int?
    /// True for the first packet of a key frame: S = 1, PID = 0 and the payload header's P bit
    /// is 0.
    public var isKeyframe: Bool = false
    /// Key frame dimensions (14 bits each) from the key frame header, when it is in this packet.
    public var width: UInt16?
    public var height: UInt16?

    /// A descriptor to write (see ``write(to:)``).
    public init(
        nonReference: Bool = false, startOfPartition: Bool = false, partitionIndex: UInt8 = 0,
        pictureID: UInt16? = nil, pictureIDIs15Bit: Bool = true, tl0PicIdx: UInt8? = nil,
        temporalLayer: UInt8? = nil, layerSync: Bool = false, keyIndex: UInt8? = nil
    ) {
        self.nonReference = nonReference
        self.startOfPartition = startOfPartition
        self.partitionIndex = partitionIndex & 0x07
        self.pictureID = pictureID
        self.pictureIDIs15Bit = pictureID != nil && pictureIDIs15Bit
        self.tl0PicIdx = tl0PicIdx
        self.temporalLayer = temporalLayer
        self.layerSync = layerSync
        self.keyIndex = keyIndex
        self.length = encodedLength
    }

    /// S = 1 and PID = 0: this packet starts a frame.
    @inlinable public var isStartOfFrame: Bool { startOfPartition && partitionIndex == 0 }

    /// The number of bytes ``write(to:)`` produces.
    public var encodedLength: Int {
        var n = 1
        let extended = pictureID != nil || tl0PicIdx != nil || temporalLayer != nil || keyIndex != nil
        if extended { n += 1 }
        if pictureID != nil { n += pictureIDIs15Bit ? 2 : 1 }
        if tl0PicIdx != nil { n += 1 }
        if temporalLayer != nil || keyIndex != nil { n += 1 }
        return n
    }

    /// Parses the descriptor at the start of `payload` (the RTP payload).
    ///
    /// - Throws: `.vp8` `.truncated` when a signalled field or the VP8 payload itself is
    ///   missing.
    public static func parse(_ payload: UnsafeRawBufferPointer) throws(ParseError) -> VP8PayloadDescriptor {
        var r = ByteReader(payload, format: .vp8)
        var d = VP8PayloadDescriptor()
        let b0 = try r.readU8()
        d.nonReference = b0 & 0x20 != 0
        d.startOfPartition = b0 & 0x10 != 0
        d.partitionIndex = b0 & 0x07
        if b0 & 0x80 != 0 {
            let x = try r.readU8()
            if x & 0x80 != 0 {
                d.pictureIDOffset = r.position
                let p0 = try r.readU8()
                if p0 & 0x80 != 0 {
                    let p1 = try r.readU8()
                    d.pictureIDIs15Bit = true
                    d.pictureID = UInt16(p0 & 0x7F) << 8 | UInt16(p1)
                } else {
                    d.pictureID = UInt16(p0)
                }
            }
            if x & 0x40 != 0 {
                d.tl0PicIdxOffset = r.position
                d.tl0PicIdx = try r.readU8()
            }
            if x & 0x30 != 0 {
                let tk = try r.readU8()
                if x & 0x20 != 0 {
                    d.temporalLayer = tk >> 6
                    d.layerSync = tk & 0x20 != 0
                }
                if x & 0x10 != 0 { d.keyIndex = tk & 0x1F }
            }
        }
        d.length = r.position
        guard r.remaining >= 1 else {
            throw ParseError(.vp8, .truncated, at: r.position, "no VP8 payload after the descriptor")
        }
        if d.isStartOfFrame {
            let tag = payload[r.position]
            if tag & 0x01 == 0 {
                d.isKeyframe = true
                // Key frame header (RFC 6386 §9.1): 3-byte frame tag, start code 9d 01 2a,
                // then 16-bit little-endian width and height (low 14 bits are the size).
                let p = r.position
                if r.remaining >= 10, payload[p &+ 3] == 0x9D, payload[p &+ 4] == 0x01, payload[p &+ 5] == 0x2A {
                    d.width = (UInt16(payload[p &+ 6]) | UInt16(payload[p &+ 7]) << 8) & 0x3FFF
                    d.height = (UInt16(payload[p &+ 8]) | UInt16(payload[p &+ 9]) << 8) & 0x3FFF
                }
            }
        }
        return d
    }

    /// Writes this descriptor (not the VP8 payload) at the writer's position.
    public func write(to w: inout ByteWriter) throws(WriteError) {
        try w.require(encodedLength)
        let extended = pictureID != nil || tl0PicIdx != nil || temporalLayer != nil || keyIndex != nil
        try w.writeU8((extended ? 0x80 : 0) | (nonReference ? 0x20 : 0) | (startOfPartition ? 0x10 : 0)
            | (partitionIndex & 0x07))
        guard extended else { return }
        var x: UInt8 = 0
        if pictureID != nil { x |= 0x80 }
        if tl0PicIdx != nil { x |= 0x40 }
        if temporalLayer != nil { x |= 0x20 }
        if keyIndex != nil { x |= 0x10 }
        try w.writeU8(x)
        if let id = pictureID {
            if pictureIDIs15Bit {
                try w.writeU8(0x80 | UInt8(truncatingIfNeeded: id >> 8) & 0x7F)
                try w.writeU8(UInt8(truncatingIfNeeded: id))
            } else {
                try w.writeU8(UInt8(truncatingIfNeeded: id) & 0x7F)
            }
        }
        if let t = tl0PicIdx { try w.writeU8(t) }
        if temporalLayer != nil || keyIndex != nil {
            let tid = (temporalLayer ?? 0) & 0x03
            try w.writeU8(tid << 6 | (layerSync ? 0x20 : 0) | ((keyIndex ?? 0) & 0x1F))
        }
    }

    /// Rewrites the picture ID and/or TL0PICIDX of the descriptor at the start of `payload`
    /// in place (the egress copy), keeping the field widths: a 7-bit picture ID field keeps
    /// the low 7 bits of `pictureID`. Fields the packet does not carry are left alone.
    ///
    /// - Returns: the descriptor as parsed before rewriting.
    /// See also ``rewriteFields(in:pictureID:tl0PicIdx:)`` for a payload whose descriptor was
    /// already parsed (a copy of the same bytes).
    @discardableResult
    public static func rewrite(
        _ payload: UnsafeMutableRawBufferPointer, pictureID: UInt16?, tl0PicIdx: UInt8?
    ) throws(ParseError) -> VP8PayloadDescriptor {
        let d = try parse(UnsafeRawBufferPointer(payload))
        if let id = pictureID, let o = d.pictureIDOffset {
            if d.pictureIDIs15Bit {
                // parse() read two bytes at o, so o + 1 is inside payload.
                payload[o] = 0x80 | UInt8(truncatingIfNeeded: id >> 8) & 0x7F
                payload[o &+ 1] = UInt8(truncatingIfNeeded: id)
            } else {
                payload[o] = UInt8(truncatingIfNeeded: id) & 0x7F
            }
        }
        if let t = tl0PicIdx, let o = d.tl0PicIdxOffset {
            payload[o] = t
        }
        return d
    }

    /// Writes `pictureID` and `tl0PicIdx` into `payload` at this descriptor's field offsets —
    /// for a copy of the payload this descriptor was parsed from (no second parse). Returns
    /// false, writing nothing, when `payload` is too short for the fields.
    @inlinable
    public func rewriteFields(in payload: UnsafeMutableRawBufferPointer, pictureID: UInt16?, tl0PicIdx: UInt8?) -> Bool {
        if let o = pictureIDOffset, pictureID != nil, o &+ (pictureIDIs15Bit ? 2 : 1) > payload.count { return false }
        if let o = tl0PicIdxOffset, tl0PicIdx != nil, o >= payload.count { return false }
        if let id = pictureID, let o = pictureIDOffset {
            if pictureIDIs15Bit {
                payload[o] = 0x80 | UInt8(truncatingIfNeeded: id >> 8) & 0x7F
                payload[o &+ 1] = UInt8(truncatingIfNeeded: id)
            } else {
                payload[o] = UInt8(truncatingIfNeeded: id) & 0x7F
            }
        }
        if let t = tl0PicIdx, let o = tl0PicIdxOffset { payload[o] = t }
        return true
    }
}
