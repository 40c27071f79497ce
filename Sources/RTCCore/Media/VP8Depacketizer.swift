/// Reassembles VP8 frames from RTP packets of one stream (RFC 7741 §4) and decides which
/// frames a decoder can use after loss. Sans-IO: ``push(_:)`` packets, then
/// ``pollOutput()`` until nil.
///
/// ```
/// packets (any order within a frame) ──▶ buffer keyed by extended sequence number
///   a frame is complete when it has: the packet with S=1,PID=0 … every sequence number in
///   between with the same timestamp … the packet with the marker bit
///   ──▶ older incomplete frames are given up (.dropped(.incomplete))
///   ──▶ loss policy ──▶ .frame(…) | .dropped(reason) [+ .keyframeNeeded]
/// ```
///
/// **Loss policy.** Frames are delivered in sequence order. When a newer frame completes,
/// every older incomplete frame is given up (reordering is tolerated within a frame, not
/// across frames). Before delivering a frame, the frames lost since the previous one are
/// identified by picture ID gaps (or, without picture IDs, by sequence gaps), and:
/// - a lost frame marked non-reference (N = 1) breaks nothing;
/// - without temporal layers (no TID/TL0PICIDX), any other loss breaks the reference chain:
///   frames are dropped as `.waitingForKeyframe` until a keyframe arrives, and
///   ``VP8DepacketizerOutput/keyframeNeeded`` is reported once so the caller can send a PLI;
/// - with temporal layers, a TL0 frame is delivered only if its TL0PICIDX follows the last
///   delivered TL0 frame's (otherwise a base frame was lost: wait for a keyframe); an
///   upper-layer frame is delivered only if it belongs to the last delivered TL0 frame and
///   either has the layer-sync bit (Y) or no frame of its layer or a lower upper layer was
///   lost or dropped since that TL0 frame (otherwise `.referenceMissing`, healed at the
///   next TL0 frame without a keyframe);
/// - a keyframe is always delivered and clears every loss state. The first frame must be a
///   keyframe.
public struct VP8Depacketizer: Sendable {
    /// One buffered packet: its payload after the VP8 descriptor; `descriptor` is nil for an
    /// empty (padding-only) packet, which holds a sequence number but no frame data.
    struct BufferedPacket: Sendable {
        var sequenceNumber: SequenceNumber
        var timestamp: UInt32
        var marker: Bool
        var ssrc: SSRC
        var descriptor: VP8PayloadDescriptor?
        var payload: [UInt8]
    }

    /// What is known about a frame that was given up.
    struct LostFrame: Sendable {
        var pictureID: UInt16?
        var temporalLayer: UInt8?
        var isNonReference: Bool
    }

    /// How a loss affects later frames.
    enum Damage: Hashable, Sendable {
        case none
        case layer(UInt8)
        case unknown
    }

    /// Packets buffered beyond this are discarded oldest first.
    public let maxBufferedPackets: Int
    public private(set) var stats = VP8DepacketizerStats()
    /// True until the first keyframe and after an unrecoverable loss.
    public private(set) var isWaitingForKeyframe = true

    private var unwrapper = SequenceUnwrapper()
    private var buffer: [UInt64: BufferedPacket] = [:]
    /// Every extended sequence number up to this one has been delivered or given up.
    private var consumedThrough: UInt64?
    private var outputs = OutputQueue<VP8DepacketizerOutput>()
    private var keyframeRequestReported = false
    private var lastTL0PicIdx: UInt8?
    /// The highest temporal layer whose frames since the last delivered TL0 frame all arrived.
    private var intactLayer = Int.max
    private var lastPictureID: UInt16?
    /// Frames given up since the last evaluated frame.
    private var lostFrames: [LostFrame] = []
    /// Sequence numbers skipped since the last evaluated frame.
    private var skippedSequenceNumbers = 0
    /// Timestamp of the last frame reported as given up (a frame is reported once even when
    /// its packets are given up in several steps).
    private var lastGivenUpTimestamp: UInt32?

    public init(maxBufferedPackets: Int = 1024) {
        self.maxBufferedPackets = max(16, maxBufferedPackets)
    }

    // MARK: - Input

    /// Adds one RTP packet (after SRTP unprotection) of the stream.
    ///
    /// - Throws: `ParseError` for a malformed RTP header or VP8 payload descriptor; the
    ///   packet is ignored then.
    public mutating func push(_ packet: UnsafeRawBufferPointer) throws(ParseError) {
        let header = try RTPHeader.parse(packet)
        let payload = header.payload(in: packet)
        var descriptor: VP8PayloadDescriptor?
        var data: [UInt8] = []
        if payload.count > 0 {
            let d = try VP8PayloadDescriptor.parse(payload)
            descriptor = d
            data = [UInt8](UnsafeRawBufferPointer(rebasing: payload[d.length...]))
        }
        let ext = unwrapper.unwrap(header.sequenceNumber)
        if let c = consumedThrough, ext <= c {
            stats.latePackets &+= 1
            return
        }
        guard buffer[ext] == nil else {
            stats.duplicatePackets &+= 1
            return
        }
        stats.packetsReceived &+= 1
        buffer[ext] = BufferedPacket(sequenceNumber: header.sequenceNumber, timestamp: header.timestamp,
                                     marker: header.marker, ssrc: header.ssrc, descriptor: descriptor, payload: data)
        if buffer.count > maxBufferedPackets { discardOldest() }
        assemble()
    }

