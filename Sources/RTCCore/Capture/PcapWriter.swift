/// Writes classic libpcap files (not pcapng) of UDP/IPv4 datagrams, readable by tshark and
/// Wireshark (`-d udp.port==N,rtp` decodes the RTP).
///
/// ```
/// global header (24 bytes): magic a1b2c3d4 | v2.4 | thiszone 0 | sigfigs 0 | snaplen | linktype 101 (raw IP)
/// per packet:  ts_sec | ts_usec | incl_len | orig_len | IPv4 header (20) | UDP header (8) | payload
/// ```
/// Only IPv4 addresses can be written (a capture of IPv6 peers maps them to 0.0.0.0).
/// Appending writes into an internal growable buffer; the caller flushes `take()` to disk.
public struct PcapWriter: Sendable {
    public static let linkTypeRawIP: UInt32 = 101
    public static let snapLength: UInt32 = 65_535
    public private(set) var buffer: [UInt8] = []
    private var ipID: UInt16 = 0

    /// Starts a file: the buffer begins with the global header.
    public init(reserve: Int = 64 * 1024) {
        buffer.reserveCapacity(reserve)
        appendLE32(0xA1B2_C3D4)
        appendLE16(2)
        appendLE16(4)
        appendLE32(0)
        appendLE32(0)
        appendLE32(Self.snapLength)
        appendLE32(Self.linkTypeRawIP)
    }

    /// Hands out what was written so far (global header included the first time) and clears.
    public mutating func take() -> [UInt8] {
        let out = buffer
        buffer.removeAll(keepingCapacity: true)
        return out
    }

    /// Appends one UDP datagram; payloads over 65,507 bytes are cut to fit.
    public mutating func append(payload: UnsafeRawBufferPointer, from: TransportAddress, to: TransportAddress,
                                timestampMicros: UInt64) {
        let n = min(payload.count, 65_507)
        let total = 20 + 8 + n
        appendLE32(UInt32(truncatingIfNeeded: timestampMicros / 1_000_000))
        appendLE32(UInt32(truncatingIfNeeded: timestampMicros % 1_000_000))
        appendLE32(UInt32(total))
        appendLE32(UInt32(total))
        // IPv4 header
        let headerStart = buffer.count
        ipID &+= 1
        buffer += [0x45, 0x00]
        appendBE16(UInt16(total))
        appendBE16(ipID)
        buffer += [0x40, 0x00, 64, 17, 0, 0]  // DF, TTL 64, UDP, checksum below
        appendBE32(Self.ipv4(from))
        appendBE32(Self.ipv4(to))
        var sum: UInt32 = 0
        for i in stride(from: headerStart, to: headerStart + 20, by: 2) {
            sum &+= UInt32(buffer[i]) << 8 | UInt32(buffer[i + 1])
        }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) &+ (sum >> 16) }
        let checksum = ~UInt16(truncatingIfNeeded: sum)
        buffer[headerStart + 10] = UInt8(checksum >> 8)
        buffer[headerStart + 11] = UInt8(checksum & 0xFF)
        // UDP header (checksum 0: not computed, allowed for IPv4)
        appendBE16(from.port)
        appendBE16(to.port)
        appendBE16(UInt16(8 + n))
        appendBE16(0)
        buffer.append(contentsOf: payload.prefix(n))
    }

    public mutating func append(_ p: PcapPacket) {
        p.payload.withUnsafeBytes { append(payload: $0, from: p.source, to: p.destination, timestampMicros: p.timestampMicros) }
    }

    static func ipv4(_ a: TransportAddress) -> UInt32 {
        if case .v4(let v) = a.ip { return v }
        return 0
    }

    private mutating func appendLE16(_ v: UInt16) { buffer += [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private mutating func appendLE32(_ v: UInt32) {
        buffer += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]
    }
    private mutating func appendBE16(_ v: UInt16) { buffer += [UInt8(v >> 8), UInt8(v & 0xFF)] }
    private mutating func appendBE32(_ v: UInt32) {
        buffer += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }
}
