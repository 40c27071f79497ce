/// The template dependency structure of the dependency descriptor (AV1 RTP specification
/// A.8.2 `template_dependency_structure()`), sent on the first packet of a coded video
/// sequence (a key frame) and used by every later packet until the next one.
///
/// ```
///  template_id_offset f(6) | dt_cnt_minus_one f(5)
///  template_layers:   next_layer_idc f(2) per template (0 same S/T, 1 T+1, 2 S+1 T=0, 3 end)
///  template_dtis:     f(2) per template per decode target
///  template_fdiffs:   per template: { fdiff_follows_flag f(1), fdiff_minus_one f(4) }* 0
///  template_chains:   chain_cnt ns(DtCnt+1); if > 0: decode_target_protected_by ns(chain_cnt)
///                     per decode target, template_chain_fdiff f(4) per template per chain
///  resolutions_present_flag f(1); if 1: per spatial layer width-1 f(16), height-1 f(16)
/// ```
/// Stored inline, with fixed capacities (no heap; parsing a packet never allocates): at most
/// 64 templates (the 6-bit template ID), 32 decode targets and 32 chains (the wire limits),
/// 4 spatial and 8 temporal layers (as libwebrtc), and 16 frame diffs per template. A
/// structure beyond these limits is refused as `.invalidValue`. About 6 KB: keep one per
/// receive stream (``DependencyDescriptorReader``), do not pass it around by value per packet.
public struct FrameDependencyStructure: Sendable, Equatable {
    public static let maxTemplates = 64
    public static let maxDecodeTargets = 32
    public static let maxChains = 32
    public static let maxSpatialLayers = 4
    public static let maxTemporalLayers = 8

    /// The `frame_dependency_template_id` of template 0.
    public var templateIDOffset: UInt8 = 0
    public private(set) var decodeTargetCount: Int = 0
    public private(set) var chainCount: Int = 0
    public private(set) var templateCount: Int = 0
    @usableFromInline var templates = FrameDependencyTemplates()
    /// Per decode target, the chain that protects it.
    @usableFromInline var protectedBy = InlineBytes32()
    /// Per decode target, its spatial and temporal ID (derived: the highest of the templates
    /// present in it, A.8.2 `decode_target_layers()`).
    @usableFromInline var targetSpatialIDs = InlineBytes32()
    @usableFromInline var targetTemporalIDs = InlineBytes32()
    /// Per decode target, the templates present in it (bit i: template i's DTI is not
    /// "not present"), derived; two words of 16 targets each.
    @usableFromInline var presenceLow = InlineBytes32.Words16()
    @usableFromInline var presenceHigh = InlineBytes32.Words16()
    /// Per spatial layer, the maximum render resolution (width << 16 | height), when present.
    @usableFromInline var renderSizes = InlineBytes32()
    public private(set) var hasResolutions = false
    public private(set) var maxSpatialID: Int = 0
    public private(set) var maxTemporalID: Int = 0

    /// An empty structure (no template), what a reader holds before the first one is parsed.
    public init() {}

