/// Per-subscription spatial/temporal layer selection for one scalable (SVC) stream: decides per
/// packet whether to forward it and which RTP marker bit the copy carries, for a target that may
/// change at any time. Sans-IO, no clock, no heap (a few dozen bytes of state).
///
/// Two sources of layer information, one per stream:
///
/// **VP9 payload descriptor** (RFC 9628 §4.2; ``filterVP9(_:timestamp:marker:)``):
/// ```
///  picture boundary = first packet with a newer RTP timestamp
///   temporal down    at a picture boundary, at once
///   temporal up      to the picture's TID, at a picture boundary whose first packet has B=1
///                    and U=1 (a switching-up point: the layer frame refers to no earlier
///                    frame of its temporal layer or above), or on a key picture (to the target)
///   spatial down     at a picture boundary, at once (lower layers never refer to upper ones)
///   spatial up       one layer at a time, at the start (B=1) of a layer frame with SID = current
///                    + 1 that has no inter-picture dependency (P=0: a key picture's upper layers,
///                    or an intra-only/inter-layer-only switch frame), whose lower layer (D=1)
///                    was forwarded in the same picture; else wait, and say a key frame is needed
///   forward          TID ≤ current temporal and SID ≤ current spatial
///   marker           E=1 on the current spatial layer (not while a P=0 layer frame is about
///                    to be followed by an up switch), or the publisher's own marker
/// ```
/// Start: the first key picture (P=0, B=1, SID 0). A stream without layer indices (L=0) is
/// S0T0. The SS (V=1) caps the spatial target at the layers the stream has.
///
/// **Dependency descriptor** (AV1 RTP specification A.4–A.7; AV1, and VP9/VP8 when negotiated;
/// ``filter(_:reader:marker:)``): the target picks a decode target — the active one with the
/// highest spatial, then temporal ID not above the target (else the lowest active one). A frame
/// is forwarded when its DTI for the current decode target is not "not present". The filter
/// switches to the wanted decode target at the start of a frame when
/// ```
///   the frame is in the wanted target, every frame it refers to (frame diffs) was forwarded,
///   and: its DTI is switch (A.7), or
///        the chain protecting the wanted target is intact — the previous frame of that chain
///        (chain diff) was forwarded, or the diff is 0 (A.5, A.7), or
///        every template present in the wanted target is present in the current one
///        (everything the new target needs was forwarded; for structures without chains)
/// ```
/// In full SVC (L3T3) this switches down at once, up in time on the T0 chain, and up in
/// space only on a key frame; in K-SVC another spatial layer needs a key frame.
/// A new structure (a key frame) restarts the selection. Frames are remembered by
/// `frame_number` so every packet of a frame gets the same decision, and packets of the
/// previous frame arriving late get that frame's decision.
///
/// How the router uses it, per forwarded packet of an SVC stream:
/// ```
///  once per packet:   VP9 without DD: d = VP9PayloadDescriptor.parse(payload)
///                     with DD:        r = stream.reader.read(dependency descriptor data)
///                                     (one DependencyDescriptorReader per publisher stream)
///  per subscription:  decision = sub.svc.filterVP9(d, timestamp: ts, marker: m)
///                             or sub.svc.filter(r, reader: stream.reader, marker: m)
///                     !decision.forward → sequence.drop(seq), count decision.dropReason
///                     else write the copy with RTPRewrite(marker: decision.marker)
///                     sub.svc.keyframeNeeded → a throttled PLI to the publisher
///  on a source change (publisher restart, another simulcast encoding): sub.svc.reset()
/// ```
///
/// ``keyframeNeeded`` tells the caller to ask the publisher (throttled) for a key frame:
/// nothing forwarded yet, or a spatial up switch waiting for a key frame. Temporal up switches
/// wait for the next switching-up point, which comes without asking.
public struct SVCLayerFilter: Sendable {
    /// The layers the subscriber should get (see ``setTarget(_:)``).
    public private(set) var target: SVCLayers
    /// Ask the publisher for a key frame: the caller reads it after each packet (and after
    /// ``setTarget(_:)``) and sends a throttled PLI while it is true.
    public private(set) var keyframeNeeded = true

    // VP9 payload-descriptor state.
    private var vp9Current: SVCLayers?
    private var pictureTimestamp: UInt32 = 0
    private var hasPicture = false
    private var previousTimestamp: UInt32 = 0
    private var previousLimits: SVCLayers?
    private var hasPrevious = false
    private var highestSpatialInPicture = -1
    private var spatialLayerCount = 8

