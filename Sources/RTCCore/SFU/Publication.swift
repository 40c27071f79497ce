/// A published track (one m-section of a publisher) and its subscriptions: the fan-out point
/// of the forwarding hot path.
///
/// ```
///  publisher packet (decrypted, parsed) ──▶ forward(...)
///     for each subscription:
///        paused?            → drop .paused
///        layer gate         → drop .layerNotSelected / .notAKeyframe (switch only on a keyframe)
///        sequence/timestamp → SequenceRewriter / TimestampRewriter (continuous output)
///        RTPRewrite.write   → SSRC, seq, ts, PT, mid, extension IDs, into `scratch`
///        emit(subscription, length)   → caller protects `scratch` in place and sends it
/// ```
/// No allocation per packet: subscriptions are preallocated classes in an array; the egress
/// packet is written into the caller's scratch buffer, reused for each subscription.
public final class Publication {
    public let id: UInt32
    public let kind: TrackKind
    public let codec: TrackCodec
    /// Simulcast layers, lowest first (1 when the track is not simulcast).
    public let layerCount: Int
    /// Extension IDs the publisher negotiated (for reading its packets).
    @exclusivity(unchecked) public var sourceMap: RTPExtensionMap
    public private(set) var subscriptions: [Subscription] {
        get { subscriptionStorage }
        set {
            subscriptionStorage = newValue
            subscriptionRefs = newValue.map { Unmanaged.passUnretained($0) }
        }
    }
    /// The subscriptions (owned here) and the same, borrowed, for the per-packet loop: no
    /// reference counting per subscription and packet.
    private var subscriptionStorage: [Subscription] = []
    @exclusivity(unchecked) private var subscriptionRefs: [Unmanaged<Subscription>] = []
    @exclusivity(unchecked) public private(set) var lastPacketAt: [Instant?]
    @exclusivity(unchecked) public private(set) var packetsIn: UInt64 = 0
    /// Set when a subscription waits for a keyframe: the caller sends a (throttled) PLI to the
    /// publisher for `keyframeLayer` and clears it with ``takeKeyframeRequest()``.
    @exclusivity(unchecked) public private(set) var keyframeRequested = false
    @exclusivity(unchecked) public private(set) var keyframeLayer = 0
    /// Per layer, its picture size as its last keyframe said (VP8), nil until one arrived.
    @exclusivity(unchecked) public private(set) var layerSizes: [(width: Int, height: Int)?]

    public init(id: UInt32, kind: TrackKind, codec: TrackCodec, layerCount: Int, sourceMap: RTPExtensionMap) {
        self.id = id
        self.kind = kind
        self.codec = codec
        self.layerCount = max(1, layerCount)
        self.sourceMap = sourceMap
        self.lastPacketAt = Array(repeating: nil, count: max(1, layerCount))
        self.layerSizes = Array(repeating: nil, count: max(1, layerCount))
    }

    public func add(_ s: Subscription) {
        subscriptions.append(s)
        if codec.needsKeyframeToStart { requestKeyframe(layer: initialTarget(for: s)) }
    }

    public func removeSubscription(slot: Int, outSSRC: SSRC) {
        remove { $0.slot == slot && $0.outSSRC == outSSRC }
    }

    public func removeSubscriptions(slot: Int) {
        remove { $0.slot == slot }
    }

    private func remove(where match: (Subscription) -> Bool) {
        for s in subscriptions where match(s) { retiredDrops.add(s.drops) }
        subscriptions.removeAll(where: match)
    }

    /// Drops of subscriptions that were removed, so totals never go backwards.
    public private(set) var retiredDrops = ForwardingDrops()

    /// Every drop of this publication: removed and live subscriptions.
    public var totalDrops: ForwardingDrops {
        var t = retiredDrops
        for s in subscriptions { t.add(s.drops) }
        return t
    }

    /// Returns and clears the pending keyframe request.
    public func takeKeyframeRequest() -> Int? {
        guard keyframeRequested else { return nil }
        keyframeRequested = false
        return keyframeLayer
    }

    /// The publisher's streams restarted (a new connection, new SSRCs): every subscription
    /// waits for a keyframe and re-syncs its rewriters on it, so subscribers see one
    /// continuous stream.
    public func restartSubscriptions() {
        for s in subscriptions { s.currentLayer = nil }
        if codec.needsKeyframeToStart, !subscriptions.isEmpty { requestKeyframe(layer: 0) }
    }

