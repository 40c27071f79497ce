/// Builds RTP retransmission packets (RFC 4588 §4) on the RTX stream of a media stream, into
/// a caller's buffer: the original packet under the RTX SSRC and payload type, with its own
/// sequence number, and the original sequence number (OSN) in front of the original payload.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|X|  CC   |M| RTX PT      |   RTX sequence number         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |              timestamp (same as the original)                 |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         RTX SSRC                              |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |   CSRCs and header extension block (as in the original)       |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |            OSN                |                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
/// |                  Original RTP packet payload                  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
///
/// The marker bit, timestamp and CSRCs are the original's (RFC 4588 §4); the extension
/// elements are re-keyed through ``RTPRewrite`` (a fresh transport-wide sequence number or
/// abs-send-time can be put in, as every retransmission is a new packet on the transport);
/// the original's padding is left out. The RTX stream has its own sequence space
/// (``nextSequenceNumber``), shared with padding probes sent on it
/// (``allocateSequenceNumber()``). Never allocates.
public struct RTXPacketizer: Sendable {
    /// The RTX stream's SSRC (negotiated with `a=ssrc-group:FID`).
    public let ssrc: SSRC
    /// The RTX payload type (`a=rtpmap:N rtx/90000` with `apt=` the media payload type).
    public let payloadType: PayloadType
    /// The sequence number the next RTX packet will carry.
    public private(set) var nextSequenceNumber: SequenceNumber

    /// Bytes the RTX payload adds to the original packet (the OSN).
    public static let overhead = 2

    /// - Parameter initialSequenceNumber: the first RTX sequence number (random, RFC 3550
    ///   §5.1; the caller draws it).
    public init(ssrc: SSRC, payloadType: PayloadType, initialSequenceNumber: SequenceNumber) {
        self.ssrc = ssrc
        self.payloadType = payloadType
        self.nextSequenceNumber = initialSequenceNumber
    }

    /// Takes the next RTX sequence number for a packet built elsewhere (a padding probe).
    public mutating func allocateSequenceNumber() -> SequenceNumber {
        let s = nextSequenceNumber
        nextSequenceNumber = s &+ 1
        return s
    }

    /// Writes the retransmission of `original` (parsed as `header`, whose extension IDs are
    /// those of `extensionMap`) into `destination`. The RTX sequence number is used up only
    /// when the write succeeds.
    ///
    /// - Returns: where the packet and its payload (OSN included) lie in `destination`.
    /// - Throws: `WriteError(.bufferTooSmall, needed:)` when `destination` is too short.
    public mutating func write(
        original: UnsafeRawBufferPointer,
        header: RTPHeader,
        extensionMap: RTPExtensionMap,
        transportSequence: UInt16? = nil,
        absSendTime: UInt32? = nil,
        into destination: UnsafeMutableRawBufferPointer
    ) throws(WriteError) -> RTPWrittenPacket {
        guard destination.count >= Self.overhead, let base = destination.baseAddress else {
            throw WriteError(.rtp, .bufferTooSmall, needed: RTPHeader.fixedLength &+ Self.overhead)
        }
        let rewrite = RTPRewrite(
            ssrc: ssrc, sequenceNumber: nextSequenceNumber, payloadType: payloadType,
            transportSequence: transportSequence, absSendTime: absSendTime, dropPadding: true)
        let room = UnsafeMutableRawBufferPointer(start: base, count: destination.count &- Self.overhead)
        let written: RTPWrittenPacket
        do {
            written = try rewrite.write(
                packet: original, header: header, sourceMap: extensionMap, destinationMap: extensionMap,
                into: room)
        } catch {
            var e = error
            if e.kind == .bufferTooSmall { e.needed = e.needed &+ Self.overhead }
            throw e
        }
        // Slide the payload up by two bytes (overlapping move) and put the OSN in front.
        // payloadOffset + payloadLength = length ≤ room.count = destination.count − 2.
        let p = written.payloadOffset
        if written.payloadLength > 0 {
            (base + (p &+ Self.overhead)).copyMemory(from: base + p, byteCount: written.payloadLength)
        }
        destination[p] = UInt8(truncatingIfNeeded: header.sequenceNumber.rawValue >> 8)
        destination[p &+ 1] = UInt8(truncatingIfNeeded: header.sequenceNumber.rawValue)
        nextSequenceNumber = nextSequenceNumber &+ 1
        return RTPWrittenPacket(
            length: written.length &+ Self.overhead, payloadOffset: p,
            payloadLength: written.payloadLength &+ Self.overhead)
    }

    /// Parses `original` (e.g. bytes from ``RTXPacketCache``) and writes its retransmission.
    ///
    /// - Returns: nil when `original` is not a valid RTP packet.
    public mutating func write(
        original: UnsafeRawBufferPointer,
        extensionMap: RTPExtensionMap,
        transportSequence: UInt16? = nil,
        absSendTime: UInt32? = nil,
        into destination: UnsafeMutableRawBufferPointer
    ) throws(WriteError) -> RTPWrittenPacket? {
        guard let header = try? RTPHeader.parse(original) else { return nil }
        return try write(
            original: original, header: header, extensionMap: extensionMap,
            transportSequence: transportSequence, absSendTime: absSendTime, into: destination)
    }

    /// The original sequence number of an RTX packet's payload (its first two bytes), and the
    /// original payload after it; nil when the payload is shorter than the OSN (RFC 4588 §4).
    public static func originalSequenceNumber(
        rtxPayload: UnsafeRawBufferPointer
    ) -> (SequenceNumber, payload: UnsafeRawBufferPointer)? {
        guard rtxPayload.count >= overhead else { return nil }
        let osn = UInt16(rtxPayload[0]) << 8 | UInt16(rtxPayload[1])
        return (SequenceNumber(osn), UnsafeRawBufferPointer(rebasing: rtxPayload[overhead...]))
    }
}
