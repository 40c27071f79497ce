/// The VP9 payload descriptor (RFC 9628 §4.2), in flexible (F = 1) and non-flexible mode.
///
/// ```
/// flexible mode (F = 1)                  non-flexible mode (F = 0)
///       0 1 2 3 4 5 6 7                        0 1 2 3 4 5 6 7
///      +-+-+-+-+-+-+-+-+                      +-+-+-+-+-+-+-+-+
///      |I|P|L|F|B|E|V|Z| (REQUIRED)           |I|P|L|F|B|E|V|Z| (REQUIRED)
///      +-+-+-+-+-+-+-+-+                      +-+-+-+-+-+-+-+-+
/// I:   |M| PICTURE ID  | (REQUIRED)      I:   |M| PICTURE ID  | (RECOMMENDED)
///      +-+-+-+-+-+-+-+-+                      +-+-+-+-+-+-+-+-+
/// M:   | EXTENDED PID  | (RECOMMENDED)   M:   | EXTENDED PID  | (RECOMMENDED)
///      +-+-+-+-+-+-+-+-+                      +-+-+-+-+-+-+-+-+
/// L:   | TID |U| SID |D| (CONDITIONALLY  L:   | TID |U| SID |D| (CONDITIONALLY RECOMMENDED)
///      +-+-+-+-+-+-+-+-+   RECOMMENDED)       +-+-+-+-+-+-+-+-+
///      |   P_DIFF    |N| (CONDITIONALLY       |   TL0PICIDX   | (CONDITIONALLY REQUIRED)
///      +-+-+-+-+-+-+-+-+  REQUIRED) - up to   +-+-+-+-+-+-+-+-+
///  (P = 1)                3 times        V:   | SS            |
///      +-+-+-+-+-+-+-+-+                      | ..            |
/// V:   | SS            |                      +-+-+-+-+-+-+-+-+
///      | ..            |
///      +-+-+-+-+-+-+-+-+
/// ```
/// I: picture ID present; P: inter-picture predicted; L: layer indices present; F: flexible
/// mode; B: start of a layer frame; E: end of a layer frame; V: scalability structure present;
/// Z: not used for inter-layer prediction by upper spatial layers.
public struct VP9PayloadDescriptor: Hashable, Sendable {
    public var interPicturePredicted: Bool = false
    public var flexibleMode: Bool = false
    public var beginningOfFrame: Bool = false
    public var endOfFrame: Bool = false
    public var notUpperLayerReference: Bool = false
    /// Picture ID (7 or 15 bits), when I is set.
    public var pictureID: UInt16?
    /// M: the picture ID uses 15 bits.
    public var pictureIDIs15Bit: Bool = false
    /// L: layer indices present (TID/U/SID/D below are meaningful).
    public var hasLayerIndices: Bool = false
    public var temporalID: UInt8 = 0
    public var switchingUpPoint: Bool = false
    public var spatialID: UInt8 = 0
    public var interLayerDependency: Bool = false
    /// TL0PICIDX (non-flexible mode with L).
    public var tl0PicIdx: UInt8?
    /// Reference picture ID differences (flexible mode with P).
    public var referenceDiffs = VP9ReferenceDiffs()
    /// Scalability structure, when V is set.
    public var scalabilityStructure: VP9ScalabilityStructure?
    /// Length of the descriptor; the VP9 frame data starts at this offset.
    public var length: Int = 1
    /// Offset of the picture ID within the payload, when present.
    public var pictureIDOffset: Int?
    /// Offset of TL0PICIDX within the payload, when present.
    public var tl0PicIdxOffset: Int?

    public init() {}

    /// The first packet of a key picture: not inter-predicted, start of a layer frame, on
    /// the base spatial layer.
    @inlinable
    public var isKeyframe: Bool { !interPicturePredicted && beginningOfFrame && spatialID == 0 }