    /// A subscriber lost its picture (PLI/FIR): ask the publisher for a keyframe of the layer
    /// that subscription receives.
    public func requestKeyframe(forSubscriptionWithSSRC ssrc: SSRC) {
        guard let s = subscriptions.first(where: { $0.outSSRC == ssrc }) else { return }
        requestKeyframe(layer: s.currentLayer ?? 0)
    }

    private func requestKeyframe(layer: Int) {
        keyframeRequested = true
        keyframeLayer = layer
    }

    /// The layer a new subscription starts towards, before any packet was seen.
    private func initialTarget(for s: Subscription) -> Int {
        guard layerCount > 1 else { return 0 }
        return s.preferredLayer.map { min(max($0, 0), layerCount - 1) } ?? layerCount - 1
    }

    /// Forwards one packet of `layer` to every subscription.
    ///
    /// - Parameters:
    ///   - packet: the decrypted RTP packet; `header`/`values` parsed from it with `sourceMap`.
    ///   - scratch: egress buffer; each subscription's copy is written there, then `emit` is
    ///     called with its length before the next subscription's copy overwrites it.
    @inlinable
    public func forward(
        packet: UnsafeRawBufferPointer, header: RTPHeader, values: RTPExtensionValues, layer: Int,
        now: Instant, scratch: UnsafeMutableRawBufferPointer, emit: (Subscription, Int) -> Void
    ) {
        _forward(packet: packet, header: header, layer: layer, now: now, scratch: { scratch }) { emit($0, $1.length) }
    }

    /// As ``forward(packet:header:values:layer:now:scratch:emit:)``, each copy written into the
    /// buffer `scratch()` returns at that moment (the router's next egress slot; nil: no room,
    /// the copy is dropped as `.egressFull`), and `emit` told where its parts lie.
    @inlinable
    public func forward(
        packet: UnsafeRawBufferPointer, header: RTPHeader, layer: Int, now: Instant,
        scratch: () -> UnsafeMutableRawBufferPointer?, emit: (Subscription, ForwardedCopy) -> Void
    ) {
        _forward(packet: packet, header: header, layer: layer, now: now, scratch: scratch, emit: emit)
    }

    /// One subscription's copy of a packet, as written into its scratch buffer.
    public struct ForwardedCopy {
        public var length: Int
        public var payloadOffset: Int
        /// The RTP timestamp and VP8 picture ID / TL0PICIDX it carries (nil: none).
        public var timestamp: UInt32
        public var pictureID: UInt16?
        public var tl0PicIdx: UInt8?
    }

    @usableFromInline
    func _forward(
        packet: UnsafeRawBufferPointer, header: RTPHeader, layer: Int,
        now: Instant, scratch: () -> UnsafeMutableRawBufferPointer?, emit: (Subscription, ForwardedCopy) -> Void
    ) {
        guard layer >= 0, layer < layerCount else { return }
        packetsIn &+= 1
        lastPacketAt[layer] = now
        let isPadding = header.payloadLength == 0
        // The layers active now, once per packet (each subscription's target derives from it).
        let active = layerCount > 1 ? SimulcastLayerPolicy.activeLayers(lastPacketAt: lastPacketAt, now: now) : 1
        // Parsed once per packet: the VP8 descriptor (picture IDs, temporal layer).
        let vp8: VP8PayloadDescriptor? = codec == .vp8 && !isPadding
            ? try? VP8PayloadDescriptor.parse(header.payload(in: packet)) : nil
        if let d = vp8, d.isKeyframe, let w = d.width, let h = d.height, w > 0, h > 0 {
            layerSizes[layer] = (Int(w), Int(h))
        }
        // Parsed lazily, once per packet, only when some subscription is switching.
        var keyframe: Bool?
        subscriptionRefs.withUnsafeBufferPointer { refs in
            for ref in refs {
                ref._withUnsafeGuaranteedRef { s in
                    forwardCopy(to: s, packet: packet, header: header, layer: layer, active: active, isPadding: isPadding, vp8: vp8,
                                keyframe: &keyframe, now: now, scratch: scratch, emit: emit)
                }
            }
        }
    }

