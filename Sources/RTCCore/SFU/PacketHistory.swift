/// The last packets of one publisher stream (one simulcast layer), decrypted, kept so the
/// router can answer subscribers' NACKs: one copy per received packet, shared by every
/// subscription of the layer (each subscription keeps only a small ``RetransmissionIndex``).
///
/// A ring of `capacity` slots indexed by sequence number (a power of two), in raw memory
/// allocated once: storing a packet is one copy and three scalar writes, with no reference
/// counting or uniqueness checks on the per-packet path.
final class PacketHistory {
    let capacity: Int
    let slotSize: Int
    let maxAge: Duration
    private let storage: UnsafeMutableRawBufferPointer
    private let sequences: UnsafeMutablePointer<UInt16>
    private let lengths: UnsafeMutablePointer<Int32>
    private let storedAt: UnsafeMutablePointer<Int64>

    init(capacity: Int, slotSize: Int, maxAge: Duration = .seconds(2)) {
        var c = 1
        while c < min(max(capacity, 1), 32_768) { c <<= 1 }
        self.capacity = c
        self.slotSize = max(1, slotSize)
        self.maxAge = maxAge
        storage = .allocate(byteCount: c * self.slotSize, alignment: 16)
        sequences = .allocate(capacity: c)
        sequences.initialize(repeating: 0, count: c)
        lengths = .allocate(capacity: c)
        lengths.initialize(repeating: 0, count: c)
        storedAt = .allocate(capacity: c)
        storedAt.initialize(repeating: 0, count: c)
    }

    deinit {
        storage.deallocate()
        sequences.deallocate()
        lengths.deallocate()
        storedAt.deallocate()
    }

    /// Keeps `packet` as the one with `sequence` (replacing what its slot held).
    @inline(__always)
    func store(_ packet: UnsafeRawBufferPointer, sequence: UInt16, now: Instant) {
        let i = Int(sequence) & (capacity &- 1)
        guard packet.count > 0, packet.count <= slotSize, let src = packet.baseAddress,
              let dst = storage.baseAddress else {
            lengths[i] = 0
            return
        }
        (dst + i &* slotSize).copyMemory(from: src, byteCount: packet.count)
        sequences[i] = sequence
        lengths[i] = Int32(truncatingIfNeeded: packet.count)
        storedAt[i] = now.nanoseconds
    }

    /// The packet with `sequence`, if held and younger than `maxAge`; valid until the next
    /// `store`.
    func packet(_ sequence: UInt16, now: Instant) -> UnsafeRawBufferPointer? {
        let i = Int(sequence) & (capacity &- 1)
        let n = Int(lengths[i])
        guard n > 0, sequences[i] == sequence, now.nanoseconds &- storedAt[i] <= maxAge.rtcNanoseconds,
              let base = storage.baseAddress else { return nil }
        return UnsafeRawBufferPointer(start: base + i &* slotSize, count: n)
    }
}

/// What one subscription sent, by its own (rewritten) sequence number: which source packet
/// (layer, publisher sequence number), the timestamp and VP8 picture IDs it carried. Enough to
/// write the same packet again from the layer's ``PacketHistory`` and send it as RTX (RFC 4588):
/// a few bytes a packet instead of a copy.
final class RetransmissionIndex {
    struct Entry {
        var sequence: UInt16
        var sourceSequence: UInt16
        var layer: UInt8
        var valid: Bool
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
        entries.initialize(repeating: Entry(sequence: 0, sourceSequence: 0, layer: 0, valid: false, timestamp: 0,
                                            resentAt: .min, pictureID: 0xFFFF, tl0PicIdx: 0xFFFF), count: c)
    }

    deinit { entries.deallocate() }

    @inline(__always)
    func record(sequence: UInt16, sourceSequence: UInt16, layer: Int, timestamp: UInt32,
                pictureID: UInt16 = 0xFFFF, tl0PicIdx: UInt16 = 0xFFFF) {
        entries[Int(sequence) & (capacity &- 1)] = Entry(
            sequence: sequence, sourceSequence: sourceSequence, layer: UInt8(truncatingIfNeeded: layer), valid: true,
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