    // Dependency-descriptor state.
    private var ddCurrent: Int?
    private var ddCurrentLayers = SVCLayers(spatial: 0, temporal: 0)
    private var ddWanted: Int?
    private var ddWantedLayers = SVCLayers(spatial: 0, temporal: 0)
    private var ddGeneration: UInt32 = 0
    private var ddMask: UInt32 = 0
    private var ddSelectionValid = false
    private var ddUsesDescriptor = false
    private var lastFrame: UInt16 = 0
    private var lastFrameForward = false
    private var hasLastFrame = false
    private var previousFrame: UInt16 = 0
    private var previousFrameForward = false
    private var hasPreviousFrame = false
    private var forwardedFrames = FrameNumberWindow()

    /// A filter aiming at `target` (default: everything).
    public init(target: SVCLayers = .highest) {
        self.target = Self.clamped(target)
    }

    /// What is being forwarded now; nil until the stream started.
    public var current: SVCLayers? {
        ddUsesDescriptor ? (ddCurrent == nil ? nil : ddCurrentLayers) : vp9Current
    }

    /// Forgets what was forwarded: the next key frame starts the stream again. Call it when the
    /// source changes (a publisher restart, another simulcast encoding).
    public mutating func reset() {
        self = SVCLayerFilter(target: target)
    }

    /// Changes the target; takes effect at the next allowed switch point (``keyframeNeeded``
    /// reflects it after the next packet).
    public mutating func setTarget(_ layers: SVCLayers) {
        target = Self.clamped(layers)
        ddSelectionValid = false
        updateKeyframeNeeded()
    }

    private static func clamped(_ l: SVCLayers) -> SVCLayers {
        SVCLayers(spatial: min(max(l.spatial, 0), 7), temporal: min(max(l.temporal, 0), 7))
    }

    private mutating func updateKeyframeNeeded() {
        if ddUsesDescriptor {
            guard ddCurrent != nil else { keyframeNeeded = true; return }
            // Another spatial layer, up or down: in K-SVC (L3T3_KEY, what browsers send) the
            // frames of the wanted target's chain were not forwarded, so even a switch down
            // waits for a key frame. In full SVC the switch down happens at the next frame,
            // which clears this again.
            keyframeNeeded = ddWanted != nil && ddWanted != ddCurrent && ddWantedLayers.spatial != ddCurrentLayers.spatial
        } else {
            guard let c = vp9Current else { keyframeNeeded = true; return }
            keyframeNeeded = min(target.spatial, spatialLayerCount &- 1) > c.spatial
        }
    }

    /// 5 s at 90 kHz: a timestamp this far behind the current picture is a new source.
    static let restartGap: UInt32 = 450_000
    /// Frames this far behind the last one are a new source.
    static let frameRestartGap: UInt16 = 1_000

    /// True when RTP timestamp `a` is after `b` (RFC 3550 wrap-around).
    @inline(__always)
    private static func isNewer(_ a: UInt32, _ b: UInt32) -> Bool { a != b && a &- b < 0x8000_0000 }

    // MARK: VP9 payload descriptor

