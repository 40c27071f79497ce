/// What one subscription sent, by its own (rewritten) sequence number: which source packet
/// (layer, publisher sequence number), the timestamp and VP8 picture IDs it carried. Enough to
/// write the same packet again from the layer's ``RTXPacketCache`` and send it as RTX (RFC 4588):
/// a few bytes a packet instead of a copy.
final class RetransmissionIndex {
    struct Entry {
        var sequence: UInt16
        var sourceSequence: UInt16
        var layer: UInt8
        var valid: Bool
        /// The marker bit written over the source's: 0 none, 1 cleared, 2 set (SVC).
        var marker: UInt8
        /// The subscription's recipe and the publication's source-map generations when sent:
        /// an original is resent only if both are unchanged (the same bytes again).
        var generation: UInt16
        var timestamp: UInt32
        var resentAt: Int64
        /// The VP8 picture ID and TL0PICIDX the packet carried (0xFFFF: none).
        var pictureID: UInt16
        var tl0PicIdx: UInt16
    }

    let capacity: Int
    private let entries: UnsafeMutablePointer<Entry>

    init(capacity: Int) {
        var c = 1
        while c < min(max(capacity, 1), 32_768) { c <<= 1 }
        self.capacity = c
        entries = .allocate(capacity: c)
        entries.initialize(repeating: Entry(sequence: 0, sourceSequence: 0, layer: 0, valid: false, marker: 0, generation: 0, timestamp: 0,
                                            resentAt: .min, pictureID: 0xFFFF, tl0PicIdx: 0xFFFF), count: c)
    }

    deinit { entries.deallocate() }

    @inline(__always)
    func record(sequence: UInt16, sourceSequence: UInt16, layer: Int, timestamp: UInt32,
                pictureID: UInt16 = 0xFFFF, tl0PicIdx: UInt16 = 0xFFFF, marker: Bool? = nil, generation: UInt16 = 0) {
        entries[Int(sequence) & (capacity &- 1)] = Entry(
            sequence: sequence, sourceSequence: sourceSequence, layer: UInt8(truncatingIfNeeded: layer), valid: true,
            marker: marker.map { $0 ? 2 : 1 } ?? 0, generation: generation,
            timestamp: timestamp, resentAt: .min, pictureID: pictureID, tl0PicIdx: tl0PicIdx)
    }

    /// The entry for `sequence` if held and not resent within `minInterval` (marked resent).
    func take(_ sequence: UInt16, now: Instant, minInterval: Duration) -> Entry? {
        let i = Int(sequence) & (capacity &- 1)
        let e = entries[i]
        guard e.valid, e.sequence == sequence else { return nil }
        if e.resentAt != .min, now.nanoseconds &- e.resentAt < minInterval.rtcNanoseconds { return nil }
        entries[i].resentAt = now.nanoseconds
        return e
    }
}
