/// Reads the UDP/IPv4 datagrams of a classic libpcap file (either byte order, micro- or
/// nanosecond timestamps; link types raw IP (101, 228), Ethernet (1) and Linux cooked (113)).
/// Anything else in the file (ARP, TCP, IPv6, fragments) is skipped; a malformed file gives a
/// typed error, never a trap.
public enum PcapReader {
    public static func read(_ bytes: [UInt8]) throws(ParseError) -> [PcapPacket] {
        let r: Result<[PcapPacket], ParseError> = bytes.withUnsafeBytes { raw in
            do throws(ParseError) { return .success(try read(raw)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    public static func read(_ raw: UnsafeRawBufferPointer) throws(ParseError) -> [PcapPacket] {
        var r = ByteReader(raw, format: .pcap)
        let magic = try r.readU32()
        // The magic read big-endian tells the file's byte order and timestamp unit.
        let littleEndian: Bool
        let nanos: Bool
        switch magic {
        case 0xA1B2_C3D4: (littleEndian, nanos) = (false, false)
        case 0xD4C3_B2A1: (littleEndian, nanos) = (true, false)
        case 0xA1B2_3C4D: (littleEndian, nanos) = (false, true)
        case 0x4D3C_B2A1: (littleEndian, nanos) = (true, true)
        default: throw ParseError(.pcap, .invalidValue, at: 0, "not a classic pcap file")
        }
        func u32(_ r: inout ByteReader) throws(ParseError) -> UInt32 {
            let v = try r.readU32()
            return littleEndian ? v.byteSwapped : v
        }
        try r.skip(16)
        let linkType = try u32(&r)
        var out: [PcapPacket] = []
        while !r.isAtEnd {
            let sec = try u32(&r)
            let frac = try u32(&r)
            let incl = Int(try u32(&r))
            _ = try u32(&r)
            let frame = try r.readBytes(incl)
            let micros = UInt64(sec) * 1_000_000 + UInt64(nanos ? frac / 1000 : frac)
            let ipOffset: Int
            switch linkType {
            case 101, 228: ipOffset = 0
            case 1:
                guard frame.count >= 14, frame[12] == 0x08, frame[13] == 0x00 else { continue }
                ipOffset = 14
            case 113:
                guard frame.count >= 16, frame[14] == 0x08, frame[15] == 0x00 else { continue }
                ipOffset = 16
            default:
                throw ParseError(.pcap, .invalidValue, at: r.position, "unsupported link type")
            }
            if let p = udp(frame, at: ipOffset, micros: micros) { out.append(p) }
        }
        return out
    }

    /// The UDP datagram in an IPv4 packet at `offset`, or nil for anything else.
    static func udp(_ frame: UnsafeRawBufferPointer, at offset: Int, micros: UInt64) -> PcapPacket? {
        guard frame.count >= offset + 20, frame[offset] >> 4 == 4 else { return nil }
        let ihl = Int(frame[offset] & 0x0F) * 4
        let total = Int(frame[offset + 2]) << 8 | Int(frame[offset + 3])
        let fragment = (UInt16(frame[offset + 6]) << 8 | UInt16(frame[offset + 7])) & 0x3FFF
        guard ihl >= 20, frame[offset + 9] == 17, fragment == 0,
              total >= ihl + 8, frame.count >= offset + total else { return nil }
        func be32(_ i: Int) -> UInt32 {
            UInt32(frame[i]) << 24 | UInt32(frame[i + 1]) << 16 | UInt32(frame[i + 2]) << 8 | UInt32(frame[i + 3])
        }
        let u = offset + ihl
        let srcPort = UInt16(frame[u]) << 8 | UInt16(frame[u + 1])
        let dstPort = UInt16(frame[u + 2]) << 8 | UInt16(frame[u + 3])
        let udpLen = Int(frame[u + 4]) << 8 | Int(frame[u + 5])
        guard udpLen >= 8, u + udpLen <= offset + total else { return nil }
        return PcapPacket(timestampMicros: micros,
                          source: TransportAddress(ipv4: be32(offset + 12), port: srcPort),
                          destination: TransportAddress(ipv4: be32(offset + 16), port: dstPort),
                          payload: Array(frame[(u + 8)..<(u + udpLen)]))
    }
}