    /// A structure from its parts (tests and senders).
    ///
    /// - Parameters:
    ///   - templates: in wire order: the first is spatial 0 temporal 0, and each next one has
    ///     the same layers, the next temporal layer, or the next spatial layer at temporal 0.
    ///   - protectedBy: per decode target, its chain (empty when `chainCount` is 0).
    ///   - resolutions: per spatial layer (0...maxSpatialID), or empty.
    /// - Returns: nil when a limit is exceeded or the parts do not fit together.
    public init?(templateIDOffset: Int = 0, decodeTargetCount: Int, chainCount: Int = 0,
                 protectedBy: [Int] = [], templates: [FrameDependencyTemplate],
                 resolutions: [VideoResolution] = []) {
        guard (0..<64).contains(templateIDOffset), (1...32).contains(decodeTargetCount),
              (0...decodeTargetCount).contains(chainCount), !templates.isEmpty, templates.count <= 64,
              protectedBy.count == (chainCount == 0 ? 0 : decodeTargetCount),
              protectedBy.allSatisfy({ $0 >= 0 && $0 < chainCount }) else { return nil }
        self.templateIDOffset = UInt8(templateIDOffset)
        self.decodeTargetCount = decodeTargetCount
        self.chainCount = chainCount
        self.templateCount = templates.count
        var previous: FrameDependencyTemplate?
        for (i, t) in templates.enumerated() {
            guard t.decodeTargetIndications.count == decodeTargetCount, t.chainDiffs.count == chainCount,
                  Int(t.spatialID) < Self.maxSpatialLayers, Int(t.temporalID) < Self.maxTemporalLayers,
                  t.frameDiffs.allSatisfy({ $0 >= 1 && $0 <= 16 }),
                  (0..<chainCount).allSatisfy({ t.chainDiffs[$0] <= 15 }),
                  Self.nextLayerIDC(previous, t) != nil else { return nil }
            self.templates[i] = t
            previous = t
        }
        for (dt, chain) in protectedBy.enumerated() { self.protectedBy[byte: dt] = UInt8(chain) }
        deriveLayers()
        if !resolutions.isEmpty {
            guard resolutions.count == maxSpatialID + 1,
                  resolutions.allSatisfy({ (1...65536).contains($0.width) && (1...65536).contains($0.height) })
            else { return nil }
            hasResolutions = true
            for (s, r) in resolutions.enumerated() {
                renderSizes[uint16: s &* 2] = UInt16(r.width - 1)
                renderSizes[uint16: s &* 2 &+ 1] = UInt16(r.height - 1)
            }
        }
    }

    /// The `next_layer_idc` that leads from `previous` to `next` (for the first template,
    /// `previous` is nil and `next` must be S0T0); nil when no code does.
    static func nextLayerIDC(_ previous: FrameDependencyTemplate?, _ next: FrameDependencyTemplate) -> UInt32? {
        guard let p = previous else { return next.spatialID == 0 && next.temporalID == 0 ? 0 : nil }
        if next.spatialID == p.spatialID && next.temporalID == p.temporalID { return 0 }
        if next.spatialID == p.spatialID && next.temporalID == p.temporalID &+ 1 { return 1 }
        if next.spatialID == p.spatialID &+ 1 && next.temporalID == 0 { return 2 }
        return nil
    }

    /// Template `index` (0 ..< templateCount), or nil.
    @inlinable
    public func template(at index: Int) -> FrameDependencyTemplate? {
        guard index >= 0, index < templateCount else { return nil }
        return templates[index]
    }

    /// The template index a `frame_dependency_template_id` names, or nil when it is outside
    /// this structure's range (the packet belongs to another structure, e.g. one that was lost).
    @inlinable
    public func templateIndex(forTemplateID id: UInt8) -> Int? {
        let index = (Int(id & 0x3F) &+ 64 &- Int(templateIDOffset)) % 64
        return index < templateCount ? index : nil
    }

    /// The chain protecting decode target `dt` (nil without chains or out of range).
    @inlinable
    public func chain(protecting dt: Int) -> Int? {
        guard chainCount > 0, dt >= 0, dt < decodeTargetCount else { return nil }
        return Int(protectedBy[byte: dt])
    }

    /// The spatial and temporal ID of decode target `dt` (nil out of range).
    @inlinable
    public func layers(ofDecodeTarget dt: Int) -> (spatial: Int, temporal: Int)? {
        guard dt >= 0, dt < decodeTargetCount else { return nil }
        return (Int(targetSpatialIDs[byte: dt]), Int(targetTemporalIDs[byte: dt]))
    }

