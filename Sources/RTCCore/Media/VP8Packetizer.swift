/// Splits encoded VP8 frames into RTP packets (RFC 7741 §4): each payload is a VP8 payload
/// descriptor followed by a slice of the frame, every packet at most
/// ``RTPStreamParameters/maxPacketSize`` bytes, slices of near-equal size, the marker bit on
/// the last packet of the frame (§4.1).
///
/// ```
/// frame:   | VP8 frame bytes ......................................................... |
///            ↓ slice 0                  ↓ slice 1                  ↓ slice 2
/// packet:  | RTP hdr+ext | X=1 S=1 PID=0 | I L T | PictureID(15) | TL0PICIDX | TID Y | slice 0 |  M=0
///          | RTP hdr+ext | X=1 S=0 PID=0 | I L T | PictureID(15) | TL0PICIDX | TID Y | slice 1 |  M=0
///          | RTP hdr+ext | X=1 S=0 PID=0 | I L T | PictureID(15) | TL0PICIDX | TID Y | slice 2 |  M=1
/// ```
/// Every packet carries the same extended fields, as Chromium sends them: the 15-bit picture
/// ID (incremented per frame), and with temporal layers TL0PICIDX (incremented on each TL0
/// frame; upper-layer frames carry the index of the TL0 frame they follow), TID and Y. N is
/// set for non-reference frames. All frame slices use PID 0 (no partition alignment).
public struct VP8Packetizer: Sendable {
    public var stream: RTPOutgoingStream
    /// The picture ID the next frame gets (15 bits).
    public var nextPictureID: UInt16
    /// TL0PICIDX of the latest TL0 frame (the next TL0 frame gets this plus one).
    public var tl0PicIdx: UInt8
    /// Transport-wide sequence counter used by ``packetize(_:now:)`` (callers sharing one
    /// transport across streams pass their own counter to the other overload).
    public var transportSequence: UInt16 = 1
    /// Frames packetized so far.
    public private(set) var frameCount = 0

    public init(parameters: RTPStreamParameters, initialPictureID: UInt16 = 0, initialTL0PicIdx: UInt8 = 0) {
        self.stream = RTPOutgoingStream(parameters)
        self.nextPictureID = initialPictureID & 0x7FFF
        self.tl0PicIdx = initialTL0PicIdx &- 1
    }

    /// The payload descriptor for `frame` (before S is set per packet); advances the picture
    /// ID and TL0PICIDX.
    mutating func descriptor(for frame: VP8EncodedFrame) -> VP8PayloadDescriptor {
        let layered = frame.temporalLayerCount > 1
        if layered && frame.temporalLayer == 0 { tl0PicIdx &+= 1 }
        let d = VP8PayloadDescriptor(
            nonReference: frame.isNonReference, startOfPartition: false, partitionIndex: 0,
            pictureID: nextPictureID, pictureIDIs15Bit: true,
            tl0PicIdx: layered ? tl0PicIdx : nil,
            temporalLayer: layered ? frame.temporalLayer : nil,
            layerSync: layered && frame.layerSync)
        nextPictureID = (nextPictureID &+ 1) & 0x7FFF
        return d
    }

    /// Packetizes `frame`, calling `emit` with each finished packet (valid only during the
    /// call). The RTP timestamp is the stream's offset plus the frame's 90 kHz pts.
    ///
    /// - Throws: `WriteError(.vp8, .bufferTooSmall)` when ``RTPStreamParameters/maxPacketSize``
    ///   leaves no room for payload after the headers; nothing is emitted then.
    public mutating func packetize(
        _ frame: VP8EncodedFrame, now: Instant, transportSequence: inout UInt16,
        emit: (UnsafeRawBufferPointer) -> Void
    ) throws(WriteError) {
        let headerLength = try stream.headerLength()
        let saved = (nextPictureID, tl0PicIdx)
        var d = descriptor(for: frame)
        let room = stream.parameters.maxPacketSize - headerLength - d.encodedLength
        guard room > 0 else {
            (nextPictureID, tl0PicIdx) = saved
            throw WriteError(.vp8, .bufferTooSmall, needed: headerLength + d.encodedLength + 1)
        }
        let total = frame.bytes.count
        let count = max(1, (total + room - 1) / room)
        let base = total / count, extra = total % count
        let timestamp = stream.parameters.timestampOffset &+ UInt32(truncatingIfNeeded: frame.pts)
        var buffer = [UInt8](repeating: 0, count: stream.parameters.maxPacketSize)
        var start = 0
        for i in 0..<count {
            // The first `extra` slices are one byte longer; together they cover the frame.
            let length = base + (i < extra ? 1 : 0)
            d.startOfPartition = i == 0
            let result: Result<Int, WriteError> = buffer.withUnsafeMutableBytes { dst in
                frame.bytes.withUnsafeBytes { src in
                    do throws(WriteError) {
                        let h = try stream.writeHeader(timestamp: timestamp, marker: i == count - 1, now: now,
                                                       transportSequence: &transportSequence, into: dst)
                        var w = ByteWriter(dst, format: .vp8, position: h)
                        try d.write(to: &w)
                        try w.writeBytes(UnsafeRawBufferPointer(rebasing: src[start..<(start + length)]))
                        return .success(w.position)
                    } catch { return .failure(error) }
                }
            }
            let n = try result.get()
            buffer.withUnsafeBytes { emit(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            start += length
        }
        frameCount &+= 1
    }

    /// Packetizes `frame` into new arrays, using this packetizer's own transport-wide counter.
    public mutating func packetize(_ frame: VP8EncodedFrame, now: Instant = .zero) throws(WriteError) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var seq = transportSequence
        defer { transportSequence = seq }
        try packetize(frame, now: now, transportSequence: &seq) { out.append([UInt8]($0)) }
        return out
    }
}
