/// The frame differences of one frame or template (AV1 RTP specification A.8.3): each is
/// `frame_number` minus the `frame_number` of a frame it refers to, 1...4096. Up to 16 are held
/// inline (no heap); a descriptor with more is refused as `.invalidValue`.
public struct DependencyFrameDiffs: Sendable, RandomAccessCollection, Equatable, CustomStringConvertible {
    public static let capacity = 16
    @usableFromInline var storage = InlineBytes32()
    @usableFromInline var _count: UInt8 = 0

    @inlinable public init() {}

    /// nil when more than 16 values or a value outside 1...4096.
    public init?(_ diffs: [Int]) {
        for d in diffs {
            guard d >= 1, d <= 4096, append(UInt16(d)) else { return nil }
        }
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { Int(_count) }

    /// The diff at `position` (0 ..< count); out of range is a programming error.
    @inlinable
    public subscript(position: Int) -> UInt16 {
        // Collection contract: callers index within startIndex..<endIndex (< 16).
        precondition(position >= 0 && position < Int(_count), "frame diff index out of range")
        return storage[uint16: position]
    }

    /// Appends a diff; false when 16 are held.
    @inlinable
    @discardableResult
    public mutating func append(_ diff: UInt16) -> Bool {
        guard _count < 16 else { return false }
        storage[uint16: Int(_count)] = diff
        _count &+= 1
        return true
    }

    public static func == (a: DependencyFrameDiffs, b: DependencyFrameDiffs) -> Bool { a.elementsEqual(b) }

    public var description: String { "[" + map { String($0) }.joined(separator: ",") + "]" }
}
