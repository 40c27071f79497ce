/// One frame dependency template of a ``FrameDependencyStructure`` (AV1 RTP specification
/// A.8.1): what many frames have in common — their spatial and temporal ID, decode target
/// indications, frame diffs and chain diffs. A packet names it by `frame_dependency_template_id`.
public struct FrameDependencyTemplate: Sendable, Equatable {
    public var spatialID: UInt8
    public var temporalID: UInt8
    /// One per decode target of the structure.
    public var decodeTargetIndications: DecodeTargetIndications
    /// Template frame diffs are 1...16 on the wire.
    public var frameDiffs: DependencyFrameDiffs
    /// One per chain of the structure; template chain diffs are 0...15 on the wire.
    public var chainDiffs: DependencyChainDiffs

    @inlinable
    public init(spatialID: UInt8 = 0, temporalID: UInt8 = 0,
                decodeTargetIndications: DecodeTargetIndications = DecodeTargetIndications(),
                frameDiffs: DependencyFrameDiffs = DependencyFrameDiffs(),
                chainDiffs: DependencyChainDiffs = DependencyChainDiffs()) {
        self.spatialID = spatialID
        self.temporalID = temporalID
        self.decodeTargetIndications = decodeTargetIndications
        self.frameDiffs = frameDiffs
        self.chainDiffs = chainDiffs
    }

    /// A template written as in the specification's tables: `dtis` in symbols (`"SSS"`),
    /// fdiffs and chain diffs as lists. nil when a list exceeds what the wire can carry.
    public init?(spatialID: Int, temporalID: Int, dtis: String, fdiffs: [Int] = [], chains: [Int] = []) {
        guard (0..<FrameDependencyStructure.maxSpatialLayers).contains(spatialID),
              (0..<FrameDependencyStructure.maxTemporalLayers).contains(temporalID),
              let d = DecodeTargetIndications(dtis), let f = DependencyFrameDiffs(fdiffs),
              f.allSatisfy({ $0 <= 16 }), let c = DependencyChainDiffs(chains), chains.allSatisfy({ $0 <= 15 })
        else { return nil }
        self.init(spatialID: UInt8(spatialID), temporalID: UInt8(temporalID),
                  decodeTargetIndications: d, frameDiffs: f, chainDiffs: c)
    }
}
