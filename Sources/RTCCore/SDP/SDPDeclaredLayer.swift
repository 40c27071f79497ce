/// What a media section declares about one encoding it sends (a simulcast layer when it has a
/// rid), for the SFU to know each layer's size and frame rate before any key frame arrives.
///
/// Sources, most specific first:
/// ```
///   a=rid:<id> send …;max-width=W;max-height=H;max-fps=F      RFC 8851 §5 (per rid)
///   a=imageattr:<pt or *> send [x=…,y=…] …                    RFC 6236 (the largest send set)
///   a=framerate:<F>                                           RFC 8866 §6.8 (the section)
/// ```
public struct SDPDeclaredLayer: Hashable, Sendable {
    /// The rid of the encoding (nil: the section's only encoding).
    public var rid: Rid?
    public var maxWidth: Int?
    public var maxHeight: Int?
    public var maxFrameRate: Double?

    public init(rid: Rid?, maxWidth: Int? = nil, maxHeight: Int? = nil, maxFrameRate: Double? = nil) {
        self.rid = rid
        self.maxWidth = maxWidth
        self.maxHeight = maxHeight
        self.maxFrameRate = maxFrameRate
    }

    /// Width and height, when both are declared.
    public var resolution: VideoResolution? {
        guard let w = maxWidth, let h = maxHeight else { return nil }
        return VideoResolution(width: w, height: h)
    }
}

extension SDPRid {
    /// `max-width` (RFC 8851 §5), when a positive integer.
    public var maxWidth: Int? { positiveInteger("max-width") }
    /// `max-height` (RFC 8851 §5), when a positive integer.
    public var maxHeight: Int? { positiveInteger("max-height") }
    /// `max-fps` (RFC 8851 §5), when a positive number.
    public var maxFrameRate: Double? {
        guard let v = self[restriction: "max-fps"], let d = Double(v), d > 0, d.isFinite else { return nil }
        return d
    }
    /// `max-br` in bits per second (RFC 8851 §5), when a positive integer.
    public var maxBitrate: Int? { positiveInteger("max-br") }
    /// `max-fs` in macroblocks (RFC 8851 §5), when a positive integer.
    public var maxFrameSize: Int? { positiveInteger("max-fs") }

    private func positiveInteger(_ key: String) -> Int? {
        guard let v = self[restriction: key], let n = Int(v), n > 0 else { return nil }
        return n
    }
}

extension MediaDescription {
    /// Every `a=imageattr` that parses (others are ignored, as RFC 6236 asks of receivers).
    public var imageAttributes: [SDPImageAttr] {
        otherAttributes(named: "imageattr").compactMap { v in v.flatMap { try? SDPImageAttr(parsing: $0) } }
    }

    /// `a=framerate` (RFC 8866 §6.8), when a positive number.
    public var frameRate: Double? {
        for v in otherAttributes(named: "framerate") {
            if let s = v, let d = Double(s.trimmingSDPSpaces()), d > 0, d.isFinite { return d }
        }
        return nil
    }

    /// The largest size the section's `imageattr` says it sends for `payloadType` (or for every
    /// payload type, `*`).
    public func declaredSendResolution(payloadType: PayloadType? = nil) -> VideoResolution? {
        var best: VideoResolution?
        for a in imageAttributes where a.payloadType == nil || payloadType == nil || a.payloadType == payloadType {
            guard let r = SDPImageAttr.largest(a.send) else { continue }
            if best.map({ r.width * r.height > $0.width * $0.height }) ?? true { best = r }
        }
        return best
    }

    /// Per encoding this section sends — each `send` rid in the order of its line, or the
    /// one encoding when there is none — its declared size and frame rate: the rid's
    /// restrictions, else the section's `imageattr` and `framerate`.
    public var declaredSendLayers: [SDPDeclaredLayer] {
        let size = declaredSendResolution()
        let fps = frameRate
        let rids = self.rids.filter { $0.direction == .send }
        guard !rids.isEmpty else {
            return [SDPDeclaredLayer(rid: nil, maxWidth: size?.width, maxHeight: size?.height, maxFrameRate: fps)]
        }
        return rids.map { r in
            SDPDeclaredLayer(rid: r.id, maxWidth: r.maxWidth ?? (r.maxHeight == nil ? size?.width : nil),
                             maxHeight: r.maxHeight ?? (r.maxWidth == nil ? size?.height : nil),
                             maxFrameRate: r.maxFrameRate ?? fps)
        }
    }
}

extension String {
    func trimmingSDPSpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
