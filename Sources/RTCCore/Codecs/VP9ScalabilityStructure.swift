/// The VP9 scalability structure (SS, RFC 9628 §4.2.1), carried when V = 1, typically on key
/// frames: how many spatial layers, their resolutions, and the picture-group pattern.
///
/// ```
///       +-+-+-+-+-+-+-+-+
///  V:   | N_S |Y|G|-|-|-|        N_S + 1 spatial layers
///       +-+-+-+-+-+-+-+-+              -\
///  Y:   |     WIDTH     | (OPTIONAL)    .
///       +               +               .
///       |               | (OPTIONAL)    .
///       +-+-+-+-+-+-+-+-+               . - N_S + 1 times
///       |     HEIGHT    | (OPTIONAL)    .
///       +               +               .
///       |               | (OPTIONAL)    .
///       +-+-+-+-+-+-+-+-+              -/
///  G:   |      N_G      | (OPTIONAL)
///       +-+-+-+-+-+-+-+-+                           -\
///  N_G: |  TID  |U| R |-|-| (OPTIONAL)               .
///       +-+-+-+-+-+-+-+-+              -\            . - N_G times
///       |    P_DIFF     | (OPTIONAL)    . - R times  .
///       +-+-+-+-+-+-+-+-+              -/            -/
/// ```
/// Resolutions are kept inline (at most 8 layers); picture groups are located, not copied:
/// read them with ``pictureGroups(in:)``.
public struct VP9ScalabilityStructure: Hashable, Sendable {
    /// Number of spatial layers (N_S + 1, 1...8).
    public var spatialLayerCount: Int
    /// Y: resolutions are present.
    public var hasResolutions: Bool
    /// Packed (width << 16 | height) per layer.
    @usableFromInline var sizes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// G: picture-group description present.
    public var hasPictureGroups: Bool
    /// N_G: number of picture groups described.
    public var pictureGroupCount: Int
    /// Offset of the first picture-group entry within the payload.
    public var pictureGroupsOffset: Int
    /// Length of the whole SS in bytes.
    public var length: Int

    public init(spatialLayerCount: Int, hasResolutions: Bool, hasPictureGroups: Bool,
                pictureGroupCount: Int, pictureGroupsOffset: Int, length: Int) {
        self.spatialLayerCount = spatialLayerCount
        self.hasResolutions = hasResolutions
        self.hasPictureGroups = hasPictureGroups
        self.pictureGroupCount = pictureGroupCount
        self.pictureGroupsOffset = pictureGroupsOffset
        self.length = length
    }

    /// Width and height of spatial layer `layer` (0 when absent or out of range).
    public func resolution(layer: Int) -> (width: UInt16, height: UInt16) {
        guard layer >= 0, layer < 8 else { return (0, 0) }
        let packed = withUnsafeBytes(of: sizes) { raw in raw.load(fromByteOffset: layer * 4, as: UInt32.self) }
        return (UInt16(truncatingIfNeeded: packed >> 16), UInt16(truncatingIfNeeded: packed))
    }

    /// Sets the resolution of spatial layer `layer` (0...7).
    public mutating func setResolution(layer: Int, width: UInt16, height: UInt16) {
        guard layer >= 0, layer < 8 else { return }
        let packed = UInt32(width) << 16 | UInt32(height)
        withUnsafeMutableBytes(of: &sizes) { raw in raw.storeBytes(of: packed, toByteOffset: layer * 4, as: UInt32.self) }
    }

    /// Iterates the picture groups within `payload` (the buffer that was parsed).
    public func pictureGroups(in payload: UnsafeRawBufferPointer) -> VP9PictureGroupReader {
        VP9PictureGroupReader(payload: payload, offset: pictureGroupsOffset, count: pictureGroupCount)
    }

    /// Parses an SS at the reader's position, validating every picture-group entry.
    static func parse(_ r: inout ByteReader) throws(ParseError) -> VP9ScalabilityStructure {
        let start = r.position
        let b = try r.readU8()
        var ss = VP9ScalabilityStructure(
            spatialLayerCount: Int(b >> 5) &+ 1, hasResolutions: b & 0x10 != 0,
            hasPictureGroups: b & 0x08 != 0, pictureGroupCount: 0, pictureGroupsOffset: 0, length: 0)
        if ss.hasResolutions {
            for layer in 0..<ss.spatialLayerCount {
                let width = try r.readU16()
                let height = try r.readU16()
                ss.setResolution(layer: layer, width: width, height: height)
            }
        }
        if ss.hasPictureGroups {
            ss.pictureGroupCount = Int(try r.readU8())
            ss.pictureGroupsOffset = r.position
            for _ in 0..<ss.pictureGroupCount {
                let g = try r.readU8()
                try r.skip(Int(g >> 2 & 0x03))
            }
        } else {
            ss.pictureGroupsOffset = r.position
        }
        ss.length = r.position &- start
        return ss
    }

    /// Writes the SS; `groups` are the picture-group entries (count must be ≤ 255).
    public func write(groups: [VP9PictureGroup], to w: inout ByteWriter) throws(WriteError) {
        guard spatialLayerCount >= 1, spatialLayerCount <= 8, groups.count <= 255 else {
            throw WriteError(.vp9, .valueOutOfRange)
        }
        try w.writeU8(UInt8(spatialLayerCount - 1) << 5 | (hasResolutions ? 0x10 : 0)
            | (hasPictureGroups ? 0x08 : 0))
        if hasResolutions {
            for layer in 0..<spatialLayerCount {
                let s = resolution(layer: layer)
                try w.writeU16(s.width)
                try w.writeU16(s.height)
            }
        }
        if hasPictureGroups {
            try w.writeU8(UInt8(groups.count))
            for g in groups {
                try w.writeU8((g.temporalID & 0x07) << 5 | (g.switchingUpPoint ? 0x10 : 0)
                    | UInt8(g.referenceDiffs.count) << 2)
                for d in g.referenceDiffs { try w.writeU8(d) }
            }
        }
    }

    public static func == (a: VP9ScalabilityStructure, b: VP9ScalabilityStructure) -> Bool {
        a.spatialLayerCount == b.spatialLayerCount && a.hasResolutions == b.hasResolutions
            && a.hasPictureGroups == b.hasPictureGroups && a.pictureGroupCount == b.pictureGroupCount
            && a.pictureGroupsOffset == b.pictureGroupsOffset && a.length == b.length
            && (0..<8).allSatisfy { a.resolution(layer: $0) == b.resolution(layer: $0) }
    }

    public func hash(into h: inout Hasher) {
        h.combine(spatialLayerCount)
        h.combine(pictureGroupCount)
        h.combine(length)
    }
}
