/// The negotiated ids of the RTP header extensions the router reads or writes
/// (RFC 8285; nil when not negotiated). Only ids 1...255 except 15 are usable on the wire
/// (one-byte ids 1-14, two-byte ids 1-255; RFC 8285 §4.2, §4.3).
public struct SDPHeaderExtensionIDs: Hashable, Sendable {
    public var mid: UInt8?
    public var rid: UInt8?
    public var repairedRid: UInt8?
    public var absSendTime: UInt8?
    public var transportWideCC: UInt8?
    public var audioLevel: UInt8?
    public var dependencyDescriptor: UInt8?

    public init(mid: UInt8? = nil, rid: UInt8? = nil, repairedRid: UInt8? = nil, absSendTime: UInt8? = nil,
                transportWideCC: UInt8? = nil, audioLevel: UInt8? = nil, dependencyDescriptor: UInt8? = nil) {
        self.mid = mid
        self.rid = rid
        self.repairedRid = repairedRid
        self.absSendTime = absSendTime
        self.transportWideCC = transportWideCC
        self.audioLevel = audioLevel
        self.dependencyDescriptor = dependencyDescriptor
    }

    /// Picks the known URIs out of extmap lines.
    public init(_ extMaps: [SDPExtMap]) {
        self.init()
        for e in extMaps {
            guard let id = Self.wireID(e.id) else { continue }
            switch e.uri {
            case SDPExtensionURI.mid: mid = id
            case SDPExtensionURI.rid: rid = id
            case SDPExtensionURI.repairedRid: repairedRid = id
            case SDPExtensionURI.absSendTime: absSendTime = id
            case SDPExtensionURI.transportWideCC: transportWideCC = id
            case SDPExtensionURI.audioLevel: audioLevel = id
            case SDPExtensionURI.dependencyDescriptor: dependencyDescriptor = id
            default: break
            }
        }
    }

    /// The id as it can appear in an RTP header extension, or nil (0, 15, or above 255).
    public static func wireID(_ id: UInt16) -> UInt8? {
        guard id >= 1, id <= 255, id != 15 else { return nil }
        return UInt8(id)
    }

    /// The URIs the router uses: mid, rid, repaired-rid, abs-send-time, transport-wide-cc,
    /// audio-level, dependency-descriptor.
    public static let routerURIs: [String] = [
        SDPExtensionURI.mid, SDPExtensionURI.rid, SDPExtensionURI.repairedRid, SDPExtensionURI.absSendTime,
        SDPExtensionURI.transportWideCC, SDPExtensionURI.audioLevel, SDPExtensionURI.dependencyDescriptor,
    ]

    /// Default extmap lines for offers, with the ids Chromium uses (so one BUNDLE group maps
    /// each URI to one id).
    public static func defaultExtMaps(for kind: SDPMediaKind) -> [SDPExtMap] {
        switch kind {
        case .audio:
            return [SDPExtMap(id: 1, uri: SDPExtensionURI.audioLevel),
                    SDPExtMap(id: 2, uri: SDPExtensionURI.absSendTime),
                    SDPExtMap(id: 3, uri: SDPExtensionURI.transportWideCC),
                    SDPExtMap(id: 4, uri: SDPExtensionURI.mid)]
        case .video:
            return [SDPExtMap(id: 2, uri: SDPExtensionURI.absSendTime),
                    SDPExtMap(id: 3, uri: SDPExtensionURI.transportWideCC),
                    SDPExtMap(id: 4, uri: SDPExtensionURI.mid),
                    SDPExtMap(id: 10, uri: SDPExtensionURI.rid),
                    SDPExtMap(id: 11, uri: SDPExtensionURI.repairedRid),
                    SDPExtMap(id: 12, uri: SDPExtensionURI.dependencyDescriptor)]
        default:
            return []
        }
    }
}
