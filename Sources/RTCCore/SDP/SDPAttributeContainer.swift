/// Typed look-ups over an ordered attribute list, shared by the session level
/// (``SessionDescription``) and the media level (``MediaDescription``).
///
/// A protocol with extension methods (static dispatch): no existential is ever formed.
public protocol SDPAttributeContainer {
    var attributes: [SDPAttribute] { get set }
}

extension SDPAttributeContainer {
    public var iceUfrag: String? {
        for case .iceUfrag(let s) in attributes { return s }
        return nil
    }

    public var icePwd: String? {
        for case .icePwd(let s) in attributes { return s }
        return nil
    }

    public var iceOptions: [String] {
        var out: [String] = []
        for case .iceOptions(let list) in attributes { out += list }
        return out
    }

    public var iceLite: Bool { attributes.contains(.iceLite) }
    public var rtcpMux: Bool { attributes.contains(.rtcpMux) }
    public var rtcpRsize: Bool { attributes.contains(.rtcpRsize) }
    public var extmapAllowMixed: Bool { attributes.contains(.extmapAllowMixed) }
    public var endOfCandidates: Bool { attributes.contains(.endOfCandidates) }

    public var fingerprints: [DTLSFingerprint] {
        var out: [DTLSFingerprint] = []
        for case .fingerprint(let f) in attributes { out.append(f) }
        return out
    }

    public var setup: SDPSetupRole? {
        for case .setup(let r) in attributes { return r }
        return nil
    }

    public var groups: [SDPGroup] {
        var out: [SDPGroup] = []
        for case .group(let g) in attributes { out.append(g) }
        return out
    }

    public var candidates: [ICECandidate] {
        var out: [ICECandidate] = []
        for case .candidate(let c) in attributes { out.append(c) }
        return out
    }

    public var sctpPort: UInt16? {
        for case .sctpPort(let p) in attributes { return p }
        return nil
    }

    public var maxMessageSize: UInt64? {
        for case .maxMessageSize(let n) in attributes { return n }
        return nil
    }

    /// The direction attribute written here, if any (the last one wins).
    public var directionAttribute: SDPDirection? {
        var d: SDPDirection?
        for case .direction(let x) in attributes { d = x }
        return d
    }

    /// Values of every attribute with this name kept as ``SDPAttribute/other(name:value:)``.
    public func otherAttributes(named name: String) -> [String?] {
        var out: [String?] = []
        for case .other(let n, let v) in attributes where n == name { out.append(v) }
        return out
    }

    /// True when an attribute with this name is present (typed or not).
    public func hasAttribute(named name: String) -> Bool {
        attributes.contains { $0.name == name }
    }

    /// Removes every attribute with this name (typed or not).
    public mutating func removeAttributes(named name: String) {
        attributes.removeAll { $0.name == name }
    }

    /// Replaces any direction attribute with `direction` (appended if there was none).
    public mutating func setDirection(_ direction: SDPDirection) {
        if let i = attributes.firstIndex(where: { if case .direction = $0 { return true } else { return false } }) {
            attributes[i] = .direction(direction)
            var j = attributes.count - 1
            while j > i {
                if case .direction = attributes[j] { attributes.remove(at: j) }
                j -= 1
            }
        } else {
            attributes.append(.direction(direction))
        }
    }
}
