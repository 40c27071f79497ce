/// The receive side of the dependency descriptor for one RTP stream: keeps the latest template
/// dependency structure and active decode targets, and resolves each packet's frame (AV1 RTP
/// specification A.4, A.8).
///
/// ```
///  packet ──▶ read(extension data) ──▶ descriptor (mandatory + custom fields)
///                   │                   frame: spatial/temporal ID, DTI per decode target,
///                   │                          frame diffs, chain diffs (nil: unresolvable)
///                   └─ a structure in the packet replaces the stored one
/// ```
/// One per publisher stream (SSRC), fed in arrival order. Reading a packet never allocates:
/// the structure is stored inline (see ``FrameDependencyStructure`` for the limits). The spec
/// makes an update of the active decode targets valid "until the next update in RTP sequence
/// number order"; a reordered older update is taken as it comes.
public struct DependencyDescriptorReader: Sendable {
    /// The structure in force; empty (no template, ``hasStructure`` false) until the first one arrives.
    public private(set) var structure = FrameDependencyStructure()
    /// Incremented each time a packet carries a structure that differs from the stored one:
    /// whoever caches values derived from it (a chosen decode target) recomputes them.
    public private(set) var structureGeneration: UInt32 = 0
    /// The decode targets the sender says are available (bit i: decode target i); all of the
    /// structure's after a new structure, then the last bitmask received.
    public private(set) var activeDecodeTargets: UInt32 = 0
    /// Packets whose frame could not be resolved (no structure or a template outside it).
    public private(set) var unresolvedPackets: UInt64 = 0

    public init() {}

    /// A structure has been received.
    @inlinable public var hasStructure: Bool { structure.templateCount > 0 }

    /// One packet's descriptor and its frame.
    public struct Result: Sendable {
        public var descriptor: DependencyDescriptor
        /// nil when the frame cannot be interpreted until a new structure arrives (a key frame).
        public var frame: DependencyFrameInfo?
    }

    /// Reads the dependency descriptor extension data of the next packet.
    ///
    /// - Throws: the ``ParseError`` of ``DependencyDescriptor/parse(_:structure:)``; the
    ///   stored state is then unchanged.
    public mutating func read(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> Result {
        if bytes.count > 3, bytes[3] & 0x80 != 0 { return try readWithStructure(bytes) }
        // The common packet: no structure, parsed against the stored one in place.
        let d = try DependencyDescriptor.parse(bytes, structure: &structure)
        if let mask = d.activeDecodeTargets { activeDecodeTargets = mask }
        return finish(d)
    }

    /// A packet carrying a structure (key frames): parsed into a copy, so that a structure equal
    /// to the stored one (sent again on every key frame) does not bump the generation, and a
    /// malformed one changes nothing.
    @inline(never)
    private mutating func readWithStructure(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> Result {
        let had = hasStructure
        var s = structure
        let d = try DependencyDescriptor.parse(bytes, structure: &s)
        if !had || s != structure {
            structure = s
            structureGeneration &+= 1
        }
        if let mask = d.activeDecodeTargets {
            activeDecodeTargets = mask
        } else {
            // A.8.2: a new structure makes every decode target active.
            let n = structure.decodeTargetCount
            activeDecodeTargets = n >= 32 ? UInt32.max : (UInt32(1) << UInt32(n)) &- 1
        }
        return finish(d)
    }

    private mutating func finish(_ d: DependencyDescriptor) -> Result {
        let frame = structure.frameInfoInPlace(for: d)
        if frame == nil { unresolvedPackets &+= 1 }
        return Result(descriptor: d, frame: frame)
    }
}
