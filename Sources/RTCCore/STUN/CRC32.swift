/// CRC-32 as used by STUN's FINGERPRINT (RFC 8489 §14.7, which points at ISO/IEC 13239 / the
/// Ethernet CRC): reflected polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF.
/// Table-driven, one byte per step; the 256-entry table is built once on first use.
public enum CRC32 {
    @usableFromInline
    static let table: [UInt32] = (0..<256).map { (n: Int) -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 {
            c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1
        }
        return c
    }

    /// The CRC-32 of `bytes`. Chain calls by passing the previous result as `previous`.
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer, previous: UInt32 = 0) -> UInt32 {
        var crc = ~previous
        table.withUnsafeBufferPointer { t in
            // `t` has 256 entries and the index is masked to 8 bits.
            for b in bytes {
                crc = t[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8)
            }
        }
        return ~crc
    }
}
