/// Per chain, `frame_number` minus the `frame_number` of the previous frame in that chain
/// (AV1 RTP specification A.5, A.8.3; 0: no previous frame is needed). Up to 32 chains, held
/// inline (no heap). Reading past `count` gives 0.
public struct DependencyChainDiffs: Sendable, Equatable, CustomStringConvertible {
    public static let capacity = 32
    @usableFromInline var storage = InlineBytes32()
    @usableFromInline var _count: UInt8 = 0

    @inlinable public init() {}

    /// nil when more than 32 values or a value above 255.
    public init?(_ diffs: [Int]) {
        for d in diffs {
            guard d >= 0, d <= 255, append(UInt8(d)) else { return nil }
        }
    }

    @inlinable public var count: Int { Int(_count) }

    /// The diff of chain `index` (0 outside `0..<count`).
    @inlinable
    public subscript(index: Int) -> UInt8 {
        guard index >= 0, index < Int(_count) else { return 0 }
        return storage[byte: index]
    }

    /// Appends a diff; false when 32 are held.
    @inlinable
    @discardableResult
    public mutating func append(_ diff: UInt8) -> Bool {
        guard _count < 32 else { return false }
        storage[byte: Int(_count)] = diff
        _count &+= 1
        return true
    }

    public static func == (a: DependencyChainDiffs, b: DependencyChainDiffs) -> Bool {
        // Bytes past the count are always 0 (append is the only writer).
        a._count == b._count && a.storage == b.storage
    }

    public var description: String { "[" + (0..<count).map { String(self[$0]) }.joined(separator: ",") + "]" }
}
