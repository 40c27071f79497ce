/// The fixed RTP header, CSRC list, header-extension location and padding of one packet
/// (RFC 3550 §5.1, §5.3.1), parsed once from borrowed bytes into a small value.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|X|  CC   |M|     PT      |       sequence number         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                           timestamp                           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           synchronization source (SSRC) identifier            |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |            contributing source (CSRC) identifiers             |
/// |                             ....                              |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |      defined by profile       |           length              |  (if X)
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  header extension (length × 4 bytes)          |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |                            payload                            |
/// |                               +-------------------------------+
/// |                               |    padding    | padding count |  (if P)
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
///
/// The header holds decoded fields and *offsets* into the packet bytes, never the bytes
/// themselves: use ``payload(in:)`` and ``extensionData(in:)`` with the same buffer that was
/// parsed. Parsing never allocates and never traps; malformed input throws ``ParseError``.
public struct RTPHeader: Hashable, Sendable {
    /// The size of the fixed part of the header (RFC 3550 §5.1).
    public static let fixedLength = 12

    /// The RTP version; always 2 for a parsed header.
    public var version: UInt8 = 2
    /// P: the packet ends with padding whose last octet counts the padding octets.
    public var hasPadding: Bool = false
    /// X: a header extension follows the CSRC list.
    public var hasExtension: Bool = false
    /// M: profile-defined marker (end of a video frame, start of a talkspurt).
    public var marker: Bool = false
    public var payloadType: PayloadType
    public var sequenceNumber: SequenceNumber
    public var timestamp: UInt32
    public var ssrc: SSRC
    public var csrcs: RTPCSRCList

    /// The 16-bit "defined by profile" word of the header extension (0xBEDE for RFC 8285
    /// one-byte elements, 0x100X for two-byte), or 0 when there is no extension.
    public var extensionProfile: UInt16 = 0
    /// Offset of the extension data (after the profile and length words) from the packet start.
    public var extensionOffset: Int = 0
    /// Length of the extension data in bytes (a multiple of 4).
    public var extensionLength: Int = 0
    /// Offset of the payload from the packet start (the total header length).
    public var payloadOffset: Int = RTPHeader.fixedLength
    /// Length of the payload, excluding padding.
    public var payloadLength: Int = 0
    /// Number of padding octets at the end, including the count octet itself (0 if P is clear).
    public var paddingLength: Int = 0

    /// A header to build a packet from (see ``RTPPacketWriter``). Offsets are left at their
    /// defaults and are filled in only by parsing.
    @inlinable
    public init(
        marker: Bool = false, payloadType: PayloadType, sequenceNumber: SequenceNumber,
        timestamp: UInt32, ssrc: SSRC, csrcs: RTPCSRCList = RTPCSRCList()
    ) {
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
    }

    /// Total header length: fixed header, CSRCs and the extension block.
    @inlinable public var headerLength: Int { payloadOffset }
    /// The length of the packet that was parsed.
    @inlinable public var packetLength: Int { payloadOffset &+ payloadLength &+ paddingLength }

    /// The RFC 8285 element form of the extension block, or nil when there is no extension or
    /// it uses another profile.
    @inlinable
    public var extensionForm: RTPExtensionForm? {
        hasExtension ? RTPExtensionForm(profile: extensionProfile) : nil
    }

    /// The payload bytes (without padding) within `packet`, which must be the parsed buffer.
    /// Returns an empty buffer if `packet` is shorter than the parsed one.
    @inlinable
    public func payload(in packet: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        packet.rtcSlice(payloadOffset, payloadLength)
    }

    /// The header-extension data (after profile and length) within `packet`.
    @inlinable
    public func extensionData(in packet: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        packet.rtcSlice(extensionOffset, extensionLength)
    }

    /// Parses the header of the RTP packet in `bytes` (the whole datagram after SRTP
    /// unprotection).
    ///
    /// - Throws: `.truncated` when fewer than 12 bytes or the CSRC list / extension header does
    ///   not fit; `.unsupportedVersion` when V ≠ 2; `.invalidLength` when the extension length
    ///   points past the end; `.invalidPadding` when the padding count is zero or larger than
    ///   what follows the header.
    @inlinable
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> RTPHeader {
        let count = bytes.count
        guard count >= fixedLength else {
            throw ParseError(.rtp, .truncated, at: count, "shorter than the fixed RTP header")
        }
        let b0 = bytes[0]
        let b1 = bytes[1]
        guard b0 >> 6 == 2 else {
            throw ParseError(.rtp, .unsupportedVersion, at: 0, "RTP version is not 2")
        }
        var h = RTPHeader(
            marker: b1 & 0x80 != 0,
            payloadType: PayloadType(b1 & 0x7F),
            sequenceNumber: SequenceNumber(bytes.rtcU16(at: 2)),
            timestamp: bytes.rtcU32(at: 4),
            ssrc: SSRC(bytes.rtcU32(at: 8))
        )
        h.hasPadding = b0 & 0x20 != 0
        h.hasExtension = b0 & 0x10 != 0

        let cc = Int(b0 & 0x0F)
        var offset = fixedLength
        guard cc &* 4 <= count &- offset else {
            throw ParseError(.rtp, .truncated, at: offset, "CSRC list past the end")
        }
        for _ in 0..<cc {
            h.csrcs.append(SSRC(bytes.rtcU32(at: offset)))
            offset &+= 4
        }

        if h.hasExtension {
            guard count &- offset >= 4 else {
                throw ParseError(.rtp, .truncated, at: offset, "extension header past the end")
            }
            h.extensionProfile = bytes.rtcU16(at: offset)
            let dataLength = Int(bytes.rtcU16(at: offset &+ 2)) &* 4
            offset &+= 4
            guard dataLength <= count &- offset else {
                throw ParseError(.rtp, .invalidLength, at: offset &- 2, "extension length past the end")
            }
            h.extensionOffset = offset
            h.extensionLength = dataLength
            offset &+= dataLength
        }
        h.payloadOffset = offset

        var padding = 0
        if h.hasPadding {
            guard count > offset else {
                throw ParseError(.rtp, .invalidPadding, at: offset, "padding bit set but no padding")
            }
            padding = Int(bytes[count &- 1])
            guard padding != 0 else {
                throw ParseError(.rtp, .invalidPadding, at: count &- 1, "zero padding count")
            }
            guard padding <= count &- offset else {
                throw ParseError(.rtp, .invalidPadding, at: count &- 1, "padding longer than the payload")
            }
        }
        h.paddingLength = padding
        h.payloadLength = count &- offset &- padding
        return h
    }
}
