/// The Dependency Descriptor RTP header extension of one packet (AV1 RTP specification
/// Appendix A.8), as it is on the wire: the mandatory fields, and what the extended fields
/// carried. Resolve it against the template dependency structure in force with
/// ``FrameDependencyStructure/frameInfo(for:)`` — or let ``DependencyDescriptorReader`` keep
/// the structure and do both.
///
/// ```
///   0                   1                   2
///   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  |S|E| template id |         frame_number          |   mandatory (3 bytes)
///  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  |T|A|D|F|C| template_dependency_structure (T) ... |   extended, when longer than 3 bytes
///  | active_decode_targets_bitmask f(DtCnt) (A)      |
///  | frame_dtis f(2) × DtCnt (D)                     |
///  | frame_fdiffs { next_fdiff_size f(2), fdiff_minus_one f(4 × size) }* 00 (F)
///  | frame_chain_fdiff f(8) × chain_cnt (C)          |
///  | zero padding to the byte                        |
/// ```
/// S: start of frame, E: end of frame. Stored inline (no heap).
public struct DependencyDescriptor: Sendable, Equatable {
    public var startOfFrame: Bool
    public var endOfFrame: Bool
    /// `frame_dependency_template_id` (6 bits).
    public var templateID: UInt8
    public var frameNumber: UInt16
    /// The packet carried a template dependency structure (a key frame's first packet).
    public var hasStructure = false
    /// `active_decode_targets_bitmask` when the packet carried one (bit i: decode target i).
    /// A structure without one implies all of its decode targets (see
    /// ``DependencyDescriptorReader/activeDecodeTargets``).
    public var activeDecodeTargets: UInt32?
    /// `frame_dtis`, when the packet overrides its template's.
    public var customDecodeTargetIndications: DecodeTargetIndications?
    /// `frame_fdiffs`, when the packet overrides its template's.
    public var customFrameDiffs: DependencyFrameDiffs?
    /// `frame_chain_fdiff`, when the packet overrides its template's.
    public var customChainDiffs: DependencyChainDiffs?

    @inlinable
    public init(startOfFrame: Bool, endOfFrame: Bool, templateID: UInt8, frameNumber: UInt16) {
        self.startOfFrame = startOfFrame
        self.endOfFrame = endOfFrame
        self.templateID = templateID & 0x3F
        self.frameNumber = frameNumber
    }

    /// The packet has extended fields that were not read: their sizes depend on the decode
    /// target and chain counts of a structure, and none is known (the key frame that carried
    /// it was lost). Only the mandatory fields are valid.
    public var missingStructure = false

