/// Why ``SVCLayerFilter`` did not forward a packet. The router counts them with its own
/// reasons: `.notAKeyframe` and `.unknownStructure` as `ForwardingDropReason.notAKeyframe`,
/// `.spatialLayerNotSelected` and `.notInDecodeTarget` as `.layerNotSelected`,
/// `.temporalLayerNotSelected` as `.temporalLayerNotSelected`.
public enum SVCDropReason: Int, Sendable, Hashable, CaseIterable {
    /// Nothing is forwarded yet and this packet cannot start the stream (not a key frame, or
    /// not a switch point of the wanted decode target).
    case notAKeyframe
    /// VP9: the layer frame's SID is above the spatial layer forwarded.
    case spatialLayerNotSelected
    /// VP9: the picture's TID is above the temporal layer forwarded.
    case temporalLayerNotSelected
    /// Dependency descriptor: the frame is not present in the decode target forwarded.
    case notInDecodeTarget
    /// Dependency descriptor: the frame cannot be interpreted — no structure yet, or its
    /// template belongs to a structure that was lost. A key frame is needed.
    case unknownStructure
}
