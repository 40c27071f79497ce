/// Preallocated storage for the datagrams the router produces: a bump region of fixed-size
/// slots and a queue of entries, both reset once everything was polled. No heap allocation in
/// steady state (the entry array keeps its capacity).
struct EgressBuffer {
    struct Entry {
        var connection: SFUConnectionID
        var offset: Int
        var length: Int
        var to: TransportAddress
        var from: TransportAddress
    }

    let slotSize: Int
    let slotCount: Int
    private let storage: UnsafeMutableRawBufferPointer
    private var used = 0
    private var entries: [Entry] = []
    private var head = 0

    init(slotSize: Int, slotCount: Int) {
        self.slotSize = slotSize
        self.slotCount = max(1, slotCount)
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: slotSize * max(1, slotCount), alignment: 16)
        entries.reserveCapacity(max(1, slotCount))
    }

    func deallocate() { storage.deallocate() }

    var isEmpty: Bool { head >= entries.count }

    /// Forgets what was not polled; returns how many transmits that was.
    mutating func reset() -> Int {
        let lost = entries.count - head
        entries.removeAll(keepingCapacity: true)
        head = 0
        used = 0
        return lost
    }

    /// The slot the next datagram is written into, or nil when every slot is taken. The same
    /// slot is returned until ``commit(_:)`` takes it.
    func nextSlot() -> UnsafeMutableRawBufferPointer? {
        guard used < slotCount else { return nil }
        let start = used * slotSize
        return UnsafeMutableRawBufferPointer(rebasing: storage[start..<(start + slotSize)])
    }

    /// Queues the datagram written into ``nextSlot()``.
    mutating func commit(length: Int, connection: SFUConnectionID, to: TransportAddress, from: TransportAddress) {
        guard used < slotCount, length >= 0, length <= slotSize else { return }
        entries.append(Entry(connection: connection, offset: used * slotSize, length: length, to: to, from: from))
        used += 1
    }

    /// Copies `bytes` into a slot and queues it; false when full or too large.
    mutating func push(_ bytes: UnsafeRawBufferPointer, connection: SFUConnectionID,
                       to: TransportAddress, from: TransportAddress) -> Bool {
        guard bytes.count <= slotSize, let slot = nextSlot() else { return false }
        if let base = bytes.baseAddress, let dst = slot.baseAddress { dst.copyMemory(from: base, byteCount: bytes.count) }
        commit(length: bytes.count, connection: connection, to: to, from: from)
        return true
    }

    mutating func pop() -> SFUTransmit? {
        guard head < entries.count else { return nil }
        let e = entries[head]
        head += 1
        let bytes = UnsafeRawBufferPointer(rebasing: storage[e.offset..<(e.offset + e.length)])
        return SFUTransmit(connection: e.connection, bytes: bytes, to: e.to, from: e.from)
    }
}
