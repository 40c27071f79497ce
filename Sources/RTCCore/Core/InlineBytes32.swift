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

    /// 16 words (128 bytes) inline, indexed 0..<16; out of range reads 0 and writes nothing.
    public struct Words16: Sendable, Hashable {
        @usableFromInline var a = InlineBytes32()
        @usableFromInline var b = InlineBytes32()
        @usableFromInline var c = InlineBytes32()
        @usableFromInline var d = InlineBytes32()

        @inlinable public init() {}

        @inlinable
        public subscript(index: Int) -> UInt64 {
            get {
                guard index >= 0, index < 16 else { return 0 }
                let part = index >> 2
                let w = part == 0 ? a : part == 1 ? b : part == 2 ? c : d
                return withUnsafeBytes(of: w.words) { $0.load(fromByteOffset: (index & 3) &* 8, as: UInt64.self) }
            }
            set {
                guard index >= 0, index < 16 else { return }
                switch index >> 2 {
                case 0: a.setWord(index & 3, newValue)
                case 1: b.setWord(index & 3, newValue)
                case 2: c.setWord(index & 3, newValue)
                default: d.setWord(index & 3, newValue)
                }
            }
        }
    }

    @inlinable
    mutating func setWord(_ i: Int, _ v: UInt64) {
        switch i {
        case 0: words.0 = v
        case 1: words.1 = v
        case 2: words.2 = v
        default: words.3 = v
        }
    }
}