    /// Adds one RTP packet held in an array.
    public mutating func push(_ packet: [UInt8]) throws(ParseError) {
        let r: Result<Void, ParseError> = packet.withUnsafeBytes { raw in
            do throws(ParseError) { try push(raw); return .success(()) } catch { return .failure(error) }
        }
        try r.get()
    }

    // MARK: - Output

    /// The next output, or nil when there is nothing pending (O(1)).
    public mutating func pollOutput() -> VP8DepacketizerOutput? {
        outputs.pop()
    }

    /// The next delivered frame, skipping drop and keyframe-request reports.
    public mutating func pollFrame() -> VP8DepacketizedFrame? {
        while let o = pollOutput() {
            if case .frame(let f) = o { return f }
        }
        return nil
    }

    // MARK: - Reassembly

    /// The first complete frame in sequence order: (first, last) extended sequence numbers.
    private func firstCompleteFrame(_ keys: [UInt64]) -> (UInt64, UInt64)? {
        for k in keys {
            guard let p = buffer[k], let d = p.descriptor, d.isStartOfFrame else { continue }
            var j = k
            while let q = buffer[j], q.descriptor != nil, q.timestamp == p.timestamp {
                if q.marker { return (k, j) }
                j &+= 1
            }
        }
        return nil
    }

    /// Delivers or drops every frame that can be decided now.
    private mutating func assemble() {
        while true {
            let keys = buffer.keys.sorted()
            guard let (first, last) = firstCompleteFrame(keys) else { return }
            giveUp(keys.filter { $0 < first }, reason: .incomplete)
            if let c = consumedThrough, first > c &+ 1 {
                let present = keys.lazy.filter { $0 > c && $0 < first }.count
                let skipped = Int(first &- c &- 1) &- present
                stats.missingPackets &+= skipped
                skippedSequenceNumbers &+= skipped
            }
            var packets: [BufferedPacket] = []
            var j = first
            while j <= last, let p = buffer.removeValue(forKey: j) {
                packets.append(p)
                j &+= 1
            }
            consumedThrough = last
            evaluate(frame(from: packets))
        }
    }

    /// Gives up the buffered packets at `keys` (all older than anything still wanted),
    /// reporting each frame among them once.
    private mutating func giveUp(_ keys: [UInt64], reason: VP8FrameDropReason) {
        guard let maxKey = keys.max() else { return }
        for k in keys.sorted() {
            guard let p = buffer.removeValue(forKey: k), let d = p.descriptor else { continue }
            if p.timestamp == lastGivenUpTimestamp { continue }
            lastGivenUpTimestamp = p.timestamp
            lostFrames.append(LostFrame(pictureID: d.pictureID, temporalLayer: d.temporalLayer,
                                        isNonReference: d.nonReference))
            report(.dropped(reason, timestamp: p.timestamp, pictureID: d.pictureID), reason: reason)
        }
        if let c = consumedThrough, maxKey > c {
            let skipped = Int(maxKey &- c) &- keys.count
            if skipped > 0 {
                stats.missingPackets &+= skipped
                skippedSequenceNumbers &+= skipped
            }
        }
        consumedThrough = max(consumedThrough ?? maxKey, maxKey)
    }

    /// Discards the oldest quarter of the buffer when it is full.
    private mutating func discardOldest() {
        let keys = buffer.keys.sorted()
        giveUp(Array(keys.prefix(max(1, keys.count / 4))), reason: .bufferOverflow)
    }

    /// Joins the packets of one complete frame.
    private func frame(from packets: [BufferedPacket]) -> VP8DepacketizedFrame {
        // packets is non-empty: assemble() found a complete frame from `first` to `last`.
        let head = packets[0]
        let d = head.descriptor ?? VP8PayloadDescriptor()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(packets.reduce(0) { $0 + $1.payload.count })
        for p in packets { bytes.append(contentsOf: p.payload) }
        return VP8DepacketizedFrame(
            bytes: bytes, ssrc: head.ssrc, timestamp: head.timestamp, isKeyframe: d.isKeyframe,
            width: d.width, height: d.height, pictureID: d.pictureID, pictureIDIs15Bit: d.pictureIDIs15Bit,
            tl0PicIdx: d.tl0PicIdx,
            temporalLayer: d.temporalLayer, layerSync: d.layerSync, isNonReference: d.nonReference,
            firstSequenceNumber: head.sequenceNumber,
            lastSequenceNumber: packets[packets.count - 1].sequenceNumber, packetCount: packets.count)
    }

