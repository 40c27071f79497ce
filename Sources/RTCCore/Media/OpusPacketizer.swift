/// Puts Opus packets into RTP (RFC 7587 §4.2): one Opus packet per RTP packet, the payload
/// being the Opus packet unchanged, the timestamp advancing by the packet's duration in
/// 48 kHz samples (read from its TOC, ``OpusTOC``). The marker bit is set on the first packet
/// (start of a talkspurt, RFC 3551 §4.1). With `audio-level` in the extension map the RFC 6464
/// level is written (computed by the caller, e.g. ``AudioLevel/level(of:)``).
///
/// ```
/// | RTP hdr | 0xBEDE len | mid | abs-send-time | twcc | audio-level |V|level| | TOC | frame ... |
/// ```
public struct OpusPacketizer: Sendable {
    public var stream: RTPOutgoingStream
    /// RTP timestamp of the next packet.
    public var nextTimestamp: UInt32
    /// Transport-wide sequence counter used by ``packetize(_:audioLevel:now:)``.
    public var transportSequence: UInt16 = 1
    private var startOfTalkspurt = true

    public init(parameters: RTPStreamParameters) {
        self.stream = RTPOutgoingStream(parameters)
        self.nextTimestamp = parameters.timestampOffset
    }

    /// Marks the next packet as the start of a talkspurt (after a DTX/silence gap).
    public mutating func markTalkspurt() { startOfTalkspurt = true }

    /// Writes one RTP packet carrying `opusPacket` into `buffer` and returns its length.
    ///
    /// - Throws: `WriteError(.rtp, .bufferTooSmall)` when it does not fit `buffer` or
    ///   ``RTPStreamParameters/maxPacketSize``.
    public mutating func packetize(
        _ opusPacket: UnsafeRawBufferPointer, audioLevel: (voiceActivity: Bool, level: UInt8)? = nil,
        now: Instant, transportSequence: inout UInt16, into buffer: UnsafeMutableRawBufferPointer
    ) throws(WriteError) -> Int {
        let limit = min(buffer.count, stream.parameters.maxPacketSize)
        let dst = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<max(0, limit)])
        // Duration from the TOC; an unparsable packet is still sent, counted as 20 ms.
        let samples = (try? OpusTOC.parse(opusPacket).packetDurationSamples) ?? OpusEncoder.frameSamples
        var seq = transportSequence
        let before = stream.nextSequenceNumber
        let h = try stream.writeHeader(timestamp: nextTimestamp, marker: startOfTalkspurt, now: now,
                                       transportSequence: &seq, audioLevel: audioLevel, into: dst)
        var w = ByteWriter(dst, format: .rtp, position: h)
        do {
            try w.writeBytes(opusPacket)
        } catch {
            stream.nextSequenceNumber = before  // nothing was sent
            throw error
        }
        transportSequence = seq
        startOfTalkspurt = false
        nextTimestamp &+= UInt32(truncatingIfNeeded: samples)
        return w.position
    }

    /// One RTP packet as a new array, using this packetizer's own transport-wide counter.
    public mutating func packetize(
        _ opusPacket: [UInt8], audioLevel: (voiceActivity: Bool, level: UInt8)? = nil, now: Instant = .zero
    ) throws(WriteError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: stream.parameters.maxPacketSize)
        var seq = transportSequence
        let result: Result<Int, WriteError> = out.withUnsafeMutableBytes { dst in
            opusPacket.withUnsafeBytes { src in
                do throws(WriteError) {
                    return .success(try packetize(src, audioLevel: audioLevel, now: now, transportSequence: &seq, into: dst))
                } catch { return .failure(error) }
            }
        }
        let n = try result.get()
        transportSequence = seq
        out.removeSubrange(n...)
        return out
    }
}
