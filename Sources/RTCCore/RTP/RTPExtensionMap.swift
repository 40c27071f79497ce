/// Maps the local extension IDs negotiated with `a=extmap` (RFC 8285 §5) to known
/// ``RTPExtensionKind``s, per direction of one transport.
///
/// IDs 1...14 fit the one-byte element form and 1...255 the two-byte form. The map is a fixed
/// 256-entry table indexed by ID (plus a reverse table by kind), stored inline: a lookup is one
/// byte load, and copying the map never touches the heap. Build it while negotiating; read it
/// per packet.
///
/// ```
/// kindsByID: [ id 0 | id 1 | id 2 | ... | id 255 ]   one byte each: kind code, 0 = unregistered
/// idsByKind: [ kind 0 | kind 1 | ... | kind 31 ]     one byte each: the ID, 0 = not negotiated
/// ```
public struct RTPExtensionMap: Hashable, Sendable {
    @usableFromInline typealias IDTable = (
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
    )
    @usableFromInline typealias KindTable = (UInt64, UInt64, UInt64, UInt64)

    @usableFromInline var kindsByID: IDTable = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    @usableFromInline var idsByKind: KindTable = (0, 0, 0, 0)

    /// An empty map: every ID is unregistered.
    @inlinable public init() {}

    /// A map with the given registrations (IDs outside 1...255 are ignored).
    public init(_ entries: [(id: UInt8, kind: RTPExtensionKind)]) {
        for e in entries { register(e.kind, id: e.id) }
    }

    /// The kind registered at `id`, or nil when the ID is not negotiated.
    @inlinable
    public func kind(forID id: UInt8) -> RTPExtensionKind? {
        let code = withUnsafeBytes(of: kindsByID) { raw in raw[Int(id)] }
        return code == 0 ? nil : RTPExtensionKind(rawValue: code)
    }

    /// The ID negotiated for `kind` (the latest registration), or nil. Always nil for
    /// ``RTPExtensionKind/other``, which names no single extension.
    @inlinable
    public func id(for kind: RTPExtensionKind) -> UInt8? {
        guard kind != .other else { return nil }
        let id = withUnsafeBytes(of: idsByKind) { raw in raw[Int(kind.rawValue & 31)] }
        return id == 0 ? nil : id
    }

    /// Registers `kind` at `id`, replacing what was there. Returns false (no change) for
    /// ID 0, which RFC 8285 reserves.
    @inlinable
    @discardableResult
    public mutating func register(_ kind: RTPExtensionKind, id: UInt8) -> Bool {
        guard id != 0 else { return false }
        remove(id: id)
        withUnsafeMutableBytes(of: &kindsByID) { raw in raw[Int(id)] = kind.rawValue }
        if kind != .other {
            withUnsafeMutableBytes(of: &idsByKind) { raw in raw[Int(kind.rawValue & 31)] = id }
        }
        return true
    }

    /// Registers the extension with `uri` at `id` (unknown URIs register as ``RTPExtensionKind/other``).
    @discardableResult
    public mutating func register(uri: String, id: UInt8) -> Bool {
        register(RTPExtensionKind(uri: uri), id: id)
    }

    /// Forgets the registration at `id`.
    @inlinable
    public mutating func remove(id: UInt8) {
        guard let old = kind(forID: id) else { return }
        withUnsafeMutableBytes(of: &kindsByID) { raw in raw[Int(id)] = 0 }
        if self.id(for: old) == id {
            withUnsafeMutableBytes(of: &idsByKind) { raw in raw[Int(old.rawValue & 31)] = 0 }
        }
    }

    /// Every registration in ID order (allocates; for negotiation and tests).
    public var entries: [(id: UInt8, kind: RTPExtensionKind)] {
        var out: [(id: UInt8, kind: RTPExtensionKind)] = []
        for id in 1...255 {
            if let k = kind(forID: UInt8(id)) { out.append((UInt8(id), k)) }
        }
        return out
    }

    /// True when every registered ID fits the one-byte form (1...14).
    public var fitsOneByteForm: Bool {
        for id in 15...255 where kind(forID: UInt8(id)) != nil { return false }
        return true
    }

    public static func == (a: RTPExtensionMap, b: RTPExtensionMap) -> Bool {
        withUnsafeBytes(of: a.kindsByID) { ra in
            withUnsafeBytes(of: b.kindsByID) { rb in ra.elementsEqual(rb) }
        } && withUnsafeBytes(of: a.idsByKind) { ra in
            withUnsafeBytes(of: b.idsByKind) { rb in ra.elementsEqual(rb) }
        }
    }

    public func hash(into h: inout Hasher) {
        withUnsafeBytes(of: kindsByID) { h.combine(bytes: $0) }
    }
}
