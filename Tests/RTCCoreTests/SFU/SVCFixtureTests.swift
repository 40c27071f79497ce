import Foundation
import Testing
@testable import RTCCore

/// The SVC layer filter over what Chromium 156 really sends with `scalabilityMode: L3T3_KEY`
/// (Fixtures/replay/chromium-{vp9,av1}-svc.pcap, captured by sfu-server --capture): per
/// target, which spatial and temporal layers come out, and that every forwarded picture ends
/// with a marker bit.
@Suite struct SVCFixtureTests {
    struct Packet {
        var header: RTPHeader
        var bytes: [UInt8]
        var dd: Range<Int>?
    }

    static func videoPackets(_ name: String, payloadType: UInt8) throws -> [Packet] {
        let url = SDPTestSupport.packageRoot.appendingPathComponent("Fixtures/replay/\(name).pcap")
        let file = try [UInt8](Data(contentsOf: url))
        var map = RTPExtensionMap()
        map.register(.dependencyDescriptor, id: 13)
        map.register(.mid, id: 9)
        var out: [Packet] = []
        for p in try PcapReader.read(file) {
            let parsed: (RTPHeader, RTPExtensionValues)? = p.payload.withUnsafeBytes { raw in
                guard Demux.classify(raw) == .rtp else { return nil }
                return try? RTPHeader.parseForForwarding(raw, map: map)
            }
            guard let (h, v) = parsed, h.payloadType.rawValue == payloadType, h.payloadLength > 0 else { continue }
            let dd = v.dependencyDescriptor.map { $0.offset..<($0.offset + $0.length) }
            out.append(Packet(header: h, bytes: p.payload, dd: dd))
        }
        return out
    }

    struct Outcome {
        /// (spatial, temporal) of each forwarded packet's layer frame.
        var layers: Set<[Int]> = []
        var forwarded = 0
        var pictures = 0
        var picturesWithMarker = 0
        var unmarked: [UInt32] = []
    }

    /// Runs the stream through one filter aiming at `target`, reading layers from the
    /// dependency descriptor (`useDD`) or the VP9 payload descriptor.
    static func run(_ packets: [Packet], target: SVCLayers, useDD: Bool,
                    switchTo later: SVCLayers? = nil, at switchIndex: Int = 0) -> Outcome {
        var f = SVCLayerFilter()
        return run(packets, target: target, useDD: useDD, switchTo: later, at: switchIndex, filterAfter: &f)
    }

    static func run(_ packets: [Packet], target: SVCLayers, useDD: Bool, switchTo later: SVCLayers?,
                    at switchIndex: Int, filterAfter: inout SVCLayerFilter) -> Outcome {
        var filter = SVCLayerFilter(target: target)
        var index = 0
        var switchedAt: UInt32?
        var reader = DependencyDescriptorReader()
        var out = Outcome()
        var lastTS: UInt32?
        var markerInPicture = false
        for p in packets {
            index += 1
            if let l = later, index == switchIndex {
                filter.setTarget(l)
                switchedAt = p.header.timestamp
            }
            // The picture in flight at the change finishes as it started: count from the next
            // (with the dependency descriptor, K-SVC: from the next key frame).
            let isKey = p.dd.map { r in r.count > 3 && p.bytes[r.lowerBound + 3] & 0x80 != 0 } ?? false
            if let t = switchedAt, useDD ? isKey : p.header.timestamp != t {
                out = Outcome()
                lastTS = nil
                switchedAt = nil
            }
            p.bytes.withUnsafeBytes { raw in
                let payload = p.header.payload(in: raw)
                let decision: SVCFilterDecision
                var layer: [Int] = []
                if useDD, let r = p.dd, let result = try? reader.read(UnsafeRawBufferPointer(rebasing: raw[r])) {
                    decision = filter.filter(result, reader: reader, marker: p.header.marker)
                    if let f = result.frame { layer = [f.spatialID, f.temporalID] }
                } else if !useDD, let d = try? VP9PayloadDescriptor.parse(payload) {
                    decision = filter.filterVP9(d, timestamp: p.header.timestamp, marker: p.header.marker)
                    layer = [Int(d.spatialID), Int(d.temporalID)]
                } else {
                    return
                }
                guard decision.forward else { return }
                if lastTS != p.header.timestamp {
                    if let ts = lastTS {
                        out.pictures += 1
                        if markerInPicture { out.picturesWithMarker += 1 } else { out.unmarked.append(ts) }
                    }
                    lastTS = p.header.timestamp
                    markerInPicture = false
                }
                if decision.marker { markerInPicture = true }
                out.forwarded += 1
                out.layers.insert(layer)
            }
        }
        filterAfter = filter
        return out
    }

