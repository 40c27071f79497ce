/// A 16-bit packet status chunk of transport-wide congestion control feedback
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.2–§3.1.4), stored as its raw
/// wire value so that any chunk round-trips exactly.
///
/// Run length chunk (T=0): one symbol repeated `run length` (0…8191) times.
/// ```
///  0                   1
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |T| S |       Run Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// Status vector chunk (T=1): S=0 holds fourteen 1-bit symbols (0 not received,
/// 1 received with small delta); S=1 holds seven 2-bit symbols. The first symbol is in the
/// most significant bits.
/// ```
///  0                   1
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |T|S|       symbol list         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// Only as many symbols as the packet status count still needs are used; the rest of the
/// last chunk is ignored.
public struct TWCCPacketStatusChunk: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    public enum Kind: Hashable, Sendable {
        case runLength
        case oneBitVector
        case twoBitVector
    }

    public static let maxRunLength = 0x1FFF
    public static let oneBitCapacity = 14
    public static let twoBitCapacity = 7

    @inlinable
    public var kind: Kind {
        if rawValue & 0x8000 == 0 { return .runLength }
        return rawValue & 0x4000 == 0 ? .oneBitVector : .twoBitVector
    }

    /// How many statuses the chunk can describe: the run length, 14 or 7.
    @inlinable
    public var capacity: Int {
        switch kind {
        case .runLength: Int(rawValue & 0x1FFF)
        case .oneBitVector: Self.oneBitCapacity
        case .twoBitVector: Self.twoBitCapacity
        }
    }

    /// The raw 2-bit symbol (0…3) at `index` (0 = first); for a run, the run's symbol.
    /// Returns 0 for an index outside the chunk.
    @inlinable
    public func rawSymbol(at index: Int) -> UInt8 {
        switch kind {
        case .runLength:
            return UInt8(truncatingIfNeeded: rawValue >> 13) & 0x3
        case .oneBitVector:
            guard index >= 0, index < Self.oneBitCapacity else { return 0 }
            return UInt8(truncatingIfNeeded: rawValue >> UInt16(13 &- index)) & 0x1
        case .twoBitVector:
            guard index >= 0, index < Self.twoBitCapacity else { return 0 }
            return UInt8(truncatingIfNeeded: rawValue >> UInt16(12 &- 2 &* index)) & 0x3
        }
    }

    /// The status at `index`, nil for the reserved symbol 3.
    @inlinable
    public func symbol(at index: Int) -> TWCCPacketStatus? {
        TWCCPacketStatus(rawValue: rawSymbol(at: index))
    }

    /// A run of `length` (0…8191) equal statuses; nil when the length does not fit.
    @inlinable
    public init?(runLength status: TWCCPacketStatus, length: Int) {
        guard length >= 0, length <= Self.maxRunLength else { return nil }
        rawValue = UInt16(status.rawValue) << 13 | UInt16(length)
    }

    /// A 1-bit status vector of up to 14 statuses (missing ones are "not received"); nil if
    /// there are more or one of them is a large delta.
    @inlinable
    public init?<C: Collection>(oneBitVector statuses: C) where C.Element == TWCCPacketStatus {
        guard statuses.count <= Self.oneBitCapacity else { return nil }
        var v: UInt16 = 0x8000
        var i = 0
        for s in statuses {
            guard s != .receivedLargeOrNegativeDelta else { return nil }
            v |= UInt16(s.rawValue) << UInt16(13 &- i)
            i &+= 1
        }
        rawValue = v
    }

    /// A 2-bit status vector of up to 7 statuses (missing ones are "not received"); nil if
    /// there are more.
    @inlinable
    public init?<C: Collection>(twoBitVector statuses: C) where C.Element == TWCCPacketStatus {
        guard statuses.count <= Self.twoBitCapacity else { return nil }
        var v: UInt16 = 0xC000
        var i = 0
        for s in statuses {
            v |= UInt16(s.rawValue) << UInt16(12 &- 2 &* i)
            i &+= 1
        }
        rawValue = v
    }

    public var description: String {
        switch kind {
        case .runLength: "run(\(rawSymbol(at: 0))×\(capacity))"
        case .oneBitVector: "v1(" + (0..<14).map { String(rawSymbol(at: $0)) }.joined() + ")"
        case .twoBitVector: "v2(" + (0..<7).map { String(rawSymbol(at: $0)) }.joined() + ")"
        }
    }
}
