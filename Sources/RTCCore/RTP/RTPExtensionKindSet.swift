/// A set of ``RTPExtensionKind`` values in one machine word (no heap), e.g. the extensions a
/// rewrite must drop.
public struct RTPExtensionKindSet: Hashable, Sendable, ExpressibleByArrayLiteral {
    public var rawValue: UInt32

    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init() { self.rawValue = 0 }

    public init(arrayLiteral kinds: RTPExtensionKind...) {
        self.rawValue = 0
        for k in kinds { insert(k) }
    }

    @inlinable
    static func bit(_ kind: RTPExtensionKind) -> UInt32 {
        // Raw values are below 32 (the largest is `.other` = 31).
        1 << UInt32(kind.rawValue & 31)
    }

    @inlinable public func contains(_ kind: RTPExtensionKind) -> Bool {
        rawValue & RTPExtensionKindSet.bit(kind) != 0
    }

    @inlinable public mutating func insert(_ kind: RTPExtensionKind) {
        rawValue |= RTPExtensionKindSet.bit(kind)
    }

    @inlinable public mutating func remove(_ kind: RTPExtensionKind) {
        rawValue &= ~RTPExtensionKindSet.bit(kind)
    }

    @inlinable public var isEmpty: Bool { rawValue == 0 }
}
