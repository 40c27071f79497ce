/// The rtpmap, fmtp and rtcp-fb lines of one m-section indexed by payload type, built in one
/// pass so that negotiation does not rescan the attribute list for every payload type.
struct SDPFormatTable {
    var rtpMaps: [PayloadType: SDPRtpMap] = [:]
    var fmtps: [PayloadType: SDPFormatParameters] = [:]
    var feedback: [PayloadType: [SDPRtcpFeedback]] = [:]
    /// RTX payload types by the payload type their `apt` names (first one listed wins).
    var rtxByAssociated: [PayloadType: [PayloadType]] = [:]
    /// The payload types of the m-line, in order, each once.
    var payloadTypes: [PayloadType] = []

    init(_ section: MediaDescription) {
        var wildcard: [SDPRtcpFeedback] = []
        for a in section.attributes {
            switch a {
            case .rtpMap(let m): if rtpMaps[m.payloadType] == nil { rtpMaps[m.payloadType] = m }
            case .fmtp(let f): if fmtps[f.payloadType] == nil { fmtps[f.payloadType] = f }
            case .rtcpFeedback(let fb):
                if let pt = fb.payloadType { feedback[pt, default: []].append(fb) } else { wildcard.append(fb) }
            default: break
            }
        }
        for pt in section.payloadTypes where !payloadTypes.contains(pt) { payloadTypes.append(pt) }
        if !wildcard.isEmpty {
            for pt in payloadTypes { feedback[pt, default: []] += wildcard }
        }
        for pt in payloadTypes {
            guard let m = rtpMaps[pt], m.isEncoding("rtx"), let apt = fmtps[pt]?.associatedPayloadType else { continue }
            rtxByAssociated[apt, default: []].append(pt)
        }
    }

    /// Feedback lines for `pt` (its own and `*` ones), each once, rewritten to name `pt`.
    func feedback(for pt: PayloadType, where keep: (SDPRtcpFeedback) -> Bool = { _ in true }) -> [SDPRtcpFeedback] {
        var out: [SDPRtcpFeedback] = []
        for fb in feedback[pt] ?? [] where keep(fb) {
            let specific = SDPRtcpFeedback(payloadType: pt, type: fb.type, subtype: fb.subtype)
            if !out.contains(specific) { out.append(specific) }
        }
        return out
    }
}
