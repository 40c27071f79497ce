/// A spatial and a temporal layer index (0 = base), as a subscriber's target or what is being
/// forwarded.
public struct SVCLayers: Hashable, Sendable, CustomStringConvertible {
    public var spatial: Int
    public var temporal: Int

    @inlinable
    public init(spatial: Int, temporal: Int) {
        self.spatial = spatial
        self.temporal = temporal
    }

    /// The highest layers a stream can have (VP9: 3-bit SID and TID).
    public static let highest = SVCLayers(spatial: 7, temporal: 7)

    public var description: String { "S\(spatial)T\(temporal)" }
}
