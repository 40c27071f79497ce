/// The contributing sources of an RTP packet (RFC 3550 §5.1, "CSRC list"), stored inline.
///
/// The CC field is four bits, so a packet carries at most 15 CSRCs. They are kept in a fixed
/// tuple rather than an array so that parsing a header never touches the heap.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |             contributing source (CSRC) identifiers            |
/// |                             ....                              |  (CC times)
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
public struct RTPCSRCList: RandomAccessCollection, Hashable, Sendable {
    /// The largest number of CSRCs a header can carry (the 4-bit CC field).
    public static let capacity = 15

    public typealias Storage = (
        UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
        UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32
    )

    @usableFromInline var storage: Storage = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    @usableFromInline var _count: UInt8 = 0

    /// An empty list.
    @inlinable public init() {}

    /// A list of the given sources; nil when there are more than 15.
    public init?<S: Sequence>(_ sources: S) where S.Element == SSRC {
        self.init()
        for s in sources {
            guard append(s) else { return nil }
        }
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { Int(_count) }

    /// The CSRC at `position` (0 ..< count). Like an array, an index out of range is a
    /// programming error; iterate or check `count` first.
    @inlinable
    public subscript(position: Int) -> SSRC {
        // The collection contract: callers index within startIndex..<endIndex.
        precondition(position >= 0 && position < Int(_count), "CSRC index out of range")
        return withUnsafeBytes(of: storage) { raw in
            SSRC(raw.load(fromByteOffset: position &* 4, as: UInt32.self))
        }
    }

    /// Appends a source; false (and no change) when the list already holds 15.
    @inlinable
    @discardableResult
    public mutating func append(_ ssrc: SSRC) -> Bool {
        guard _count < RTPCSRCList.capacity else { return false }
        let i = Int(_count)
        withUnsafeMutableBytes(of: &storage) { raw in
            raw.storeBytes(of: ssrc.rawValue, toByteOffset: i &* 4, as: UInt32.self)
        }
        _count &+= 1
        return true
    }

    public static func == (a: RTPCSRCList, b: RTPCSRCList) -> Bool {
        a.elementsEqual(b)
    }

    public func hash(into h: inout Hasher) {
        h.combine(_count)
        for s in self { h.combine(s) }
    }
}
