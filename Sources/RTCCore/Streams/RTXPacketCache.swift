/// The sender's store of recently sent RTP packets, to answer generic NACKs (RFC 4585
/// §6.2.1) with retransmissions (RFC 4588): a ring of `capacity` fixed-size slots, allocated
/// once at setup, into which each sent packet's bytes are copied. Storing and looking up
/// never allocate.
///
/// ```
///  slot = sequence number mod capacity
///  +--------+--------+--------+-----+------------+
///  | slot 0 | slot 1 | slot 2 | ... | slot N − 1 |   bytes: capacity × maxPacketSize
///  +--------+--------+--------+-----+------------+
///  per slot: sequence number, length (0 = empty), sent at, last resent at, resend count
/// ```
///
/// Keyed by the sequence number the packet was *sent* with (for an SFU: the subscriber's
/// output sequence number from ``SequenceRewriter``), so a NACK's numbers look packets up
/// directly. A slot holds only the newest packet whose number maps to it; a lookup checks the
/// full sequence number and the age, so an overwritten or stale slot answers nothing.
///
/// Memory: `capacity × maxPacketSize` bytes (512 × 1,500 ≈ 750 KB): size it per stream kind
/// (audio needs far fewer slots than video), and share one cache per publisher stream when
/// retransmissions are rebuilt per subscriber. ``SFURouter`` does the latter: one cache per
/// publisher layer, keyed by the publisher's sequence numbers, and per subscription a
/// ``RetransmissionIndex`` from its own sequence numbers back to them.
public struct RTXPacketCache: Sendable {
    /// Number of slots (a power of two).
    public let capacity: Int
    /// Largest packet a slot holds; longer packets are not stored.
    public let maxPacketSize: Int
    /// Packets older than this are not retransmitted (the receiver has given up on them).
    public var maxAge: Duration

    private var storage: [UInt8]
    private var sequenceNumbers: [UInt16]
    private var lengths: [Int32]
    private var sentAt: [Int64]
    private var resentAt: [Int64]
    private var resendCounts: [UInt8]

    /// - Parameters:
    ///   - capacity: slots, rounded up to a power of two (1...32,768).
    ///   - maxPacketSize: bytes per slot (1...65,535).
    ///   - maxAge: how long a packet stays eligible for retransmission.
    public init(capacity: Int = 512, maxPacketSize: Int = 1500, maxAge: Duration = .seconds(2)) {
        var c = 1
        let wanted = min(max(capacity, 1), 32_768)
        while c < wanted { c <<= 1 }
        self.capacity = c
        self.maxPacketSize = min(max(maxPacketSize, 1), 65_535)
        self.maxAge = maxAge
        storage = [UInt8](repeating: 0, count: c * self.maxPacketSize)
        sequenceNumbers = [UInt16](repeating: 0, count: c)
        lengths = [Int32](repeating: 0, count: c)
        sentAt = [Int64](repeating: 0, count: c)
        resentAt = [Int64](repeating: .min, count: c)
        resendCounts = [UInt8](repeating: 0, count: c)
    }

    @inline(__always)
    private func slot(_ seq: SequenceNumber) -> Int { Int(seq.rawValue) & (capacity &- 1) }

    /// Copies a sent packet into the slot of `sequenceNumber` (replacing what was there).
    ///
    /// - Returns: false (and stores nothing, clearing the slot) when the packet is empty or
    ///   longer than ``maxPacketSize``.
    @discardableResult
    public mutating func store(
        _ packet: UnsafeRawBufferPointer, sequenceNumber: SequenceNumber, sentAt now: Instant
    ) -> Bool {
        let i = slot(sequenceNumber)
        guard packet.count > 0, packet.count <= maxPacketSize, let src = packet.baseAddress else {
            lengths[i] = 0
            return false
        }
        let start = i &* maxPacketSize
        storage.withUnsafeMutableBytes { dst in
            // start + count ≤ (i + 1) × maxPacketSize ≤ storage.count, as i < capacity.
            if let base = dst.baseAddress {
                (base + start).copyMemory(from: src, byteCount: packet.count)
            }
        }
        sequenceNumbers[i] = sequenceNumber.rawValue
        lengths[i] = Int32(packet.count)
        sentAt[i] = now.nanoseconds
        resentAt[i] = .min
        resendCounts[i] = 0
        return true
    }

    /// Whether a packet with this sequence number is held and not older than ``maxAge``.
    public func contains(_ seq: SequenceNumber, now: Instant) -> Bool {
        let i = slot(seq)
        return lengths[i] > 0 && sequenceNumbers[i] == seq.rawValue
            && now - Instant(nanoseconds: sentAt[i]) <= maxAge
    }

    /// Calls `body` with the stored bytes of `seq` and when it was first sent; nil when the
    /// packet is not held (never stored, overwritten, or older than ``maxAge``).
    /// The buffer is valid only inside `body`.
    public func withPacket<R, E: Error>(
        _ seq: SequenceNumber, now: Instant,
        _ body: (UnsafeRawBufferPointer, Instant) throws(E) -> R
    ) throws(E) -> R? {
        guard contains(seq, now: now) else { return nil }
        let i = slot(seq)
        let start = i &* maxPacketSize
        let length = Int(lengths[i])
        let sent = Instant(nanoseconds: sentAt[i])
        let result: Result<R, E> = storage.withUnsafeBytes { raw in
            do throws(E) {
                return .success(try body(UnsafeRawBufferPointer(rebasing: raw[start..<(start &+ length)]), sent))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Like ``withPacket(_:now:_:)`` for answering a NACK: also refuses a packet that was
    /// already resent less than `minInterval` ago (a receiver repeats its NACK until the
    /// retransmission has had a round trip to arrive; use the RTT), and records this resend.
    public mutating func retransmit<R, E: Error>(
        _ seq: SequenceNumber, now: Instant, minInterval: Duration = .zero,
        _ body: (UnsafeRawBufferPointer) throws(E) -> R
    ) throws(E) -> R? {
        guard contains(seq, now: now) else { return nil }
        let i = slot(seq)
        if resentAt[i] != .min, now - Instant(nanoseconds: resentAt[i]) < minInterval { return nil }
        resentAt[i] = now.nanoseconds
        resendCounts[i] = resendCounts[i] &+ (resendCounts[i] == .max ? 0 : 1)
        return try withPacket(seq, now: now) { (bytes, _) throws(E) -> R in try body(bytes) }
    }

    /// How many times `seq` was resent through ``retransmit(_:now:minInterval:_:)`` (0 when
    /// not held).
    public func resendCount(_ seq: SequenceNumber) -> Int {
        let i = slot(seq)
        return lengths[i] > 0 && sequenceNumbers[i] == seq.rawValue ? Int(resendCounts[i]) : 0
    }

    /// Forgets every packet (e.g. on an SSRC change).
    public mutating func removeAll() {
        for i in 0..<capacity { lengths[i] = 0 }
    }
}