    @Test func chromiumAV1StructureHasThreeSpatialLayers() throws {
        var reader = DependencyDescriptorReader()
        var failures: [String: Int] = [:]
        var without = 0
        for p in try Self.videoPackets("chromium-av1-svc", payloadType: 45) {
            guard let r = p.dd else { without += 1; continue }
            p.bytes.withUnsafeBytes { raw in
                do { _ = try reader.read(UnsafeRawBufferPointer(rebasing: raw[r])) } catch { failures["\(error)", default: 0] += 1 }
            }
        }
        print("AV1 DD failures \(failures), packets without DD \(without)")
        #expect(reader.structure.maxSpatialID == 2 && reader.structure.maxTemporalID == 2)
        print("AV1 structure: resolutions \(reader.structure.hasResolutions), \((0...2).map { reader.structure.resolution(spatialID: $0).map(\.description) ?? "-" })")
    }

    @Test(arguments: [
        // (fixture, payload type, read the dependency descriptor)
        ("chromium-av1-svc", 45 as UInt8, true),
        ("chromium-vp9-svc", 98, true),
        ("chromium-vp9-svc", 98, false),
    ])
    func chromiumL3T3Key(fixture: String, payloadType: UInt8, useDD: Bool) throws {
        let packets = try Self.videoPackets(fixture, payloadType: payloadType)
        #expect(packets.count > 1000)
        let all = Self.run(packets, target: .highest, useDD: useDD)
        let markedSource = Set(packets.filter { $0.header.marker }.map { $0.header.timestamp })
        #expect(Set(all.layers.map { $0[0] }) == [0, 1, 2], "\(all.layers)")
        for (spatial, temporal) in [(0, 2), (1, 2), (2, 0), (0, 0)] {
            let o = Self.run(packets, target: SVCLayers(spatial: spatial, temporal: temporal), useDD: useDD)
            #expect(o.forwarded > 0)
            #expect(o.layers.allSatisfy { $0[0] <= spatial && $0[1] <= temporal }, "S\(spatial)T\(temporal): \(o.layers)")
            #expect(o.layers.contains { $0[0] == spatial }, "S\(spatial)T\(temporal): \(o.layers)")
            // Every forwarded picture ends with a marker, unless the publisher's own picture
            // had none (Chromium once sent a VP9 picture without its last packet's E and M bits).
            #expect(o.unmarked.allSatisfy { !markedSource.contains($0) },
                    "S\(spatial)T\(temporal): \(o.picturesWithMarker)/\(o.pictures), unmarked \(o.unmarked)")
            #expect(o.picturesWithMarker >= o.pictures - 2)
            print("\(fixture) dd=\(useDD) S\(spatial)T\(temporal): \(o.forwarded) of \(all.forwarded) packets, \(o.pictures) pictures")
        }
    }

    /// Switching mid-stream, down and (on a later key frame) up, as the router does it: VP9 by
    /// its payload descriptor, AV1 by the dependency descriptor (in K-SVC a switch down waits
    /// for a key frame too, and the filter asks for one).
    @Test(arguments: [("chromium-vp9-svc", 98 as UInt8, false), ("chromium-av1-svc", 45, true)])
    func chromiumSwitchesMidStream(fixture: String, payloadType: UInt8, useDD: Bool) throws {
        let packets = try Self.videoPackets(fixture, payloadType: payloadType)
        // Up switches wait for a key picture: switch before the last one in the capture.
        let keys = packets.indices.filter { i in
            packets[i].bytes.withUnsafeBytes { raw in
                if useDD {
                    // A key frame carries the structure (the template dependency structure bit).
                    guard let r = packets[i].dd, r.count > 3 else { return false }
                    return raw[r.lowerBound + 3] & 0x80 != 0 && raw[r.lowerBound] & 0x80 != 0
                }
                return (try? VP9PayloadDescriptor.parse(packets[i].header.payload(in: raw)))?.isKeyframe == true
            }
        }
        #expect(keys.count >= 2)
        let at = max(1, (keys.last ?? 0) - 50)
        for (from, to) in [((2, 2), (0, 2)), ((2, 2), (1, 0)), ((0, 2), (2, 2)), ((1, 1), (2, 2))] {
            var filterAfter = SVCLayerFilter()
            let o = Self.run(packets, target: SVCLayers(spatial: from.0, temporal: from.1), useDD: useDD,
                             switchTo: SVCLayers(spatial: to.0, temporal: to.1), at: at, filterAfter: &filterAfter)
            // Switched by the end, so nothing more is asked for.
            #expect(!filterAfter.keyframeNeeded, "\(from)→\(to)")
            #expect(o.layers.contains { $0[0] == to.0 }, "S\(from)→S\(to): \(o.layers)")
            if to.0 < from.0 {
                #expect(o.layers.allSatisfy { $0[0] <= to.0 && $0[1] <= to.1 }, "\(from)→\(to): \(o.layers)")
            }
            print("\(fixture) dd=\(useDD) \(from)→\(to): \(o.forwarded) packets after the change, layers \(o.layers.sorted { $0.lexicographicallyPrecedes($1) })")
        }
    }
}

