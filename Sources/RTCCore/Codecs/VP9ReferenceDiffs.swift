/// Up to three reference-picture ID differences (P_DIFF, RFC 9628 §4.2), stored inline.
/// Used by flexible-mode descriptors and by picture-group descriptions of the scalability
/// structure.
public struct VP9ReferenceDiffs: Hashable, Sendable, RandomAccessCollection {
    public static let capacity = 3
    @usableFromInline var d0: UInt8 = 0
    @usableFromInline var d1: UInt8 = 0
    @usableFromInline var d2: UInt8 = 0
    @usableFromInline var _count: UInt8 = 0

    @inlinable public init() {}

    public init?(_ diffs: [UInt8]) {
        guard diffs.count <= VP9ReferenceDiffs.capacity else { return nil }
        for d in diffs { append(d) }
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { Int(_count) }

    /// The diff at `position` (0 ..< count); out of range is a programming error.
    @inlinable
    public subscript(position: Int) -> UInt8 {
        // Collection contract: callers index within startIndex..<endIndex.
        precondition(position >= 0 && position < Int(_count), "reference diff index out of range")
        switch position {
        case 0: return d0
        case 1: return d1
        default: return d2
        }
    }

    /// Appends a diff; false when three are already held.
    @inlinable
    @discardableResult
    public mutating func append(_ diff: UInt8) -> Bool {
        switch _count {
        case 0: d0 = diff
        case 1: d1 = diff
        case 2: d2 = diff
        default: return false
        }
        _count &+= 1
        return true
    }

    public static func == (a: VP9ReferenceDiffs, b: VP9ReferenceDiffs) -> Bool { a.elementsEqual(b) }
    public func hash(into h: inout Hasher) { for d in self { h.combine(d) } }
}