    // MARK: - Loss policy

    /// What the losses since the previous frame do to `f`'s references.
    private func damages(before f: VP8DepacketizedFrame, pictureID15: Bool) -> [Damage] {
        var out: [Damage] = []
        func damage(_ l: LostFrame) -> Damage {
            if l.isNonReference { return .none }
            if let t = l.temporalLayer { return .layer(t) }
            return .unknown
        }
        if let pid = f.pictureID, let last = lastPictureID {
            let mask: UInt16 = pictureID15 ? 0x7FFF : 0x7F
            let gap = Int((pid &- last &- 1) & mask)
            guard gap <= 512 else { return [.unknown] }
            for i in 0..<gap {
                let id = (last &+ 1 &+ UInt16(i)) & mask
                if let l = lostFrames.last(where: { $0.pictureID.map { $0 & mask } == id }) {
                    out.append(damage(l))
                } else {
                    out.append(.unknown)
                }
            }
        } else {
            out = lostFrames.map(damage)
            if skippedSequenceNumbers > 0 { out.append(.unknown) }
        }
        return out
    }

    private mutating func evaluate(_ f: VP8DepacketizedFrame) {
        let losses = damages(before: f, pictureID15: f.pictureIDIs15Bit)
        lostFrames.removeAll(keepingCapacity: true)
        skippedSequenceNumbers = 0
        if let pid = f.pictureID { lastPictureID = pid }

        if f.isKeyframe {
            isWaitingForKeyframe = false
            keyframeRequestReported = false
            lastTL0PicIdx = f.tl0PicIdx
            intactLayer = Int.max
            deliver(f)
            return
        }
        if isWaitingForKeyframe {
            drop(f, .waitingForKeyframe)
            return
        }
        guard let layer = f.temporalLayer, let tl0 = f.tl0PicIdx else {
            // No temporal structure: every frame references the previous one.
            if losses.contains(where: { $0 != .none }) {
                startWaitingForKeyframe()
                drop(f, .waitingForKeyframe)
            } else {
                deliver(f)
            }
            return
        }
        for d in losses {
            switch d {
            case .none: break
            case .layer(let l) where l == 0: startWaitingForKeyframe()
            case .layer(let l): intactLayer = min(intactLayer, Int(l) - 1)
            case .unknown: intactLayer = min(intactLayer, 0)  // a lost TL0 shows in TL0PICIDX
            }
        }
        if isWaitingForKeyframe {
            drop(f, .waitingForKeyframe)
            return
        }
        guard let lastTL0 = lastTL0PicIdx else {
            // A keyframe without TL0PICIDX started the stream; adopt this base.
            lastTL0PicIdx = tl0
            if layer == 0 { intactLayer = Int.max }
            deliver(f)
            return
        }
        if layer == 0 {
            if tl0 == lastTL0 &+ 1 {
                lastTL0PicIdx = tl0
                intactLayer = Int.max
                deliver(f)
            } else {
                startWaitingForKeyframe()
                drop(f, .waitingForKeyframe)
            }
            return
        }
        if tl0 != lastTL0 {
            if tl0 == lastTL0 &+ 1 {
                // Its TL0 frame was lost, and with it the base chain.
                startWaitingForKeyframe()
                drop(f, .waitingForKeyframe)
            } else {
                drop(f, .referenceMissing)
            }
            return
        }
        if f.layerSync || Int(layer) <= intactLayer {
            deliver(f)
        } else {
            if !f.isNonReference { intactLayer = min(intactLayer, Int(layer) - 1) }
            drop(f, .referenceMissing)
        }
    }

    private mutating func startWaitingForKeyframe() {
        if !isWaitingForKeyframe {
            isWaitingForKeyframe = true
            keyframeRequestReported = false
        }
    }

    private mutating func deliver(_ f: VP8DepacketizedFrame) {
        stats.framesDelivered &+= 1
        if f.isKeyframe { stats.keyframesDelivered &+= 1 }
        outputs.push(.frame(f))
    }

    private mutating func drop(_ f: VP8DepacketizedFrame, _ reason: VP8FrameDropReason) {
        report(.dropped(reason, timestamp: f.timestamp, pictureID: f.pictureID), reason: reason)
    }

    private mutating func report(_ o: VP8DepacketizerOutput, reason: VP8FrameDropReason) {
        switch reason {
        case .incomplete: stats.droppedIncomplete &+= 1
        case .waitingForKeyframe: stats.droppedWaitingForKeyframe &+= 1
        case .referenceMissing: stats.droppedReferenceMissing &+= 1
        case .bufferOverflow: stats.droppedBufferOverflow &+= 1
        }
        outputs.push(o)
        if reason == .waitingForKeyframe && !keyframeRequestReported {
            keyframeRequestReported = true
            stats.keyframeRequests &+= 1
            outputs.push(.keyframeNeeded)
        }
    }
}