/// VP9 picture IDs stay continuous when whole pictures are dropped (temporal layers above
/// the target), and flexible-mode P_DIFFs still reach the same reference pictures.
@Suite struct VP9PictureIDContinuityTests {
    @Test(arguments: [0, 1, 2])
    func chromiumStreamAtTemporalTarget(temporal: Int) throws {
        let packets = try SVCFixtureTests.videoPackets("chromium-vp9-svc", payloadType: 98)
        var filter = SVCLayerFilter(target: SVCLayers(spatial: 2, temporal: temporal))
        var ids = VP9PictureIDRewriter()
        // input picture ID → output picture ID, for the pictures forwarded.
        var outFor: [UInt16: UInt16] = [:]
        var outputs: [UInt16] = []
        var checkedRefs = 0
        for p in packets {
            try p.bytes.withUnsafeBytes { raw in
                let d = try VP9PayloadDescriptor.parse(p.header.payload(in: raw))
                let decision = filter.filterVP9(d, timestamp: p.header.timestamp, marker: p.header.marker)
                guard decision.forward else {
                    if decision.dropReason == .temporalLayerNotSelected { ids.drop(d) }
                    return
                }
                guard let id = d.pictureID, let m = ids.map(d) else { return }
                if let known = outFor[id] { #expect(known == m.pictureID) } else {
                    outFor[id] = m.pictureID
                    outputs.append(m.pictureID)
                }
                // Every reference names, under its new ID, the picture it named before.
                for (old, new) in zip(d.referenceDiffs, m.referenceDiffs) {
                    let ref = (id &- UInt16(old)) & 0x7FFF
                    if let refOut = outFor[ref] {
                        #expect((m.pictureID &- UInt16(new)) & 0x7FFF == refOut, "pid \(id) diff \(old) → \(new)")
                        checkedRefs += 1
                    }
                }
                // And the rewrite puts exactly that into the bytes.
                var copy = Array(p.header.payload(in: raw))
                copy.withUnsafeMutableBytes { out in
                    #expect(VP9PictureIDRewriter.rewrite(out, descriptor: d, pictureID: m.pictureID,
                                                         referenceDiffs: m.referenceDiffs))
                    let back = try? VP9PayloadDescriptor.parse(UnsafeRawBufferPointer(out))
                    #expect(back?.pictureID == m.pictureID && back?.referenceDiffs == m.referenceDiffs)
                }
            }
        }
        #expect(outputs.count > 50)
        // One after the other: no gap where pictures were dropped.
        #expect(zip(outputs, outputs.dropFirst()).allSatisfy { ($1 &- $0) & 0x7FFF == 1 })
        #expect(checkedRefs > 20)
        print("VP9 T≤\(temporal): \(outputs.count) pictures numbered without gaps, \(checkedRefs) references re-aimed")
    }
}