    /// Parses the descriptor at the start of `payload`.
    ///
    /// - Throws: `.vp9` `.truncated` when a signalled field is missing; `.invalidValue` when
    ///   a fourth P_DIFF is announced (N set on the third) or a flexible-mode P_DIFF is 0.
    public static func parse(_ payload: UnsafeRawBufferPointer) throws(ParseError) -> VP9PayloadDescriptor {
        var r = ByteReader(payload, format: .vp9)
        var d = VP9PayloadDescriptor()
        let b0 = try r.readU8()
        d.interPicturePredicted = b0 & 0x40 != 0
        d.hasLayerIndices = b0 & 0x20 != 0
        d.flexibleMode = b0 & 0x10 != 0
        d.beginningOfFrame = b0 & 0x08 != 0
        d.endOfFrame = b0 & 0x04 != 0
        d.notUpperLayerReference = b0 & 0x01 != 0
        if b0 & 0x80 != 0 {
            d.pictureIDOffset = r.position
            let p0 = try r.readU8()
            if p0 & 0x80 != 0 {
                d.pictureIDIs15Bit = true
                d.pictureID = UInt16(p0 & 0x7F) << 8 | UInt16(try r.readU8())
            } else {
                d.pictureID = UInt16(p0)
            }
        }
        if d.hasLayerIndices {
            let l = try r.readU8()
            d.temporalID = l >> 5
            d.switchingUpPoint = l & 0x10 != 0
            d.spatialID = l >> 1 & 0x07
            d.interLayerDependency = l & 0x01 != 0
            if !d.flexibleMode {
                d.tl0PicIdxOffset = r.position
                d.tl0PicIdx = try r.readU8()
            }
        }
        if d.flexibleMode && d.interPicturePredicted {
            while true {
                let pd = try r.readU8()
                guard d.referenceDiffs.count < VP9ReferenceDiffs.capacity else {
                    throw ParseError(.vp9, .invalidValue, at: r.position &- 1, "more than three P_DIFF")
                }
                guard pd >> 1 != 0 else {
                    throw ParseError(.vp9, .invalidValue, at: r.position &- 1, "zero P_DIFF")
                }
                d.referenceDiffs.append(pd >> 1)
                if pd & 0x01 == 0 { break }
            }
        }
        if b0 & 0x02 != 0 {
            d.scalabilityStructure = try VP9ScalabilityStructure.parse(&r)
        }
        d.length = r.position
        return d
    }

    /// Writes the descriptor (`groups` are the picture groups of the SS, if any).
    public func write(groups: [VP9PictureGroup] = [], to w: inout ByteWriter) throws(WriteError) {
        var b0: UInt8 = 0
        if pictureID != nil { b0 |= 0x80 }
        if interPicturePredicted { b0 |= 0x40 }
        if hasLayerIndices { b0 |= 0x20 }
        if flexibleMode { b0 |= 0x10 }
        if beginningOfFrame { b0 |= 0x08 }
        if endOfFrame { b0 |= 0x04 }
        if scalabilityStructure != nil { b0 |= 0x02 }
        if notUpperLayerReference { b0 |= 0x01 }
        try w.writeU8(b0)
        if let id = pictureID {
            if pictureIDIs15Bit {
                try w.writeU8(0x80 | UInt8(truncatingIfNeeded: id >> 8) & 0x7F)
                try w.writeU8(UInt8(truncatingIfNeeded: id))
            } else {
                try w.writeU8(UInt8(truncatingIfNeeded: id) & 0x7F)
            }
        }
        if hasLayerIndices {
            try w.writeU8((temporalID & 0x07) << 5 | (switchingUpPoint ? 0x10 : 0)
                | (spatialID & 0x07) << 1 | (interLayerDependency ? 0x01 : 0))
            if !flexibleMode { try w.writeU8(tl0PicIdx ?? 0) }
        }
        if flexibleMode && interPicturePredicted {
            guard !referenceDiffs.isEmpty else { throw WriteError(.vp9, .valueOutOfRange) }
            for (i, diff) in referenceDiffs.enumerated() {
                guard diff >= 1, diff <= 127 else { throw WriteError(.vp9, .valueOutOfRange) }
                try w.writeU8(diff << 1 | (i == referenceDiffs.count - 1 ? 0 : 1))
            }
        }
        if let ss = scalabilityStructure { try ss.write(groups: groups, to: &w) }
    }

    /// Rewrites the picture ID and/or TL0PICIDX in place in the egress copy, keeping field
    /// widths (a 7-bit field keeps the low 7 bits). Returns the descriptor as parsed before.
    @discardableResult
    public static func rewrite(
        _ payload: UnsafeMutableRawBufferPointer, pictureID: UInt16?, tl0PicIdx: UInt8?
    ) throws(ParseError) -> VP9PayloadDescriptor {
        let d = try parse(UnsafeRawBufferPointer(payload))
        if let id = pictureID, let o = d.pictureIDOffset {
            if d.pictureIDIs15Bit {
                // parse() read two bytes at o.
                payload[o] = 0x80 | UInt8(truncatingIfNeeded: id >> 8) & 0x7F
                payload[o &+ 1] = UInt8(truncatingIfNeeded: id)
            } else {
                payload[o] = UInt8(truncatingIfNeeded: id) & 0x7F
            }
        }
        if let t = tl0PicIdx, let o = d.tl0PicIdxOffset { payload[o] = t }
        return d
    }
}
