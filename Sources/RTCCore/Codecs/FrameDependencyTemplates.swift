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

    @inlinable
    subscript(index: Int) -> FrameDependencyTemplate {
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
