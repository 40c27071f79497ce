/// The numbering of one outgoing RTP stream — next sequence number (RFC 3550 §5.1) — and the
/// writing of its packet headers with the header extensions of ``RTPStreamParameters``,
/// through ``RTPPacketWriter``. Shared by ``VP8Packetizer`` and ``OpusPacketizer``.
///
/// ```
/// | fixed header | CSRCs (none) | 0xBEDE len | mid | rid | abs-send-time | twcc | audio-level | payload ...
///                               └ written only for the kinds the extension map registers ┘
/// ```
/// The transport-wide sequence number belongs to the transport, not the stream, so callers
/// pass its counter in; it is advanced only when the map registers transport-wide-cc.
public struct RTPOutgoingStream: Sendable {
    public var parameters: RTPStreamParameters
    /// The sequence number the next packet gets.
    public var nextSequenceNumber: SequenceNumber
    /// Packets written so far.
    public private(set) var packetCount: Int = 0

    public init(_ parameters: RTPStreamParameters) {
        self.parameters = parameters
        self.nextSequenceNumber = parameters.initialSequenceNumber
    }

    /// Whether the map registers a transport-wide sequence number extension.
    public var carriesTransportSequence: Bool {
        parameters.extensionMap.id(for: .transportWideCC) != nil
            || parameters.extensionMap.id(for: .transportWideCC02) != nil
    }

    /// The extension values of one packet.
    func values(now: Instant, transportSequence: UInt16, audioLevel: (voiceActivity: Bool, level: UInt8)?) -> RTPExtensionValues {
        var v = RTPExtensionValues()
        v.mid = parameters.mid
        v.rid = parameters.rid
        v.absSendTime = AbsoluteSendTime.value(at: now)
        v.transportSequence = transportSequence
        v.audioLevel = audioLevel
        return v
    }

    /// The header length (fixed header plus extension block) every packet of this stream has
    /// for the given audio-level presence.
    public func headerLength(withAudioLevel: Bool = false) throws(WriteError) -> Int {
        var scratch = [UInt8](repeating: 0, count: RTPHeader.fixedLength + 4 + 4 * 255)
        let header = RTPHeader(payloadType: parameters.payloadType, sequenceNumber: nextSequenceNumber,
                               timestamp: 0, ssrc: parameters.ssrc)
        let v = values(now: .zero, transportSequence: 0, audioLevel: withAudioLevel ? (false, 127) : nil)
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        let result: Result<Int, WriteError> = scratch.withUnsafeMutableBytes { dst in
            do throws(WriteError) {
                return .success(try RTPPacketWriter.write(header: header, values: v, map: parameters.extensionMap,
                                                          payload: empty, into: dst))
            } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Writes the header (with extensions) of the next packet at the start of `buffer` and
    /// advances the sequence number (and `transportSequence` when it is written).
    ///
    /// - Returns: the header length; the payload goes right after it.
    public mutating func writeHeader(
        timestamp: UInt32, marker: Bool, now: Instant, transportSequence: inout UInt16,
        audioLevel: (voiceActivity: Bool, level: UInt8)? = nil, into buffer: UnsafeMutableRawBufferPointer
    ) throws(WriteError) -> Int {
        let header = RTPHeader(marker: marker, payloadType: parameters.payloadType,
                               sequenceNumber: nextSequenceNumber, timestamp: timestamp, ssrc: parameters.ssrc)
        let v = values(now: now, transportSequence: transportSequence, audioLevel: audioLevel)
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        let n = try RTPPacketWriter.write(header: header, values: v, map: parameters.extensionMap,
                                          payload: empty, into: buffer)
        nextSequenceNumber = nextSequenceNumber &+ 1
        packetCount &+= 1
        if carriesTransportSequence { transportSequence &+= 1 }
        return n
    }
}
