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
    @exclusivity(unchecked) public var sourceMap: RTPExtensionMap {
        didSet { if sourceMap != oldValue { sourceGeneration &+= 1 } }
    }
    /// Changes whenever ``sourceMap`` does (a packet kept from before reads differently).
    @exclusivity(unchecked) public private(set) var sourceGeneration: UInt8 = 0
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
    /// Per layer, its picture size as its last keyframe said (VP8 and VP9 keyframes, the H.264
    /// SPS, the dependency descriptor's resolutions), nil until one arrived.
    @exclusivity(unchecked) public private(set) var layerSizes: [(width: Int, height: Int)?]
    /// SVC: per spatial layer of the stream (a single-stream track: VP9 or AV1 with several
    /// spatial layers), its size from the VP9 scalability structure or the dependency
    /// descriptor's resolutions; empty until known.
    @exclusivity(unchecked) public private(set) var spatialSizes: [(width: Int, height: Int)?] = []
    /// Set when ``spatialSizes`` or ``layerSizes`` changed (the caller re-derives subscribers'
    /// targets from view sizes, then clears it with ``takeSizesChanged()``).
    @exclusivity(unchecked) public private(set) var sizesChanged = false
    /// Per layer, the dependency descriptor's reader: its structure arrives on keyframes and
    /// every later packet is read against it. Raw storage, so each subscription's filter
    /// borrows the layer's reader in place.
    private let ddReaders: UnsafeMutablePointer<DependencyDescriptorReader>

    public init(id: UInt32, kind: TrackKind, codec: TrackCodec, layerCount: Int, sourceMap: RTPExtensionMap) {
        self.id = id
        self.kind = kind
        self.codec = codec
        self.layerCount = max(1, layerCount)
        self.sourceMap = sourceMap
        self.lastPacketAt = Array(repeating: nil, count: max(1, layerCount))
        self.layerSizes = Array(repeating: nil, count: max(1, layerCount))
        ddReaders = .allocate(capacity: max(1, layerCount))
        ddReaders.initialize(repeating: DependencyDescriptorReader(), count: max(1, layerCount))
    }

    deinit {
        ddReaders.deinitialize(count: layerCount)
        ddReaders.deallocate()
    }

    /// Returns and clears ``sizesChanged``.
    public func takeSizesChanged() -> Bool {
        defer { sizesChanged = false }
        return sizesChanged
    }

    /// The temporal layers of the stream: from the dependency descriptor structure when there
    /// is one, else 3 (what browsers send: L1T3 simulcast layers, L3T3 SVC).
    public var temporalLayerCount: Int {
        ddReaders[0].hasStructure ? ddReaders[0].structure.maxTemporalID &+ 1 : 3
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
        _forward(packet: packet, header: header, layer: layer, now: now,
                 dependencyDescriptor: values.dependencyDescriptor.map { $0.data(in: packet) },
                 scratch: { scratch }) { emit($0, $1.length) }
    }

    /// As ``forward(packet:header:values:layer:now:scratch:emit:)``, each copy written into the
    /// buffer `scratch()` returns at that moment (the router's next egress slot; nil: no room,
    /// the copy is dropped as `.egressFull`), and `emit` told where its parts lie.
    @inlinable
    public func forward(
        packet: UnsafeRawBufferPointer, header: RTPHeader, layer: Int, now: Instant,
        dependencyDescriptor: UnsafeRawBufferPointer? = nil,
        scratch: () -> UnsafeMutableRawBufferPointer?, emit: (Subscription, ForwardedCopy) -> Void
    ) {
        _forward(packet: packet, header: header, layer: layer, now: now, dependencyDescriptor: dependencyDescriptor,
                 scratch: scratch, emit: emit)
    }

    /// One subscription's copy of a packet, as written into its scratch buffer.
    public struct ForwardedCopy {
        public var length: Int
        public var payloadOffset: Int
        /// The RTP timestamp and VP8 picture ID / TL0PICIDX it carries (nil: none).
        public var timestamp: UInt32
        public var pictureID: UInt16?
        public var tl0PicIdx: UInt8?
        /// The marker bit it carries when that differs from the source's (SVC: the end of the
        /// highest spatial layer forwarded), else nil.
        public var marker: Bool?
        /// The publication's ``sourceGeneration`` it was written with.
        public var sourceGeneration: UInt8 = 0
    }

    @usableFromInline
    func _forward(
        packet: UnsafeRawBufferPointer, header: RTPHeader, layer: Int,
        now: Instant, dependencyDescriptor: UnsafeRawBufferPointer?,
        scratch: () -> UnsafeMutableRawBufferPointer?, emit: (Subscription, ForwardedCopy) -> Void
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
            learnSize(layer: layer, width: Int(w), height: Int(h))
        }
        // SVC: the dependency descriptor (read against the layer's structure), else for VP9
        // the payload descriptor, says which spatial and temporal layer a packet belongs to.
        // VP9 goes by its payload descriptor even when the descriptor is sent too: lower spatial
        // layers are always forwarded with the upper ones, so a switch down is immediate (a
        // decode target of K-SVC leaves out the base layer's delta frames, and switching down
        // on it needs a keyframe). VP8 keeps its own temporal path (continuous picture IDs).
        var dd: DependencyDescriptorReader.Result?
        if let bytes = dependencyDescriptor, !isPadding, codec == .av1 {
            let generation = ddReaders[layer].structureGeneration
            dd = try? ddReaders[layer].read(bytes)
            if ddReaders[layer].structureGeneration != generation { learnSizes(from: ddReaders[layer].structure, layer: layer) }
        }
        let vp9: VP9PayloadDescriptor? = codec == .vp9 && !isPadding
            ? try? VP9PayloadDescriptor.parse(header.payload(in: packet)) : nil
        if let d = vp9, !d.interPicturePredicted {
            learnSizes(from: d, payload: header.payload(in: packet), layer: layer)
        }
        // Parsed lazily, once per packet, only when some subscription is switching (H.264:
        // here already, to read the SPS a keyframe starts with).
        var keyframe: Bool?
        if codec == .h264, !isPadding {
            let isKey = codec.isKeyframeStart(header.payload(in: packet))
            keyframe = isKey
            if isKey, let sps = try? H264SequenceParameterSet.find(inPayload: header.payload(in: packet)) {
                learnSize(layer: layer, width: sps.resolution.width, height: sps.resolution.height)
            }
        }
        subscriptionRefs.withUnsafeBufferPointer { refs in
            for ref in refs {
                ref._withUnsafeGuaranteedRef { s in
                    forwardCopy(to: s, packet: packet, header: header, layer: layer, active: active, isPadding: isPadding, vp8: vp8,
                                vp9: vp9, dd: dd, keyframe: &keyframe, now: now, scratch: scratch, emit: emit)
                }
            }
        }
    }

    /// One subscription's share of ``_forward``: its layer gate, rewriters and copy.
    @inline(__always)
    private func forwardCopy(
        to s: Subscription, packet: UnsafeRawBufferPointer, header: RTPHeader, layer: Int, active: UInt64, isPadding: Bool,
        vp8: VP8PayloadDescriptor?, vp9: VP9PayloadDescriptor?, dd: DependencyDescriptorReader.Result?,
        keyframe: inout Bool?, now: Instant,
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
                s.start(layer: layer, at: header.sequenceNumber)
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
                s.start(layer: layer, at: header.sequenceNumber)
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
        // SVC: only the spatial and temporal layers the subscriber wants, switching where the
        // stream allows it; the marker bit ends the highest spatial layer forwarded.
        var marker: Bool?
        var vp9Out: (pictureID: UInt16, referenceDiffs: VP9ReferenceDiffs)?
        if dd != nil || vp9 != nil {
            guard let svc = svcDecision(s, header: header, layer: layer, vp9: vp9, dd: dd) else { return }
            (marker, vp9Out) = svc
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
            let w = try s.rewrite(sequenceNumber: seq, timestamp: ts, marker: marker)
                .write(packet: packet, header: header, sourceMap: sourceMap, destinationMap: s.destinationMap, into: out)
            // Written only when they differ from what the publisher sent (the usual case
            // between layer switches is the identity: nothing to write).
            if let v = vp8Out, let d = vp8, v.pictureID != d.pictureID || v.tl0PicIdx != d.tl0PicIdx {
                let payload = UnsafeMutableRawBufferPointer(rebasing: out[w.payloadOffset..<(w.payloadOffset &+ w.payloadLength)])
                _ = d.rewriteFields(in: payload, pictureID: v.pictureID, tl0PicIdx: v.tl0PicIdx)
            }
            if let v = vp9Out, let d = vp9, v.pictureID != d.pictureID || v.referenceDiffs != d.referenceDiffs {
                let payload = UnsafeMutableRawBufferPointer(rebasing: out[w.payloadOffset..<(w.payloadOffset &+ w.payloadLength)])
                VP9PictureIDRewriter.rewrite(payload, descriptor: d, pictureID: v.pictureID, referenceDiffs: v.referenceDiffs)
            }
            s.forwardedPackets &+= 1
            s.forwardedBytes &+= UInt64(w.length)
            emit(s, ForwardedCopy(length: w.length, payloadOffset: w.payloadOffset, timestamp: ts,
                                  pictureID: vp8Out?.pictureID ?? nil, tl0PicIdx: vp8Out?.tl0PicIdx ?? nil, marker: marker,
                                  sourceGeneration: sourceGeneration))
        } catch {
            s.drops.count(.rewriteFailed)
        }
    }

    /// SVC (VP9, AV1) for one subscription and packet: nil when the packet is dropped (counted,
    /// its sequence number given up), else the marker bit to write (nil: the source's) and the
    /// VP9 picture ID and P_DIFFs. Out of line: VP8 and audio never get here, and the
    /// per-copy loop stays small enough to inline.
    @inline(never)
    private func svcDecision(
        _ s: Subscription, header: RTPHeader, layer: Int, vp9: VP9PayloadDescriptor?,
        dd: DependencyDescriptorReader.Result?
    ) -> (marker: Bool?, vp9: (pictureID: UInt16, referenceDiffs: VP9ReferenceDiffs)?)? {
        let decision: SVCFilterDecision
        if let r = dd {
            decision = s.svc.filter(descriptor: r.descriptor, frame: r.frame, structure: ddReaders[layer].structure,
                                    structureGeneration: ddReaders[layer].structureGeneration,
                                    activeDecodeTargets: ddReaders[layer].activeDecodeTargets, marker: header.marker)
        } else if let d = vp9 {
            decision = s.svc.filterVP9(d, timestamp: header.timestamp, marker: header.marker)
        } else {
            return (nil, nil)
        }
        if s.svc.keyframeNeeded, !keyframeRequested { requestKeyframe(layer: layer) }
        guard decision.forward else {
            switch decision.dropReason {
            case .temporalLayerNotSelected?:
                s.drops.count(.temporalLayerNotSelected)
                if let d = vp9 { s.vp9IDs.drop(d) }
            case .notAKeyframe?, .unknownStructure?: s.drops.count(.notAKeyframe)
            default: s.drops.count(.layerNotSelected)
            }
            _ = s.sequence.drop(header.sequenceNumber)
            return nil
        }
        let marker: Bool? = decision.marker != header.marker ? decision.marker : nil
        if dd == nil, let d = vp9 { return (marker, s.vp9IDs.map(d)) }
        return (marker, nil)
    }

    // MARK: - Layer sizes

    /// A layer's size as the publisher's SDP declared it (a rid's max-width/max-height, or
    /// `imageattr`): kept until a keyframe says otherwise.
    public func declareSize(layer: Int, width: Int, height: Int) {
        guard layer >= 0, layer < layerSizes.count, layerSizes[layer] == nil else { return }
        learnSize(layer: layer, width: width, height: height)
    }

    private func learnSize(layer: Int, width: Int, height: Int) {
        guard layer >= 0, layer < layerSizes.count, width > 0, height > 0 else { return }
        if layerSizes[layer].map({ $0.width != width || $0.height != height }) ?? true {
            layerSizes[layer] = (width, height)
            sizesChanged = true
        }
    }

    /// A dependency descriptor structure's resolutions: the stream's spatial layers (a single
    /// stream), and its top layer's size as this simulcast layer's.
    private func learnSizes(from st: FrameDependencyStructure, layer: Int) {
        let n = st.maxSpatialID &+ 1
        var sizes = [(width: Int, height: Int)?](repeating: nil, count: n)
        for i in 0..<n { sizes[i] = st.resolution(spatialID: i).map { ($0.width, $0.height) } }
        setSpatialSizes(sizes, layer: layer)
    }

    /// A VP9 key picture's sizes: the scalability structure's (all spatial layers), or the
    /// frame header's for the layer frame this packet starts.
    private func learnSizes(from d: VP9PayloadDescriptor, payload: UnsafeRawBufferPointer, layer: Int) {
        if let ss = d.scalabilityStructure {
            // Every key picture repeats the structure: nothing to build when it is the same.
            let n = min(ss.spatialLayerCount, 8)
            if layerCount == 1, n == spatialSizes.count, (0..<n).allSatisfy({ i in
                let r = ss.resolution(layer: i)
                let known = spatialSizes[i]
                return ss.hasResolutions ? known?.width == Int(r.width) && known?.height == Int(r.height) : known == nil
            }) { return }
            var sizes = [(width: Int, height: Int)?](repeating: nil, count: min(ss.spatialLayerCount, 8))
            if ss.hasResolutions {
                for i in sizes.indices {
                    let r = ss.resolution(layer: i)
                    if r.width > 0, r.height > 0 { sizes[i] = (Int(r.width), Int(r.height)) }
                }
            }
            setSpatialSizes(sizes, layer: layer)
        } else if d.beginningOfFrame, let r = VP9FrameHeader.resolution(inPayload: payload, descriptor: d) {
            if layerCount > 1 || d.spatialID == 0 { learnSize(layer: layer, width: r.width, height: r.height) }
        }
    }

    private func setSpatialSizes(_ sizes: [(width: Int, height: Int)?], layer: Int) {
        if let top = sizes.last ?? nil { learnSize(layer: layer, width: top.width, height: top.height) }
        // Spatial layers matter for a single stream; simulcast layers are chosen by layer.
        guard layerCount == 1 else { return }
        let same = sizes.count == spatialSizes.count && zip(sizes, spatialSizes).allSatisfy {
            $0?.width == $1?.width && $0?.height == $1?.height
        }
        if !same {
            spatialSizes = sizes
            sizesChanged = true
        }
    }
}
