/// The 96-bit STUN transaction ID (RFC 8489 §5, §6): chosen by the client, echoed in the
/// response, and the key that matches a response to its request. Stored inline.
public struct STUNTransactionID: Hashable, Sendable, CustomStringConvertible {
    /// The first 4 bytes, big-endian.
    public var hi: UInt32
    /// The last 8 bytes, big-endian.
    public var lo: UInt64

    @inlinable
    public init(hi: UInt32, lo: UInt64) {
        self.hi = hi
        self.lo = lo
    }

    /// From exactly 12 bytes; nil otherwise.
    @inlinable
    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 12 else { return nil }
        hi = bytes.rtcU32(at: 0)
        lo = UInt64(bytes.rtcU32(at: 4)) << 32 | UInt64(bytes.rtcU32(at: 8))
    }

    /// From exactly 12 bytes; nil otherwise.
    public init?(_ bytes: [UInt8]) {
        guard let v = bytes.withUnsafeBytes({ STUNTransactionID(bytes: $0) }) else { return nil }
        self = v
    }

    /// 96 random bits. RFC 8489 §6 asks for a cryptographically random value: seed the
    /// generator from the system's secure source outside tests.
    @inlinable
    public init<G: RandomNumberGenerator>(using generator: inout G) {
        hi = UInt32(truncatingIfNeeded: generator.next())
        lo = generator.next()
    }

    /// The 12 bytes in order. Allocates; for tests and logs.
    public var bytes: [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: hi >> (24 - 8 * UInt32($0))) }
            + (0..<8).map { UInt8(truncatingIfNeeded: lo >> (56 - 8 * UInt64($0))) }
    }

    @inlinable
    func write(to w: inout ByteWriter) throws(WriteError) {
        try w.writeU32(hi)
        try w.writeU64(lo)
    }

    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