    /// Decides for one VP9 packet.
    ///
    /// - Parameters:
    ///   - d: the packet's payload descriptor.
    ///   - timestamp: its RTP timestamp (the picture).
    ///   - marker: its RTP marker bit (the publisher's end of picture).
    public mutating func filterVP9(_ d: VP9PayloadDescriptor, timestamp: UInt32, marker: Bool) -> SVCFilterDecision {
        ddUsesDescriptor = false
        let sid = d.hasLayerIndices ? Int(d.spatialID) : 0
        let tid = d.hasLayerIndices ? Int(d.temporalID) : 0
        if let ss = d.scalabilityStructure { spatialLayerCount = ss.spatialLayerCount }
        let wantedSpatial = min(target.spatial, spatialLayerCount &- 1)
        var switched = false
        let limits: SVCLayers?
        let inCurrentPicture: Bool
        // A timestamp far behind the picture (a source that restarted) starts a new picture too.
        if !hasPicture || Self.isNewer(timestamp, pictureTimestamp) || pictureTimestamp &- timestamp > Self.restartGap {
            // A new picture: apply down switches, and up switches the picture allows.
            previousTimestamp = pictureTimestamp
            previousLimits = vp9Current
            hasPrevious = hasPicture
            hasPicture = true
            pictureTimestamp = timestamp
            highestSpatialInPicture = -1
            if var c = vp9Current {
                if target.temporal < c.temporal { c.temporal = target.temporal; switched = true }
                if wantedSpatial < c.spatial { c.spatial = wantedSpatial; switched = true }
                if d.isKeyframe, c.temporal != target.temporal {
                    c.temporal = target.temporal
                    switched = true
                } else if target.temporal > c.temporal, d.beginningOfFrame, d.switchingUpPoint,
                          tid > c.temporal, tid <= target.temporal {
                    c.temporal = tid
                    switched = true
                }
                vp9Current = c
            } else if d.isKeyframe {
                vp9Current = SVCLayers(spatial: 0, temporal: target.temporal)
                switched = true
            }
            limits = vp9Current
            inCurrentPicture = true
        } else if timestamp == pictureTimestamp {
            limits = vp9Current
            inCurrentPicture = true
        } else {
            // A late packet of an earlier picture: that picture's decision, no switching.
            limits = hasPrevious && timestamp == previousTimestamp ? previousLimits : vp9Current
            inCurrentPicture = false
        }
        guard var c = limits else {
            updateKeyframeNeeded()
            return .drop(.notAKeyframe)
        }
        if inCurrentPicture, d.beginningOfFrame, sid == c.spatial &+ 1, sid <= wantedSpatial, tid <= c.temporal,
           !d.interPicturePredicted, !d.interLayerDependency || highestSpatialInPicture == sid &- 1 {
            c.spatial = sid
            vp9Current = c
            switched = true
        }
        updateKeyframeNeeded()
        if tid > c.temporal { return .drop(.temporalLayerNotSelected) }
        if sid > c.spatial { return .drop(.spatialLayerNotSelected) }
        if inCurrentPicture, sid > highestSpatialInPicture { highestSpatialInPicture = sid }
        // The end of the highest layer forwarded — unless this layer frame has no
        // inter-picture dependency and a higher layer is wanted: the next layer frame of the
        // picture (a key picture's) is then about to switch up and carries the marker.
        let upNext = !d.interPicturePredicted && wantedSpatial > c.spatial
        return .forward(marker: marker || (d.endOfFrame && sid == c.spatial && !upNext), switched: switched)
    }

    // MARK: Dependency descriptor

    /// Decides for one packet with a dependency descriptor, read by the stream's `reader`.
    @inlinable
    public mutating func filter(
        _ result: DependencyDescriptorReader.Result, reader: DependencyDescriptorReader, marker: Bool
    ) -> SVCFilterDecision {
        filter(descriptor: result.descriptor, frame: result.frame, structure: reader.structure,
               structureGeneration: reader.structureGeneration, activeDecodeTargets: reader.activeDecodeTargets,
               marker: marker)
    }

    /// Decides for one packet with a dependency descriptor.
    ///
    /// - Parameters:
    ///   - frame: the descriptor resolved against `structure` (nil: unresolvable).
    ///   - structureGeneration: changes when a new structure arrives (restarts the selection).
    ///   - activeDecodeTargets: the sender's active decode targets (bit i: decode target i).
    ///   - marker: the packet's RTP marker bit.
    public mutating func filter(
        descriptor d: DependencyDescriptor, frame: DependencyFrameInfo?, structure: FrameDependencyStructure,
        structureGeneration: UInt32, activeDecodeTargets: UInt32, marker: Bool
    ) -> SVCFilterDecision {
        ddUsesDescriptor = true
        guard let f = frame else {
            keyframeNeeded = true
            return .drop(.unknownStructure)
        }
        if structureGeneration != ddGeneration {
            // A new structure (a key frame, perhaps of a new encoder): decode target indices
            // mean something else now, and frame numbers may restart.
            ddGeneration = structureGeneration
            ddCurrent = nil
            ddSelectionValid = false
            hasLastFrame = false
            hasPreviousFrame = false
            forwardedFrames = FrameNumberWindow()
        }
        if !ddSelectionValid || activeDecodeTargets != ddMask {
            ddMask = activeDecodeTargets
            selectDecodeTarget(structure)
        }
        let fn = d.frameNumber
        var switched = false
        let forward: Bool
        if hasLastFrame, fn == lastFrame {
            forward = lastFrameForward
        } else if hasLastFrame, lastFrame &- fn < Self.frameRestartGap {
            // An earlier frame arriving late.
            if hasPreviousFrame, fn == previousFrame {
                forward = previousFrameForward
            } else {
                forward = ddCurrent.map { f.decodeTargetIndications[$0].isPresent } ?? false
            }
        } else {
            if let w = ddWanted, ddCurrent != w, d.startOfFrame, canSwitch(to: w, frame: f, number: fn, structure) {
                ddCurrent = w
                ddCurrentLayers = ddWantedLayers
                switched = true
            }
            forward = ddCurrent.map { f.decodeTargetIndications[$0].isPresent } ?? false
            previousFrame = lastFrame
            previousFrameForward = lastFrameForward
            hasPreviousFrame = hasLastFrame
            lastFrame = fn
            lastFrameForward = forward
            hasLastFrame = true
            if forward { forwardedFrames.mark(fn) }
        }
        updateKeyframeNeeded()
        guard forward else { return .drop(ddCurrent == nil ? .notAKeyframe : .notInDecodeTarget) }
        return .forward(marker: marker || (d.endOfFrame && f.spatialID == ddCurrentLayers.spatial), switched: switched)
    }

