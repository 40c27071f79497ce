/// The decode target indications of one frame or template: up to 32 two-bit values packed in
/// one word (no heap). Index `i` is decode target `i`; reading past `count` gives
/// ``DecodeTargetIndication/notPresent``.
public struct DecodeTargetIndications: Hashable, Sendable, CustomStringConvertible {
    public static let capacity = 32
    /// Two bits per decode target, decode target 0 in the lowest bits.
    @usableFromInline var packed: UInt64 = 0
    @usableFromInline var _count: UInt8 = 0

    @inlinable public init() {}

    /// From the table symbols, one per decode target (e.g. `"SSR-"`); nil for another
    /// character or more than 32.
    public init?(_ symbols: String) {
        for c in symbols {
            let v: DecodeTargetIndication
            switch c {
            case "-": v = .notPresent
            case "D": v = .discardable
            case "S": v = .switch
            case "R": v = .required
            default: return nil
            }
            guard append(v) else { return nil }
        }
    }

    @inlinable public var count: Int { Int(_count) }

    /// The indication for decode target `index` (`.notPresent` outside `0..<count`).
    @inlinable
    public subscript(index: Int) -> DecodeTargetIndication {
        guard index >= 0, index < Int(_count) else { return .notPresent }
        return DecodeTargetIndication(rawValue: UInt8(truncatingIfNeeded: packed >> UInt64(index &* 2)) & 3) ?? .notPresent
    }

    /// Appends one indication; false when 32 are held.
    @inlinable
    @discardableResult
    public mutating func append(_ v: DecodeTargetIndication) -> Bool {
        guard _count < 32 else { return false }
        packed |= UInt64(v.rawValue) << UInt64(_count &* 2)
        _count &+= 1
        return true
    }

    public var description: String {
        var s = ""
        for i in 0..<count { s.append(self[i].symbol) }
        return s
    }
}
