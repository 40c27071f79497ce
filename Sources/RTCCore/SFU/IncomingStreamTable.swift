/// Resolves a publisher's incoming RTP stream (by SSRC) to a track and simulcast layer.
///
/// SSRCs are learned from the mid and rid header extensions (RFC 8843, RFC 8852) or from
/// `a=ssrc` lines, then looked up by a linear scan over a handful of entries (a publisher
/// sends at most a few streams per transport): no hashing on the per-packet path.
public struct IncomingStreamTable: Sendable {
    public struct Track: Sendable, Hashable {
        public var mid: Mid
        /// Simulcast rids, lowest layer first; empty when not simulcast.
        public var rids: [Rid]
        /// SSRCs announced in SDP (`a=ssrc`), when the publisher sends no mid extension.
        public var ssrcs: [SSRC]
        /// Caller's index of the publication.
        public var publication: Int
        /// SSRC-based simulcast (`a=ssrc-group:SIM`): the layers' SSRCs, lowest first.
        public var layerSSRCs: [SSRC]

        public init(mid: Mid, rids: [Rid] = [], ssrcs: [SSRC] = [], publication: Int, layerSSRCs: [SSRC] = []) {
            self.mid = mid
            self.rids = rids
            self.ssrcs = ssrcs
            self.publication = publication
            self.layerSSRCs = layerSSRCs
        }
    }

    public struct Resolved: Sendable, Hashable {
        public var publication: Int
        public var layer: Int
        /// A repair stream (RTX, `repaired-rid`): not forwarded as media.
        public var isRepair: Bool
    }

    public private(set) var tracks: [Track] = []
    private var entries: [(ssrc: UInt32, resolved: Resolved)] = []
    /// Every SSRC learned so far with what it resolved to.
    public var learnedStreams: [(ssrc: UInt32, resolved: Resolved)] { entries }
    /// Refuse to learn more streams than this (a peer spraying SSRCs).
    public static let maximumStreams = 32

    public init() {}

    public mutating func add(_ t: Track) { tracks.append(t) }

    public mutating func removeTrack(mid: Mid) {
        guard let i = tracks.firstIndex(where: { $0.mid == mid }) else { return }
        let pub = tracks[i].publication
        tracks.remove(at: i)
        entries.removeAll { $0.resolved.publication == pub }
    }

    /// The track and layer of a packet, learning its SSRC on first sight.
    @inlinable
    public mutating func resolve(_ header: RTPHeader, _ values: RTPExtensionValues) -> Resolved? {
        let ssrc = header.ssrc.rawValue
        if let r = lookup(ssrc) { return r }
        return learn(ssrc, values)
    }

    @usableFromInline
    func lookup(_ ssrc: UInt32) -> Resolved? {
        for e in entries where e.ssrc == ssrc { return e.resolved }
        return nil
    }

    @usableFromInline
    mutating func learn(_ ssrc: UInt32, _ values: RTPExtensionValues) -> Resolved? {
        guard entries.count < Self.maximumStreams else { return nil }
        // SSRC-based simulcast first: the SIM group says the layer whatever the extensions.
        for t in tracks {
            if let i = t.layerSSRCs.firstIndex(of: SSRC(ssrc)) {
                let resolved = Resolved(publication: t.publication, layer: i, isRepair: false)
                entries.append((ssrc, resolved))
                return resolved
            }
        }
        var track: Track?
        if let mid = values.mid {
            track = tracks.first { $0.mid == mid }
        } else {
            track = tracks.first { $0.ssrcs.contains(SSRC(ssrc)) }
        }
        guard let t = track else { return nil }
        var resolved = Resolved(publication: t.publication, layer: 0, isRepair: false)
        if let rr = values.repairedRid {
            resolved.isRepair = true
            resolved.layer = t.rids.firstIndex(of: rr) ?? 0
        } else if let rid = values.rid {
            guard let i = t.rids.firstIndex(of: rid) else { return nil }
            resolved.layer = i
        } else if !t.rids.isEmpty, values.mid != nil {
            // A simulcast track's packet without rid (e.g. a probe): not a layer we know yet.
            return nil
        }
        entries.append((ssrc, resolved))
        return resolved
    }
}
