/// The agents' pending outputs: a FIFO whose poll is O(1) and allocation-free when empty.
struct ICEOutputQueue: Sendable {
    private var items: [ICEOutput] = []
    private var head = 0

    var isEmpty: Bool { head >= items.count }

    mutating func push(_ output: ICEOutput) {
        items.append(output)
    }

    mutating func pop() -> ICEOutput? {
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head == items.count {
            // Drained: reset in place, keeping the capacity for the next burst.
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        return item
    }
}
