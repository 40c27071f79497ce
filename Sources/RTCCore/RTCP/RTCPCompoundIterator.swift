/// Walks the packets of a compound RTCP datagram (RFC 3550 §6.1) without copying or
/// allocating: each step yields a ``RTCPPacketSlice`` (header + byte range).
///
/// ```
/// +--------+--------+--------+-- ... --+--------------------+
/// | SR/RR  |  SDES  | RTPFB  |         | last packet [+pad] |
/// +--------+--------+--------+-- ... --+--------------------+
///  each: 4-byte header, (length + 1) * 4 bytes in all
/// ```
///
/// Rules checked:
/// - every header has V=2 and a length that fits in what is left of the datagram;
/// - the datagram is made of whole packets (no trailing bytes);
/// - padding (P bit) only on the last packet (RFC 3550 §6.1, unless ``PaddingPolicy/anyPacket``),
///   with a non-zero padding count that fits inside the packet after its header.
///
/// Deliberately *not* checked: that the first packet is an SR or RR. Reduced-size RTCP
/// (RFC 5506 §3) sends feedback packets alone, and unknown packet types are passed through.
/// After an error the iterator is finished (`next()` returns nil), so a loop cannot spin.
public struct RTCPCompoundIterator {
    /// Where the P bit is accepted.
    public enum PaddingPolicy: Sendable, Hashable {
        /// RFC 3550 §6.1: only the last packet of a compound packet may be padded.
        case lastPacketOnly
        /// Accept padding on any packet (some stacks pad every feedback packet).
        case anyPacket
    }

    public let bytes: UnsafeRawBufferPointer
    public let paddingPolicy: PaddingPolicy
    /// Offset of the next packet.
    public private(set) var position: Int = 0
    /// Number of packets returned so far.
    public private(set) var packetCount: Int = 0
    @usableFromInline var finished = false

    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer, paddingPolicy: PaddingPolicy = .lastPacketOnly) {
        self.bytes = bytes
        self.paddingPolicy = paddingPolicy
    }

    /// The next packet, nil at the end. An empty datagram is an error (`.truncated`).
    public mutating func next() throws(ParseError) -> RTCPPacketSlice? {
        if finished { return nil }
        if position >= bytes.count {
            finished = true
            if packetCount == 0 {
                throw ParseError(.rtcp, .truncated, at: 0, "empty RTCP datagram")
            }
            return nil
        }
        do throws(ParseError) {
            let slice = try RTCPCompoundIterator.slice(
                bytes, at: position, paddingPolicy: paddingPolicy)
            position = slice.offset &+ slice.bytes.count
            packetCount &+= 1
            return slice
        } catch {
            finished = true
            throw error
        }
    }

    /// Validates and returns the packet starting at `offset`.
    @usableFromInline
    static func slice(
        _ bytes: UnsafeRawBufferPointer, at offset: Int, paddingPolicy: PaddingPolicy
    ) throws(ParseError) -> RTCPPacketSlice {
        let header = try RTCPHeader.parse(bytes, at: offset)
        let size = header.packetSize
        let left = bytes.count &- offset
        guard size <= left else {
            throw ParseError(.rtcp, .invalidLength, at: offset &+ 2, "RTCP length past end of datagram")
        }
        var pad = 0
        if header.padding {
            guard paddingPolicy == .anyPacket || size == left else {
                throw ParseError(.rtcp, .invalidPadding, at: offset, "padding on a packet that is not last")
            }
            pad = Int(bytes[offset &+ size &- 1])
            guard pad > 0, pad <= size &- RTCPHeader.size else {
                throw ParseError(.rtcp, .invalidPadding, at: offset &+ size &- 1, "padding count does not fit")
            }
        }
        return RTCPPacketSlice(
            header: header,
            bytes: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset &+ size)]),
            offset: offset, paddingCount: pad)
    }
}