    /// The maximum render resolution of spatial layer `spatialID`, when the structure has them.
    @inlinable
    public func resolution(spatialID: Int) -> VideoResolution? {
        guard hasResolutions, spatialID >= 0, spatialID <= maxSpatialID, spatialID < 4 else { return nil }
        return VideoResolution(width: Int(renderSizes[uint16: spatialID &* 2]) &+ 1,
                               height: Int(renderSizes[uint16: spatialID &* 2 &+ 1]) &+ 1)
    }

    /// The templates present in decode target `dt` (bit i: template i's DTI for it is not
    /// "not present"); 0 out of range. Target A's frames are all in target B when
    /// `present(A) & ~present(B) == 0`.
    @inlinable
    public func templatesPresent(inDecodeTarget dt: Int) -> UInt64 {
        guard dt >= 0, dt < decodeTargetCount else { return 0 }
        return dt < 16 ? presenceLow[dt] : presenceHigh[dt &- 16]
    }

    /// A.8.2 `decode_target_layers()`, the maximum layer IDs and the presence masks.
    mutating func deriveLayers() {
        maxSpatialID = 0
        maxTemporalID = 0
        var masks = (InlineBytes32.Words16(), InlineBytes32.Words16())
        var s = InlineBytes32()
        var t = InlineBytes32()
        for i in 0..<templateCount {
            let tmpl = templates.read(i)
            maxSpatialID = max(maxSpatialID, Int(tmpl.spatialID))
            maxTemporalID = max(maxTemporalID, Int(tmpl.temporalID))
            for dt in 0..<decodeTargetCount where tmpl.decodeTargetIndications[dt].isPresent {
                s[byte: dt] = max(s[byte: dt], tmpl.spatialID)
                t[byte: dt] = max(t[byte: dt], tmpl.temporalID)
                if dt < 16 { masks.0[dt] |= 1 << UInt64(i) } else { masks.1[dt &- 16] |= 1 << UInt64(i) }
            }
        }
        targetSpatialIDs = s
        targetTemporalIDs = t
        presenceLow = masks.0
        presenceHigh = masks.1
    }

    /// Parses `template_dependency_structure()` at the reader's position.
    static func parse(_ r: inout BitReader) throws(ParseError) -> FrameDependencyStructure {
        var s = FrameDependencyStructure()
        s.templateIDOffset = UInt8(try r.readBits(6))
        s.decodeTargetCount = Int(try r.readBits(5)) &+ 1
        // template_layers()
        var spatial: UInt8 = 0
        var temporal: UInt8 = 0
        while true {
            guard s.templateCount < maxTemplates else {
                throw ParseError(.av1, .invalidValue, at: r.bitPosition >> 3, "more than 64 templates")
            }
            s.templates[s.templateCount] = FrameDependencyTemplate(spatialID: spatial, temporalID: temporal)
            s.templateCount &+= 1
            let idc = try r.readBits(2)
            if idc == 3 { break }
            if idc == 1 {
                temporal &+= 1
                guard temporal < maxTemporalLayers else {
                    throw ParseError(.av1, .invalidValue, at: r.bitPosition >> 3, "more than 8 temporal layers")
                }
            } else if idc == 2 {
                temporal = 0
                spatial &+= 1
                guard spatial < maxSpatialLayers else {
                    throw ParseError(.av1, .invalidValue, at: r.bitPosition >> 3, "more than 4 spatial layers")
                }
            }
        }
        // template_dtis()
        for i in 0..<s.templateCount {
            for _ in 0..<s.decodeTargetCount {
                let v = try r.readBits(2)
                s.templates[i].decodeTargetIndications.append(DecodeTargetIndication(rawValue: UInt8(v)) ?? .notPresent)
            }
        }
        // template_fdiffs()
        for i in 0..<s.templateCount {
            while try r.readBit() {
                let fdiff = UInt16(try r.readBits(4)) &+ 1
                guard s.templates[i].frameDiffs.append(fdiff) else {
                    throw ParseError(.av1, .invalidValue, at: r.bitPosition >> 3, "more than 16 frame diffs in a template")
                }
            }
        }
        // template_chains()
        s.chainCount = Int(try r.readNonSymmetric(UInt32(s.decodeTargetCount) &+ 1))
        if s.chainCount > 0 {
            for dt in 0..<s.decodeTargetCount {
                s.protectedBy[byte: dt] = UInt8(try r.readNonSymmetric(UInt32(s.chainCount)))
            }
            for i in 0..<s.templateCount {
                for _ in 0..<s.chainCount {
                    s.templates[i].chainDiffs.append(UInt8(try r.readBits(4)))
                }
            }
        }
        s.deriveLayers()
        if try r.readBit() {
            s.hasResolutions = true
            for layer in 0...s.maxSpatialID {
                let w = try r.readBits(16)
                let h = try r.readBits(16)
                s.renderSizes[uint16: layer &* 2] = UInt16(w)
                s.renderSizes[uint16: layer &* 2 &+ 1] = UInt16(h)
            }
        }
        return s
    }

