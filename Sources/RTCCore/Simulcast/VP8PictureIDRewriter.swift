/// Keeps the VP8 picture ID (7 or 15 bits) and TL0PICIDX (8 bits) of a forwarded stream
/// continuous across source switches (RFC 7741 §4.2: a receiver uses gaps in them to detect
/// lost pictures), rewriting them in the egress copy with
/// ``VP8PayloadDescriptor/rewrite(_:pictureID:tl0PicIdx:)``.
///
/// ```
///        0 1 2 3 4 5 6 7
///       +-+-+-+-+-+-+-+-+
///       |X|R|N|S|R| PID |
///       +-+-+-+-+-+-+-+-+
///  X:   |I|L|T|K| RSV   |
///       +-+-+-+-+-+-+-+-+
///  I:   |M| PictureID   |   <- rewritten: previous output + 1 at a switch, then + input step
///       +-+-+-+-+-+-+-+-+
///       |   PictureID   |
///       +-+-+-+-+-+-+-+-+
///  L:   |   TL0PICIDX   |   <- rewritten the same way, modulo 256
///       +-+-+-+-+-+-+-+-+
/// ```
///
/// Each field has its own serial rewriter (the engine of ``SequenceRewriter``): after
/// ``sync()`` the next picture of the new source continues at the previous output + 1, and
/// ``drop(_:)`` lets the SFU drop whole pictures (temporal-layer filtering) without leaving a
/// gap in picture IDs. A 7-bit input picture ID is extended to 15 bits before mapping; a 7-bit
/// field in the packet keeps the low 7 bits of the output. No heap.
public struct VP8PictureIDRewriter: Sendable {
    private var pictureIDs: SerialNumberRewriter
    private var tl0PicIdxs: SerialNumberRewriter
    private var pictureIDSyncPending = false
    private var tl0SyncPending = false

    public init(initialPictureID: UInt16 = 0, initialTL0PicIdx: UInt8 = 0) {
        pictureIDs = SerialNumberRewriter(bits: 15, initialOutput: initialPictureID)
        tl0PicIdxs = SerialNumberRewriter(bits: 8, initialOutput: UInt16(initialTL0PicIdx))
    }

    /// The picture ID (15 bits) the next new picture will get.
    public var nextPictureID: UInt16 { pictureIDs.nextOutput }
    /// The TL0PICIDX the next new base-layer picture will get.
    public var nextTL0PicIdx: UInt8 { UInt8(truncatingIfNeeded: tl0PicIdxs.nextOutput) }

    /// The next packet carrying a picture ID (and the next carrying a TL0PICIDX) starts a new
    /// source: call it when the SFU switches layer or source, before forwarding the keyframe.
    public mutating func sync() {
        pictureIDSyncPending = true
        tl0SyncPending = true
    }

    /// A 7-bit input picture ID placed at the 15-bit value nearest the newest input.
    private func extended(_ descriptor: VP8PayloadDescriptor, _ id: UInt16) -> UInt16 {
        guard !descriptor.pictureIDIs15Bit, pictureIDs.started, !pictureIDSyncPending else { return id & 0x7FFF }
        let h = pictureIDs.highestInput
        let step = Int8(truncatingIfNeeded: (UInt8(truncatingIfNeeded: id) &- UInt8(truncatingIfNeeded: h)) << 1) >> 1
        return (h &+ UInt16(bitPattern: Int16(step))) & 0x7FFF
    }

    /// `.some(nil)`: no picture ID to rewrite, forward; `nil`: do not forward.
    private mutating func pictureIDInput(_ descriptor: VP8PayloadDescriptor, drop: Bool) -> UInt16?? {
        guard let raw = descriptor.pictureID else { return .some(nil) }
        let id = extended(descriptor, raw)
        if pictureIDSyncPending {
            pictureIDs.sync(to: id)
            pictureIDSyncPending = false
        }
        if drop {
            pictureIDs.drop(id)
            return nil
        }
        guard let out = pictureIDs.input(id) else { return nil }
        return .some(out)
    }

    /// The output picture ID and TL0PICIDX for a packet with `descriptor` (fields it does not
    /// carry stay nil), or nil when the packet must not be forwarded (its picture was dropped,
    /// or it is from before the switch).
    public mutating func map(_ descriptor: VP8PayloadDescriptor) -> (pictureID: UInt16?, tl0PicIdx: UInt8?)? {
        guard let pid = pictureIDInput(descriptor, drop: false) else { return nil }
        var tl0: UInt8?
        if let t = descriptor.tl0PicIdx {
            if tl0SyncPending {
                tl0PicIdxs.sync(to: UInt16(t))
                tl0SyncPending = false
            }
            guard let out = tl0PicIdxs.input(UInt16(t)) else { return nil }
            tl0 = UInt8(truncatingIfNeeded: out)
        }
        return (pid, tl0)
    }

    /// Marks the picture of this packet as not forwarded (call it for every packet of the
    /// picture). Returns true when the picture ID sequence stays gap-free (see
    /// ``SequenceRewriter/drop(_:)``). TL0PICIDX is not touched: base-layer pictures are not
    /// dropped by temporal filtering, and the others do not increment it.
    @discardableResult
    public mutating func drop(_ descriptor: VP8PayloadDescriptor) -> Bool {
        guard let raw = descriptor.pictureID else { return true }
        let id = extended(descriptor, raw)
        if pictureIDSyncPending {
            pictureIDs.sync(to: id)
            pictureIDSyncPending = false
        }
        return pictureIDs.drop(id)
    }

    /// Rewrites the payload descriptor at the start of `payload` (the egress copy), given the
    /// `descriptor` already parsed from the same bytes (e.g. by the router's layer gate).
    ///
    /// - Returns: false when the packet must not be forwarded (see ``map(_:)``); the payload is
    ///   then left untouched.
    /// - Throws: the descriptor's ``ParseError`` if `payload` does not hold a valid one.
    public mutating func rewrite(
        _ payload: UnsafeMutableRawBufferPointer, descriptor: VP8PayloadDescriptor
    ) throws(ParseError) -> Bool {
        guard let out = map(descriptor) else { return false }
        try VP8PayloadDescriptor.rewrite(payload, pictureID: out.pictureID, tl0PicIdx: out.tl0PicIdx)
        return true
    }

    /// Parses and rewrites the payload descriptor at the start of `payload`.
    ///
    /// - Returns: the descriptor as parsed (before rewriting) and whether the packet is to be
    ///   forwarded.
    public mutating func rewrite(
        _ payload: UnsafeMutableRawBufferPointer
    ) throws(ParseError) -> (descriptor: VP8PayloadDescriptor, forward: Bool) {
        let d = try VP8PayloadDescriptor.parse(UnsafeRawBufferPointer(payload))
        let forward = try rewrite(payload, descriptor: d)
        return (d, forward)
    }
}
