/// The pending outputs of a sans-IO component (`pollOutput()`): a FIFO whose poll is O(1) and
/// allocation-free when empty, reusing its storage between bursts.
struct OutputQueue<Element> {
    private var items: [Element] = []
    private var head = 0

    init() {}

    var isEmpty: Bool { head >= items.count }

    mutating func reserveCapacity(_ n: Int) { items.reserveCapacity(n) }

    mutating func push(_ output: Element) {
        items.append(output)
    }

    mutating func pop() -> Element? {
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

extension OutputQueue: Sendable where Element: Sendable {}
