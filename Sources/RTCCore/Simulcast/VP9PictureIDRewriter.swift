/// Keeps one subscription's VP9 picture IDs continuous (RFC 9628 §4.2) while whole pictures
/// are dropped (temporal layers above the subscriber's target) and across a switch to another
/// source (another simulcast encoding, a publisher restart): the subscriber sees pictures
/// numbered one after the other.
///
/// In flexible mode a picture names its references by P_DIFF, a distance back in picture IDs;
/// renumbering changes those distances, so each P_DIFF is rewritten to reach the same
/// reference picture under its new ID:
///
/// ```
///  publisher   T0 pid 100 ─ T2 101 ─ T1 102 ─ T2 103 ─ T0 104 (P_DIFF 4 → 100)
///  T0 only     pid  50 ──────────────────────────────── 51     (P_DIFF 1 → 50)
/// ```
///
/// A reference the rewriter cannot place (outside its reorder window, or a picture that was
/// dropped, which a correct layer filter never lets a forwarded picture depend on) keeps its
/// original distance. Only 15-bit picture IDs (M = 1, what browsers send) are renumbered; a
/// 7-bit stream is forwarded with its own IDs. TL0PICIDX needs nothing: base-layer pictures
/// are never dropped.
public struct VP9PictureIDRewriter: Sendable {
    private var ids = SerialNumberRewriter(bits: 15, initialOutput: 0)
    private var syncPending = true

    public init() {}

    /// The next forwarded picture comes from a new source: continue the numbering from it.
    public mutating func sync() { syncPending = true }

    private mutating func start(_ id: UInt16) {
        if syncPending {
            ids.sync(to: id)
            syncPending = false
        }
    }

    /// A packet of a picture that is dropped whole (not forwarded to this subscriber).
    public mutating func drop(_ d: VP9PayloadDescriptor) {
        guard d.pictureIDIs15Bit, let id = d.pictureID, !syncPending else { return }
        ids.drop(id)
    }

    /// The picture ID and P_DIFFs a forwarded packet must carry; nil when it carries none to
    /// change (no 15-bit picture ID) or is too old to place.
    public mutating func map(_ d: VP9PayloadDescriptor) -> (pictureID: UInt16, referenceDiffs: VP9ReferenceDiffs)? {
        guard d.pictureIDIs15Bit, let id = d.pictureID else { return nil }
        start(id)
        guard let out = ids.input(id) else { return nil }
        var diffs = VP9ReferenceDiffs()
        for diff in d.referenceDiffs {
            let reference = (id &- UInt16(diff)) & 0x7FFF
            var newDiff = diff
            if diff > 0, let mapped = ids.input(reference) {
                let distance = (out &- mapped) & 0x7FFF
                if distance >= 1, distance <= 127 { newDiff = UInt8(distance) }
            }
            diffs.append(newDiff)
        }
        return (out, diffs)
    }

    /// Writes `pictureID` (15-bit) and the P_DIFFs into the payload's descriptor in place.
    /// - Returns: false when the descriptor does not have them where `d` says.
    @discardableResult
    public static func rewrite(_ payload: UnsafeMutableRawBufferPointer, descriptor d: VP9PayloadDescriptor,
                               pictureID: UInt16, referenceDiffs: VP9ReferenceDiffs) -> Bool {
        guard d.pictureIDIs15Bit, let o = d.pictureIDOffset, o &+ 1 < payload.count else { return false }
        payload[o] = 0x80 | UInt8(truncatingIfNeeded: pictureID >> 8) & 0x7F
        payload[o &+ 1] = UInt8(truncatingIfNeeded: pictureID)
        guard d.flexibleMode, d.interPicturePredicted, !referenceDiffs.isEmpty,
              referenceDiffs.count == d.referenceDiffs.count else { return true }
        // P_DIFF bytes follow the picture ID and the layer indices: diff << 1 | N.
        var at = o &+ 2 &+ (d.hasLayerIndices ? 1 : 0)
        for (i, diff) in referenceDiffs.enumerated() {
            guard at < payload.count else { return false }
            payload[at] = diff << 1 | (i == referenceDiffs.count - 1 ? 0 : 1)
            at &+= 1
        }
        return true
    }
}