    /// The decode targets this subscriber can decode from what it is sent: those whose frames
    /// are all in the current decode target (bit i: decode target i), nil before the stream
    /// started or outside dependency-descriptor mode. A.4 asks a sender that changes the
    /// forwarded decode targets to signal them: write it as the descriptor's
    /// `active_decode_targets_bitmask` on the first packet after a switch and on key frames, so
    /// that receivers ignore the chains of decode targets they will not get (A.5).
    public func decodableDecodeTargets(in structure: FrameDependencyStructure) -> UInt32? {
        guard ddUsesDescriptor, let c = ddCurrent else { return nil }
        let current = structure.templatesPresent(inDecodeTarget: c)
        var mask: UInt32 = 0
        for dt in 0..<min(structure.decodeTargetCount, 32)
        where structure.templatesPresent(inDecodeTarget: dt) & ~current == 0 {
            mask |= 1 << UInt32(dt)
        }
        return mask
    }

    /// The decode target for the target layers among the active ones.
    private mutating func selectDecodeTarget(_ s: FrameDependencyStructure) {
        ddSelectionValid = true
        var best: Int?
        var bestLayers = SVCLayers(spatial: -1, temporal: -1)
        var lowest: Int?
        var lowestLayers = SVCLayers(spatial: 99, temporal: 99)
        for dt in 0..<s.decodeTargetCount where ddMask >> UInt32(dt) & 1 != 0 {
            guard let l = s.layers(ofDecodeTarget: dt) else { continue }
            let layers = SVCLayers(spatial: l.spatial, temporal: l.temporal)
            if layers.spatial <= target.spatial, layers.temporal <= target.temporal,
               (layers.spatial, layers.temporal) > (bestLayers.spatial, bestLayers.temporal) {
                best = dt
                bestLayers = layers
            }
            if (layers.spatial, layers.temporal) < (lowestLayers.spatial, lowestLayers.temporal) {
                lowest = dt
                lowestLayers = layers
            }
        }
        if let b = best {
            ddWanted = b
            ddWantedLayers = bestLayers
        } else {
            ddWanted = lowest
            ddWantedLayers = lowestLayers
        }
    }

    /// A.7: a switch indication on a decodable frame; or a decodable frame of the wanted target
    /// whose chain is intact; or a wanted target contained in the current one.
    private func canSwitch(to w: Int, frame f: DependencyFrameInfo, number fn: UInt16, _ s: FrameDependencyStructure) -> Bool {
        let dti = f.decodeTargetIndications[w]
        guard dti.isPresent else { return false }
        let decodable = f.frameDiffs.allSatisfy { forwardedFrames.contains(fn &- $0) }
        if dti == .switch, decodable { return true }
        if decodable, let chain = s.chain(protecting: w) {
            let diff = f.chainDiffs[chain]
            if diff == 0 || forwardedFrames.contains(fn &- UInt16(diff)) { return true }
        }
        guard let c = ddCurrent else { return false }
        return s.templatesPresent(inDecodeTarget: w) & ~s.templatesPresent(inDecodeTarget: c) == 0
    }
}
