/// The value of MAPPED-ADDRESS (RFC 8489 §14.1) and XOR-MAPPED-ADDRESS (§14.2).
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |0 0 0 0 0 0 0 0|    Family     |        (X-)Port               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                 (X-)Address (32 bits or 128 bits)             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
///
/// Family 0x01 is IPv4 (value 8 bytes), 0x02 IPv6 (20 bytes). In the XOR form the port is
/// xored with the top 16 bits of the magic cookie, an IPv4 address with the cookie, and an
/// IPv6 address with the cookie followed by the 96-bit transaction ID.
public enum STUNAddressAttribute {
    public static let familyIPv4: UInt8 = 0x01
    public static let familyIPv6: UInt8 = 0x02

    /// Decodes a value; `xor` is the message's transaction ID for XOR-MAPPED-ADDRESS, nil for
    /// MAPPED-ADDRESS. `offset` locates the value for error reports.
    public static func decode(_ value: UnsafeRawBufferPointer, xor transactionID: STUNTransactionID?,
                              at offset: Int) throws(ParseError) -> TransportAddress {
        guard value.count >= 4 else {
            throw ParseError(.stun, .truncated, at: offset, "address value shorter than 4")
        }
        let family = value[1]
        var port = value.rtcU16(at: 2)
        if transactionID != nil { port ^= UInt16(truncatingIfNeeded: STUNMessage.magicCookie >> 16) }
        switch family {
        case familyIPv4:
            guard value.count == 8 else {
                throw ParseError(.stun, .invalidLength, at: offset, "IPv4 address value not 8 bytes")
            }
            var a = value.rtcU32(at: 4)
            if transactionID != nil { a ^= STUNMessage.magicCookie }
            return TransportAddress(ipv4: a, port: port)
        case familyIPv6:
            guard value.count == 20 else {
                throw ParseError(.stun, .invalidLength, at: offset, "IPv6 address value not 20 bytes")
            }
            var hi = UInt64(value.rtcU32(at: 4)) << 32 | UInt64(value.rtcU32(at: 8))
            var lo = UInt64(value.rtcU32(at: 12)) << 32 | UInt64(value.rtcU32(at: 16))
            if let t = transactionID {
                hi ^= UInt64(STUNMessage.magicCookie) << 32 | UInt64(t.hi)
                lo ^= t.lo
            }
            return TransportAddress(ipv6Hi: hi, lo: lo, port: port)
        default:
            throw ParseError(.stun, .invalidValue, at: offset &+ 1, "unknown address family")
        }
    }

    /// Length of the encoded value (8 or 20).
    @inlinable
    public static func valueLength(_ address: TransportAddress) -> Int {
        address.isIPv4 ? 8 : 20
    }

    /// Writes the value (no attribute header).
    public static func write(_ address: TransportAddress, xor transactionID: STUNTransactionID?,
                             to w: inout ByteWriter) throws(WriteError) {
        try w.require(valueLength(address))
        var port = address.port
        if transactionID != nil { port ^= UInt16(truncatingIfNeeded: STUNMessage.magicCookie >> 16) }
        switch address.ip {
        case .v4(var a):
            if transactionID != nil { a ^= STUNMessage.magicCookie }
            try w.writeU8(0)
            try w.writeU8(familyIPv4)
            try w.writeU16(port)
            try w.writeU32(a)
        case .v6(var hi, var lo):
            if let t = transactionID {
                hi ^= UInt64(STUNMessage.magicCookie) << 32 | UInt64(t.hi)
                lo ^= t.lo
            }
            try w.writeU8(0)
            try w.writeU8(familyIPv6)
            try w.writeU16(port)
            try w.writeU64(hi)
            try w.writeU64(lo)
        }
    }
}