    /// Writes `template_dependency_structure()`.
    func write(_ w: inout BitWriter) throws(WriteError) {
        guard templateCount >= 1, decodeTargetCount >= 1 else { throw WriteError(.av1, .valueOutOfRange) }
        var templates = self.templates  // one copy, then read in place
        try w.writeBits(UInt32(templateIDOffset & 0x3F), 6)
        try w.writeBits(UInt32(decodeTargetCount &- 1), 5)
        for i in 0..<templateCount {
            if i > 0 {
                guard let idc = Self.nextLayerIDC(templates.read(i &- 1), templates.read(i)) else {
                    throw WriteError(.av1, .valueOutOfRange)
                }
                try w.writeBits(idc, 2)
            }
        }
        try w.writeBits(3, 2)
        for i in 0..<templateCount {
            for dt in 0..<decodeTargetCount {
                try w.writeBits(UInt32(templates.read(i).decodeTargetIndications[dt].rawValue), 2)
            }
        }
        for i in 0..<templateCount {
            for d in templates.read(i).frameDiffs {
                guard d >= 1, d <= 16 else { throw WriteError(.av1, .valueOutOfRange) }
                try w.writeBit(true)
                try w.writeBits(UInt32(d &- 1), 4)
            }
            try w.writeBit(false)
        }
        try w.writeNonSymmetric(UInt32(chainCount), UInt32(decodeTargetCount) &+ 1)
        if chainCount > 0 {
            for dt in 0..<decodeTargetCount {
                try w.writeNonSymmetric(UInt32(protectedBy[byte: dt]), UInt32(chainCount))
            }
            for i in 0..<templateCount {
                for c in 0..<chainCount {
                    let d = templates.read(i).chainDiffs[c]
                    guard d <= 15 else { throw WriteError(.av1, .valueOutOfRange) }
                    try w.writeBits(UInt32(d), 4)
                }
            }
        }
        try w.writeBit(hasResolutions)
        if hasResolutions {
            for layer in 0...maxSpatialID {
                try w.writeBits(UInt32(renderSizes[uint16: layer &* 2]), 16)
                try w.writeBits(UInt32(renderSizes[uint16: layer &* 2 &+ 1]), 16)
            }
        }
    }

    public static func == (a: FrameDependencyStructure, b: FrameDependencyStructure) -> Bool {
        guard a.templateIDOffset == b.templateIDOffset, a.decodeTargetCount == b.decodeTargetCount,
              a.chainCount == b.chainCount, a.templateCount == b.templateCount,
              a.hasResolutions == b.hasResolutions, a.maxSpatialID == b.maxSpatialID else { return false }
        var ta = a.templates
        var tb = b.templates
        for i in 0..<a.templateCount where ta.read(i) != tb.read(i) { return false }
        for dt in 0..<a.decodeTargetCount where a.chain(protecting: dt) != b.chain(protecting: dt) { return false }
        for s in 0...a.maxSpatialID where a.resolution(spatialID: s) != b.resolution(spatialID: s) { return false }
        return true
    }
}
