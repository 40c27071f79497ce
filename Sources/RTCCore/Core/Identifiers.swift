/// RTP synchronization source identifier (RFC 3550 §3).
public struct SSRC: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ v: UInt32) { self.rawValue = v }
    public static func < (a: SSRC, b: SSRC) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
}

/// RTP payload type (7 bits).
public struct PayloadType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue & 0x7F }
    @inlinable public init(_ v: UInt8) { self.rawValue = v & 0x7F }
    public var description: String { String(rawValue) }
}

/// A 16-bit wire sequence number with wrap-aware comparison (RFC 3550 / RFC 1982 serial
/// arithmetic). Use ``SequenceUnwrapper`` to extend to 64 bits.
public struct SequenceNumber: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(_ v: UInt16) { self.rawValue = v }

    /// True when `self` comes after `other` in serial-number order.
    @inlinable
    public func isNewer(than other: SequenceNumber) -> Bool {
        let diff = rawValue &- other.rawValue
        return diff != 0 && diff < 0x8000
    }

    @inlinable
    public static func &+ (a: SequenceNumber, b: UInt16) -> SequenceNumber {
        SequenceNumber(a.rawValue &+ b)
    }

    public var description: String { String(rawValue) }
}

/// Extends wrapping 16-bit sequence numbers to monotonic 64-bit values (str0m's `SeqNo`).
///
/// A packet more than half the space behind the highest seen is treated as a wrap forward
/// only if it is newer in serial order; older (reordered) packets map below the highest.
public struct SequenceUnwrapper: Sendable {
    private var highest: UInt64?

    public init() {}

    /// The extended value for `seq`. Never traps: results stay within UInt64 for any input
    /// sequence a peer can send (2^48 wraps).
    @inlinable
    public mutating func unwrap(_ seq: SequenceNumber) -> UInt64 {
        _unwrap(seq.rawValue)
    }

    @usableFromInline
    mutating func _unwrap(_ v: UInt16) -> UInt64 {
        guard let h = highest else {
            // Start one cycle up so packets just before the first one do not go negative.
            let first = (1 << 16) | UInt64(v)
            highest = first
            return first
        }
        let hLow = UInt16(truncatingIfNeeded: h)
        let forward = v &- hLow
        if forward == 0 { return h }
        if forward < 0x8000 {
            let ext = h &+ UInt64(forward)
            highest = ext
            return ext
        }
        let back = UInt64(hLow &- v)
        return h >= back ? h - back : 0
    }

    /// Highest extended sequence number seen so far.
    public var highestExtended: UInt64? { highest }
}

/// Extends wrapping 32-bit RTP timestamps to 64 bits, the same way as ``SequenceUnwrapper``.
public struct TimestampUnwrapper: Sendable {
    private var highest: UInt64?
    public init() {}

    public mutating func unwrap(_ ts: UInt32) -> UInt64 {
        guard let h = highest else {
            let first = (1 << 32) | UInt64(ts)
            highest = first
            return first
        }
        let hLow = UInt32(truncatingIfNeeded: h)
        let forward = ts &- hLow
        if forward == 0 { return h }
        if forward < 0x8000_0000 {
            let ext = h &+ UInt64(forward)
            highest = ext
            return ext
        }
        let back = UInt64(hLow &- ts)
        return h >= back ? h - back : 0
    }
}

/// A short identifier token (RFC 8843 `mid`, RFC 8851 `rid`) stored inline: at most 16 bytes,
/// no heap allocation, cheap to compare and hash. Values come from RTP header extensions and
/// SDP; the one-byte extension form caps them at 16 bytes, and longer ones are refused.
public struct ShortID: Hashable, Sendable, Comparable, CustomStringConvertible {
    @usableFromInline var lo: UInt64
    @usableFromInline var hi: UInt64
    public let count: UInt8

    public static let maxLength = 16

    /// Builds from raw bytes; nil when empty or longer than 16 bytes.
    @inlinable
    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0, bytes.count <= ShortID.maxLength else { return nil }
        var lo: UInt64 = 0
        var hi: UInt64 = 0
        for i in 0..<bytes.count {
            let b = UInt64(bytes[i])
            if i < 8 { lo |= b << (UInt64(i) * 8) } else { hi |= b << (UInt64(i - 8) * 8) }
        }
        self.lo = lo
        self.hi = hi
        self.count = UInt8(bytes.count)
    }

    public init?(_ string: String) {
        var s = string
        let r: ShortID?? = s.withUTF8 { buf in ShortID(bytes: UnsafeRawBufferPointer(buf)) }
        guard let v = r ?? nil else { return nil }
        self = v
    }

    /// The bytes, in order.
    public var bytes: [UInt8] {
        (0..<Int(count)).map { i in
            i < 8 ? UInt8(truncatingIfNeeded: lo >> (UInt64(i) * 8))
                : UInt8(truncatingIfNeeded: hi >> (UInt64(i - 8) * 8))
        }
    }

    /// Writes the bytes to a writer.
    @inlinable
    public func write(to w: inout ByteWriter) throws(WriteError) {
        try w.require(Int(count))
        for i in 0..<Int(count) {
            let b = i < 8 ? UInt8(truncatingIfNeeded: lo >> (UInt64(i) * 8))
                : UInt8(truncatingIfNeeded: hi >> (UInt64(i - 8) * 8))
            try w.writeU8(b)
        }
    }

    public var description: String { String(decoding: bytes, as: UTF8.self) }

    public static func < (a: ShortID, b: ShortID) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}

/// Media identification (RFC 8843): ties an RTP stream to an m-section.
public typealias Mid = ShortID
/// RTP stream identifier (RFC 8851): one simulcast encoding.
public typealias Rid = ShortID
