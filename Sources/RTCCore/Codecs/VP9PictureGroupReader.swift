/// Reads the picture-group entries of a parsed ``VP9ScalabilityStructure`` without
/// allocating.
public struct VP9PictureGroupReader {
    @usableFromInline var reader: ByteReader
    @usableFromInline var left: Int

    /// A reader over `count` entries starting at `offset` of `payload`.
    @inlinable
    public init(payload: UnsafeRawBufferPointer, offset: Int, count: Int) {
        reader = ByteReader(payload, format: .vp9, position: max(0, min(offset, payload.count)))
        left = count
    }

    /// The next entry, or nil after the last.
    @inlinable
    public mutating func next() throws(ParseError) -> VP9PictureGroup? {
        guard left > 0 else { return nil }
        left &-= 1
        let b = try reader.readU8()
        var diffs = VP9ReferenceDiffs()
        let r = Int(b >> 2 & 0x03)
        for _ in 0..<r { diffs.append(try reader.readU8()) }
        return VP9PictureGroup(temporalID: b >> 5, switchingUpPoint: b & 0x10 != 0, referenceDiffs: diffs)
    }
}
