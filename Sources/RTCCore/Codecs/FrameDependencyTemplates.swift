/// The 64 template slots of a ``FrameDependencyStructure``, stored inline (a homogeneous tuple:
/// no heap). Out-of-range accesses read an empty template and write nothing: never a trap.
@usableFromInline
struct FrameDependencyTemplates: Sendable {
    @usableFromInline typealias Slots = (FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate, FrameDependencyTemplate)
    @usableFromInline var slots: Slots

    @usableFromInline
    init() {
        let e = FrameDependencyTemplate()
        slots = (e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e, e)
    }

    /// Template `index` read in place (no copy of the other slots): for callers that hold the
    /// storage mutably, e.g. ``DependencyDescriptorReader``.
    @inlinable
    mutating func read(_ index: Int) -> FrameDependencyTemplate {
        guard index >= 0, index < 64 else { return FrameDependencyTemplate() }
        return withUnsafeMutableBytes(of: &slots) {
            UnsafeRawBufferPointer($0).load(fromByteOffset: index &* MemoryLayout<FrameDependencyTemplate>.stride,
                                            as: FrameDependencyTemplate.self)
        }
    }

    /// Stores template `index` in place.
    @inlinable
    mutating func write(_ index: Int, _ t: FrameDependencyTemplate) {
        guard index >= 0, index < 64 else { return }
        withUnsafeMutableBytes(of: &slots) {
            $0.storeBytes(of: t, toByteOffset: index &* MemoryLayout<FrameDependencyTemplate>.stride,
                          as: FrameDependencyTemplate.self)
        }
    }

    /// Reading through `get` may copy all 64 slots (a borrowed tuple has no address to read
    /// from); hot paths hold the storage mutably and use ``read(_:)``. `_modify` works on one
    /// slot in place.
    @inlinable
    subscript(index: Int) -> FrameDependencyTemplate {
        _modify {
            var t = read(index)
            yield &t
            write(index, t)
        }
        get {
            guard index >= 0, index < 64 else { return FrameDependencyTemplate() }
            // A homogeneous tuple of a trivial type is laid out as an array of its stride.
            return withUnsafeBytes(of: slots) {
                $0.load(fromByteOffset: index &* MemoryLayout<FrameDependencyTemplate>.stride, as: FrameDependencyTemplate.self)
            }
        }
        set {
            guard index >= 0, index < 64 else { return }
            withUnsafeMutableBytes(of: &slots) {
                $0.storeBytes(of: newValue, toByteOffset: index &* MemoryLayout<FrameDependencyTemplate>.stride,
                              as: FrameDependencyTemplate.self)
            }
        }
    }
}
