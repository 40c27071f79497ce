/// 32 bytes stored inline (four words, no heap), read and written as bytes or 16-bit values.
/// The building block of the fixed-capacity codec containers (InlineArray needs macOS 26; the
/// package supports macOS 14). Out-of-range accesses read 0 and write nothing: never a trap.
public struct InlineBytes32: Sendable, Hashable {
    @usableFromInline var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    @inlinable public init() {}

    @inlinable
    public subscript(byte index: Int) -> UInt8 {
        get {
            guard index >= 0, index < 32 else { return 0 }
            return withUnsafeBytes(of: words) { $0[index] }
        }
        set {
            guard index >= 0, index < 32 else { return }
            withUnsafeMutableBytes(of: &words) { $0[index] = newValue }
        }
    }

    @inlinable
    public subscript(uint16 index: Int) -> UInt16 {
        get {
            guard index >= 0, index < 16 else { return 0 }
            return withUnsafeBytes(of: words) { $0.load(fromByteOffset: index &* 2, as: UInt16.self) }
        }
        set {
            guard index >= 0, index < 16 else { return }
            withUnsafeMutableBytes(of: &words) { $0.storeBytes(of: newValue, toByteOffset: index &* 2, as: UInt16.self) }
        }
    }

    public static func == (a: InlineBytes32, b: InlineBytes32) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    public func hash(into h: inout Hasher) {
        h.combine(words.0)
        h.combine(words.1)
        h.combine(words.2)
        h.combine(words.3)
    }
}
