/// Walks the packets reported by a ``TransportWideCongestionControl`` in sequence order,
/// without allocating: sequence number (wrapping at 65535) and arrival time in µs, or nil
/// when not received.
///
/// Yields at most ``TransportWideCongestionControl/packetStatusCount`` results. On a value
/// that was not parsed (and may be inconsistent), it stops early when a received status has
/// no delta, and treats the reserved symbol as "not received"; it never traps.
public struct TWCCPacketIterator: IteratorProtocol, Sequence {
    @usableFromInline let chunks: [TWCCPacketStatusChunk]
    @usableFromInline let deltas: [Int16]
    @usableFromInline let count: Int
    @usableFromInline let base: UInt16
    @usableFromInline var chunkIndex = 0
    @usableFromInline var indexInChunk = 0
    @usableFromInline var emitted = 0
    @usableFromInline var deltaIndex = 0
    /// Arrival time of the previous received packet (the reference time at first).
    @usableFromInline var time: Int64

    init(_ fb: TransportWideCongestionControl) {
        chunks = fb.chunks
        deltas = fb.receiveDeltas
        count = Int(fb.packetStatusCount)
        base = fb.baseSequenceNumber.rawValue
        time = fb.referenceTimeMicroseconds
    }

    public mutating func next() -> TWCCPacketResult? {
        guard emitted < count else { return nil }
        // Skip exhausted chunks (including runs of length 0).
        while chunkIndex < chunks.count, indexInChunk >= chunks[chunkIndex].capacity {
            chunkIndex &+= 1
            indexInChunk = 0
        }
        guard chunkIndex < chunks.count else {
            emitted = count
            return nil
        }
        let sym = chunks[chunkIndex].rawSymbol(at: indexInChunk)
        let seq = SequenceNumber(base &+ UInt16(truncatingIfNeeded: emitted))
        indexInChunk &+= 1
        emitted &+= 1
        guard sym == 1 || sym == 2 else {
            return TWCCPacketResult(sequenceNumber: seq, arrivalMicroseconds: nil)
        }
        guard deltaIndex < deltas.count else {
            emitted = count
            return nil
        }
        time &+= Int64(deltas[deltaIndex]) &* TransportWideCongestionControl.deltaTickMicroseconds
        deltaIndex &+= 1
        return TWCCPacketResult(sequenceNumber: seq, arrivalMicroseconds: time)
    }
}
