/// Any RTCP packet: the decoded messages this library knows, and everything else opaque.
///
/// Dispatch on the common header (``RTCPHeader``): PT 200–204 (RFC 3550), PT 205 FMT 1
/// (generic NACK) and FMT 15 (transport-wide CC), PT 206 FMT 1 (PLI), FMT 4 (FIR) and FMT 15
/// with the "REMB" identifier. Any other PT/FMT is ``unknown(_:)``, never an error; a known
/// message that is malformed throws ``ParseError``.
///
/// Reading a datagram:
/// ```swift
/// var it = RTCPCompoundIterator(bytes)
/// while let slice = try it.next() {
///     switch try RTCPPacket.parse(slice) { case .pictureLossIndication(let pli): … }
/// }
/// ```
/// Writing: `marshalSize` then `write(to:)` into a caller buffer; a compound packet is the
/// packets written one after the other (``write(compound:to:)``).
public enum RTCPPacket: Hashable, Sendable {
    case senderReport(SenderReport)
    case receiverReport(ReceiverReport)
    case sourceDescription(SourceDescription)
    case goodbye(Goodbye)
    case applicationDefined(ApplicationDefined)
    case transportLayerNack(TransportLayerNack)
    case transportWideCongestionControl(TransportWideCongestionControl)
    case pictureLossIndication(PictureLossIndication)
    case fullIntraRequest(FullIntraRequest)
    case receiverEstimatedMaximumBitrate(ReceiverEstimatedMaximumBitrate)
    case unknown(UnknownRTCPPacket)

    /// Decodes one packet of a compound datagram. Error offsets are from the start of the
    /// datagram.
    public static func parse(_ slice: RTCPPacketSlice) throws(ParseError) -> RTCPPacket {
        do throws(ParseError) {
            return try decode(slice)
        } catch {
            var e = error
            e.offset &+= slice.offset
            throw e
        }
    }

    /// Decodes a buffer that holds exactly one RTCP packet.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> RTCPPacket {
        try decode(try RTCPPacketSlice(single: bytes))
    }

    /// Decodes every packet of a compound datagram (RFC 3550 §6.1; reduced-size RFC 5506
    /// datagrams are accepted too).
    public static func parseCompound(
        _ bytes: UnsafeRawBufferPointer,
        paddingPolicy: RTCPCompoundIterator.PaddingPolicy = .lastPacketOnly
    ) throws(ParseError) -> [RTCPPacket] {
        var it = RTCPCompoundIterator(bytes, paddingPolicy: paddingPolicy)
        var out: [RTCPPacket] = []
        while let slice = try it.next() { out.append(try parse(slice)) }
        return out
    }

    static func decode(_ slice: RTCPPacketSlice) throws(ParseError) -> RTCPPacket {
        let h = slice.header
        switch h.packetType {
        case .senderReport: return .senderReport(try SenderReport(slice))
        case .receiverReport: return .receiverReport(try ReceiverReport(slice))
        case .sourceDescription: return .sourceDescription(try SourceDescription(slice))
        case .goodbye: return .goodbye(try Goodbye(slice))
        case .applicationDefined: return .applicationDefined(try ApplicationDefined(slice))
        case .transportLayerFeedback:
            switch h.count {
            case TransportLayerNack.format: return .transportLayerNack(try TransportLayerNack(slice))
            case TransportWideCongestionControl.format:
                return .transportWideCongestionControl(try TransportWideCongestionControl(slice))
            default: return .unknown(UnknownRTCPPacket(slice))
            }
        case .payloadSpecificFeedback:
            switch h.count {
            case PictureLossIndication.format: return .pictureLossIndication(try PictureLossIndication(slice))
            case FullIntraRequest.format: return .fullIntraRequest(try FullIntraRequest(slice))
            case ReceiverEstimatedMaximumBitrate.format where ReceiverEstimatedMaximumBitrate.matches(slice):
                return .receiverEstimatedMaximumBitrate(try ReceiverEstimatedMaximumBitrate(slice))
            default: return .unknown(UnknownRTCPPacket(slice))
            }
        default:
            return .unknown(UnknownRTCPPacket(slice))
        }
    }

    /// The packet type this value is written with.
    public var packetType: RTCPPacketType {
        switch self {
        case .senderReport: .senderReport
        case .receiverReport: .receiverReport
        case .sourceDescription: .sourceDescription
        case .goodbye: .goodbye
        case .applicationDefined: .applicationDefined
        case .transportLayerNack, .transportWideCongestionControl: .transportLayerFeedback
        case .pictureLossIndication, .fullIntraRequest, .receiverEstimatedMaximumBitrate:
            .payloadSpecificFeedback
        case .unknown(let p): p.packetType
        }
    }

    /// Bytes ``write(to:)`` produces.
    public var marshalSize: Int {
        switch self {
        case .senderReport(let p): p.marshalSize
        case .receiverReport(let p): p.marshalSize
        case .sourceDescription(let p): p.marshalSize
        case .goodbye(let p): p.marshalSize
        case .applicationDefined(let p): p.marshalSize
        case .transportLayerNack(let p): p.marshalSize
        case .transportWideCongestionControl(let p): p.marshalSize
        case .pictureLossIndication(let p): p.marshalSize
        case .fullIntraRequest(let p): p.marshalSize
        case .receiverEstimatedMaximumBitrate(let p): p.marshalSize
        case .unknown(let p): p.marshalSize
        }
    }

    public func write(to w: inout ByteWriter) throws(WriteError) {
        switch self {
        case .senderReport(let p): try p.write(to: &w)
        case .receiverReport(let p): try p.write(to: &w)
        case .sourceDescription(let p): try p.write(to: &w)
        case .goodbye(let p): try p.write(to: &w)
        case .applicationDefined(let p): try p.write(to: &w)
        case .transportLayerNack(let p): try p.write(to: &w)
        case .transportWideCongestionControl(let p): try p.write(to: &w)
        case .pictureLossIndication(let p): try p.write(to: &w)
        case .fullIntraRequest(let p): try p.write(to: &w)
        case .receiverEstimatedMaximumBitrate(let p): try p.write(to: &w)
        case .unknown(let p): try p.write(to: &w)
        }
    }

    /// Total size of a compound packet made of `packets`.
    public static func compoundSize(_ packets: [RTCPPacket]) -> Int {
        var n = 0
        for p in packets { n &+= p.marshalSize }
        return n
    }

    /// Writes `packets` back to back as one compound packet (RFC 3550 §6.1). The caller picks
    /// the order (SR/RR first, then SDES, for a full compound packet; a lone feedback message
    /// for reduced-size RTCP, RFC 5506). Fails before writing if the buffer is too small.
    /// Packets whose writer adds RTCP padding (opaque data not a multiple of 4) belong last.
    public static func write(compound packets: [RTCPPacket], to w: inout ByteWriter) throws(WriteError) {
        try w.require(compoundSize(packets))
        for p in packets { try p.write(to: &w) }
    }
}
