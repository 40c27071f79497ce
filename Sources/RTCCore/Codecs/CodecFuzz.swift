/// Fuzz entry point for the payload-descriptor parsers: runs every descriptor parser (and the
/// in-place rewriters, on a scratch copy) over the same bytes. Must never trap.
public enum CodecFuzz {
    /// Returns true when at least one descriptor parsed.
    public static func fuzz(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var ok = false
        if let d = try? VP8PayloadDescriptor.parse(bytes) {
            ok = true
            _ = d.isKeyframe
            _ = d.isStartOfFrame
        }
        if let d = try? VP9PayloadDescriptor.parse(bytes) {
            ok = true
            _ = d.isKeyframe
            if let ss = d.scalabilityStructure {
                for layer in 0..<ss.spatialLayerCount { _ = ss.resolution(layer: layer) }
                var groups = ss.pictureGroups(in: bytes)
                while let g = try? groups.next() { _ = g.referenceDiffs.count }
            }
        }
        if let d = try? H264PayloadDescriptor.parse(bytes) {
            ok = true
            _ = d.isKeyframe
        }
        if let d = try? AV1AggregationHeader.parse(bytes) {
            ok = true
            _ = d.isKeyframe
        }
        if let d = try? OpusTOC.parse(bytes) {
            ok = true
            _ = d.packetDurationSamples
            _ = d.bandwidth
            _ = d.frameDurationMicroseconds
        }
        // The dependency descriptor, read twice by one reader: once as it comes (a structure
        // it carries is kept), then against what the first read stored.
        var dd = DependencyDescriptorReader()
        if let r = try? dd.read(bytes) {
            ok = true
            _ = r.frame?.decodeTargetIndications[0]
            _ = try? dd.read(bytes)
        }
        rewriteScratch(bytes)
        return ok
    }

    /// Runs the VP8 and VP9 in-place rewriters over a stack copy of `bytes`.
    static func rewriteScratch(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        withUnsafeTemporaryAllocation(byteCount: bytes.count, alignment: 1) { scratch in
            scratch.copyMemory(from: bytes)
            _ = try? VP8PayloadDescriptor.rewrite(scratch, pictureID: 0x7FFF, tl0PicIdx: 0xAB)
            scratch.copyMemory(from: bytes)
            _ = try? VP9PayloadDescriptor.rewrite(scratch, pictureID: 0x1234, tl0PicIdx: 0xCD)
        }
    }
}