    /// Parses a descriptor (the extension element's data).
    ///
    /// - Parameters:
    ///   - bytes: the extension data (3 bytes or more).
    ///   - structure: the structure in force (empty: none yet). When the packet carries one,
    ///     it replaces `structure` — only if the whole descriptor parses.
    /// - Throws: `.av1` `.truncated` when a field runs past the end (fewer than 3 bytes
    ///   included); `.invalidValue` when the structure or the custom frame diffs exceed the
    ///   limits of ``FrameDependencyStructure``. `structure` is then unchanged.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, structure: inout FrameDependencyStructure
    ) throws(ParseError) -> DependencyDescriptor {
        var r = BitReader(bytes, format: .av1)
        guard bytes.count >= 3 else {
            throw ParseError(.av1, .truncated, at: bytes.count, "dependency descriptor shorter than 3 bytes")
        }
        let b0 = try r.readBits(8)
        var d = DependencyDescriptor(startOfFrame: b0 & 0x80 != 0, endOfFrame: b0 & 0x40 != 0,
                                     templateID: UInt8(b0 & 0x3F), frameNumber: UInt16(try r.readBits(16)))
        guard bytes.count > 3 else { return d }
        let flags = try r.readBits(5)
        if flags & 0x10 != 0 { return try parseCarryingStructure(&r, d, flags: flags, structure: &structure) }
        guard structure.templateCount > 0 else {
            d.missingStructure = true
            return d
        }
        try parseFrameFields(&r, &d, flags: flags, decodeTargets: structure.decodeTargetCount, chains: structure.chainCount)
        return d
    }

    /// A packet with a structure: the structure replaces `structure` once everything parsed.
    @inline(never)
    static func parseCarryingStructure(
        _ r: inout BitReader, _ descriptor: DependencyDescriptor, flags: UInt32, structure: inout FrameDependencyStructure
    ) throws(ParseError) -> DependencyDescriptor {
        var d = descriptor
        let parsed = try FrameDependencyStructure.parse(&r)
        d.hasStructure = true
        try parseFrameFields(&r, &d, flags: flags, decodeTargets: parsed.decodeTargetCount, chains: parsed.chainCount)
        structure = parsed
        return d
    }

    /// The active decode targets and custom fields after the flags (and structure).
    static func parseFrameFields(
        _ r: inout BitReader, _ d: inout DependencyDescriptor, flags: UInt32, decodeTargets: Int, chains: Int
    ) throws(ParseError) {
        let counts = (dt: decodeTargets, chains: chains)
        if flags & 0x08 != 0 {
            d.activeDecodeTargets = try r.readBits(counts.dt)
        }
        if flags & 0x04 != 0 {
            var dtis = DecodeTargetIndications()
            for _ in 0..<counts.dt {
                dtis.append(DecodeTargetIndication(rawValue: UInt8(try r.readBits(2))) ?? .notPresent)
            }
            d.customDecodeTargetIndications = dtis
        }
        if flags & 0x02 != 0 {
            var diffs = DependencyFrameDiffs()
            while true {
                let size = Int(try r.readBits(2))
                if size == 0 { break }
                let diff = try r.readBits(4 &* size) &+ 1
                guard diffs.append(UInt16(truncatingIfNeeded: diff)) else {
                    throw ParseError(.av1, .invalidValue, at: r.bitPosition >> 3, "more than 16 frame diffs")
                }
            }
            d.customFrameDiffs = diffs
        }
        if flags & 0x01 != 0 {
            var chains = DependencyChainDiffs()
            for _ in 0..<counts.chains { chains.append(UInt8(try r.readBits(8))) }
            d.customChainDiffs = chains
        }
    }

    /// Writes the descriptor. `structure` is the one in force (needed for the sizes of the
    /// active decode targets and custom fields); with `attachStructure` it is written in the
    /// packet too. Without any extended field the descriptor is the 3 mandatory bytes.
    ///
    /// - Throws: `.av1` `.valueOutOfRange` when an extended field is set without a structure,
    ///   a custom list does not match the structure's counts or a value does not fit its
    ///   field; `.bufferTooSmall` when `w` has no room.
    public func write(structure: FrameDependencyStructure?, attachStructure: Bool = false,
                      to w: inout ByteWriter) throws(WriteError) {
        let extended = attachStructure || activeDecodeTargets != nil || customDecodeTargetIndications != nil
            || customFrameDiffs != nil || customChainDiffs != nil
        let out = UnsafeMutableRawBufferPointer(rebasing: w.buffer[w.position...])
        var bits = BitWriter(out, format: .av1)
        try bits.writeBit(startOfFrame)
        try bits.writeBit(endOfFrame)
        try bits.writeBits(UInt32(templateID & 0x3F), 6)
        try bits.writeBits(UInt32(frameNumber), 16)
        if extended {
            // Optional chaining reads the counts without copying the structure.
            guard (structure?.templateCount ?? 0) > 0, let dtCount = structure?.decodeTargetCount,
                  let chainCount = structure?.chainCount else { throw WriteError(.av1, .valueOutOfRange) }
            try bits.writeBit(attachStructure)
            try bits.writeBit(activeDecodeTargets != nil)
            try bits.writeBit(customDecodeTargetIndications != nil)
            try bits.writeBit(customFrameDiffs != nil)
            try bits.writeBit(customChainDiffs != nil)
            if attachStructure { try structure?.write(&bits) }
            if let mask = activeDecodeTargets {
                guard dtCount >= 32 || mask >> UInt32(dtCount) == 0 else {
                    throw WriteError(.av1, .valueOutOfRange)
                }
                try bits.writeBits(mask, dtCount)
            }
            if let dtis = customDecodeTargetIndications {
                guard dtis.count == dtCount else { throw WriteError(.av1, .valueOutOfRange) }
                for dt in 0..<dtis.count { try bits.writeBits(UInt32(dtis[dt].rawValue), 2) }
            }
            if let diffs = customFrameDiffs {
                for d in diffs {
                    guard d >= 1, d <= 4096 else { throw WriteError(.av1, .valueOutOfRange) }
                    let v = UInt32(d &- 1)
                    let size = v < 16 ? 1 : v < 256 ? 2 : 3
                    try bits.writeBits(UInt32(size), 2)
                    try bits.writeBits(v, 4 &* size)
                }
                try bits.writeBits(0, 2)
            }
            if let chains = customChainDiffs {
                guard chains.count == chainCount else { throw WriteError(.av1, .valueOutOfRange) }
                for c in 0..<chains.count { try bits.writeBits(UInt32(chains[c]), 8) }
            }
        }
        w.position &+= bits.byteCount
    }
}