    /// One subscription's share of ``_forward``: its layer gate, rewriters and copy.
    @inline(__always)
    private func forwardCopy(
        to s: Subscription, packet: UnsafeRawBufferPointer, header: RTPHeader, layer: Int, active: UInt64, isPadding: Bool,
        vp8: VP8PayloadDescriptor?, keyframe: inout Bool?, now: Instant,
        scratch: () -> UnsafeMutableRawBufferPointer?, emit: (Subscription, ForwardedCopy) -> Void
    ) {
        if s.paused {
            s.drops.count(.paused)
            if s.currentLayer == layer { _ = s.sequence.drop(header.sequenceNumber) }
            return
        }
        let wanted = layerCount > 1
            ? SimulcastLayerPolicy.target(active: active, layerCount: layerCount, preferred: s.preferredLayer) : 0
        // A subscription that has not started takes the first keyframe of any layer up to
        // its target (a picture at once), then moves up on the target's keyframe.
        if s.currentLayer == nil, let w = wanted, layer < w, !isPadding, codec.needsKeyframeToStart {
            let isKey: Bool
            if let k = keyframe { isKey = k } else {
                isKey = codec.isKeyframeStart(header.payload(in: packet))
                keyframe = isKey
            }
            if isKey {
                s.currentLayer = layer
                s.sequence.sync(to: header.sequenceNumber)
                s.timestamp.sync()
                s.vp8.sync()
                requestKeyframe(layer: w)
            }
        }
        if s.currentLayer != wanted, layer == wanted, !isPadding {
            let isKey: Bool
            if let k = keyframe { isKey = k } else {
                isKey = codec.needsKeyframeToStart ? codec.isKeyframeStart(header.payload(in: packet)) : true
                keyframe = isKey
            }
            if isKey {
                s.currentLayer = layer
                s.sequence.sync(to: header.sequenceNumber)
                s.timestamp.sync()
                s.vp8.sync()
            } else if s.currentLayer == nil || !codec.needsKeyframeToStart {
                s.drops.count(.notAKeyframe)
                requestKeyframe(layer: layer)
                return
            } else if !keyframeRequested {
                requestKeyframe(layer: layer)
            }
        }
        guard s.currentLayer == layer else {
            s.drops.count(s.currentLayer == nil ? .notAKeyframe : .layerNotSelected)
            return
        }
        if isPadding {
            s.drops.count(.padding)
            _ = s.sequence.drop(header.sequenceNumber)
            return
        }
        // VP8: temporal layers above the subscriber's limit are dropped whole, and the
        // picture ID / TL0PICIDX stay continuous across drops and layer switches.
        var vp8Out: (pictureID: UInt16?, tl0PicIdx: UInt8?)?
        if let d = vp8 {
            if let maxT = s.maxTemporalLayer, let tid = d.temporalLayer, Int(tid) > maxT {
                s.drops.count(.temporalLayerNotSelected)
                _ = s.sequence.drop(header.sequenceNumber)
                s.vp8.drop(d)
                return
            }
            guard let mapped = s.vp8.map(d) else {
                s.drops.count(.stale)
                _ = s.sequence.drop(header.sequenceNumber)
                return
            }
            vp8Out = mapped
        }
        guard let out = scratch() else {
            s.drops.count(.egressFull)
            _ = s.sequence.drop(header.sequenceNumber)
            return
        }
        guard let seq = s.sequence.input(header.sequenceNumber) else {
            s.drops.count(.stale)
            return
        }
        let ts = s.timestamp.input(header.timestamp, now: now)
        do {
            let w = try s.rewrite(sequenceNumber: seq, timestamp: ts)
                .write(packet: packet, header: header, sourceMap: sourceMap, destinationMap: s.destinationMap, into: out)
            // Written only when they differ from what the publisher sent (the usual case
            // between layer switches is the identity: nothing to write).
            if let v = vp8Out, let d = vp8, v.pictureID != d.pictureID || v.tl0PicIdx != d.tl0PicIdx {
                let payload = UnsafeMutableRawBufferPointer(rebasing: out[w.payloadOffset..<(w.payloadOffset &+ w.payloadLength)])
                _ = d.rewriteFields(in: payload, pictureID: v.pictureID, tl0PicIdx: v.tl0PicIdx)
            }
            s.forwardedPackets &+= 1
            s.forwardedBytes &+= UInt64(w.length)
            emit(s, ForwardedCopy(length: w.length, payloadOffset: w.payloadOffset, timestamp: ts,
                                  pictureID: vp8Out?.pictureID, tl0PicIdx: vp8Out?.tl0PicIdx))
        } catch {
            s.drops.count(.rewriteFailed)
        }
    }
}
