/// What a dependency descriptor says about its frame once resolved against the structure in
/// force (AV1 RTP specification A.8.2 `frame_dependency_definition()`): the template's values,
/// overridden by the packet's custom ones. Inline, no heap.
public struct DependencyFrameInfo: Sendable, Equatable {
    /// Index of the template in the structure.
    public var templateIndex: Int
    public var spatialID: Int
    public var temporalID: Int
    /// One per decode target.
    public var decodeTargetIndications: DecodeTargetIndications
    /// The frames this one refers to, as differences of `frame_number`.
    public var frameDiffs: DependencyFrameDiffs
    /// Per chain, the difference to the previous frame in the chain.
    public var chainDiffs: DependencyChainDiffs
    /// The maximum render resolution of the frame's spatial layer, when the structure has them.
    public var resolution: VideoResolution?

    public init(templateIndex: Int, spatialID: Int, temporalID: Int,
                decodeTargetIndications: DecodeTargetIndications, frameDiffs: DependencyFrameDiffs,
                chainDiffs: DependencyChainDiffs, resolution: VideoResolution? = nil) {
        self.templateIndex = templateIndex
        self.spatialID = spatialID
        self.temporalID = temporalID
        self.decodeTargetIndications = decodeTargetIndications
        self.frameDiffs = frameDiffs
        self.chainDiffs = chainDiffs
        self.resolution = resolution
    }
}

extension FrameDependencyStructure {
    /// The frame `descriptor` describes, or nil when its template is not in this structure (it
    /// belongs to another one, e.g. the packet that carried a new structure was lost) or its
    /// extended fields could not be read.
    @inlinable
    public func frameInfo(for descriptor: DependencyDescriptor) -> DependencyFrameInfo? {
        guard !descriptor.missingStructure, let index = templateIndex(forTemplateID: descriptor.templateID) else {
            return nil
        }
        // templateIndex(forTemplateID:) returned an index below templateCount (≤ 64).
        return frameInfo(descriptor, index: index, template: templates[index])
    }

    /// As ``frameInfo(for:)``, reading the template in place (the per-packet path of
    /// ``DependencyDescriptorReader``, which holds the structure mutably).
    @inlinable
    mutating func frameInfoInPlace(for descriptor: DependencyDescriptor) -> DependencyFrameInfo? {
        guard !descriptor.missingStructure, let index = templateIndex(forTemplateID: descriptor.templateID) else {
            return nil
        }
        return frameInfo(descriptor, index: index, template: templates.read(index))
    }

    @inlinable
    func frameInfo(_ descriptor: DependencyDescriptor, index: Int, template t: FrameDependencyTemplate) -> DependencyFrameInfo {
        var info = DependencyFrameInfo(
            templateIndex: index, spatialID: Int(t.spatialID), temporalID: Int(t.temporalID),
            decodeTargetIndications: descriptor.customDecodeTargetIndications ?? t.decodeTargetIndications,
            frameDiffs: descriptor.customFrameDiffs ?? t.frameDiffs,
            chainDiffs: descriptor.customChainDiffs ?? t.chainDiffs)
        info.resolution = resolution(spatialID: Int(t.spatialID))
        return info
    }
}
