/// An RTP stream this side sends in an m-section: its SSRC, the RTX SSRC paired with it by
/// `ssrc-group:FID` (RFC 5576 §4.2, RFC 4588 §8.2), its CNAME and msid (RFC 8830).
///
/// ```
///   a=msid:<stream> <track>
///   a=ssrc-group:FID <ssrc> <rtx ssrc>
///   a=ssrc:<ssrc> cname:<cname>          a=ssrc:<ssrc> msid:<stream> <track>
///   a=ssrc:<rtx ssrc> cname:<cname>      a=ssrc:<rtx ssrc> msid:<stream> <track>
/// ```
public struct SDPSendStream: Hashable, Sendable {
    public var ssrc: SSRC
    public var rtxSsrc: SSRC?
    public var cname: String
    public var msid: SDPMsid

    public init(ssrc: SSRC, rtxSsrc: SSRC? = nil, cname: String, msid: SDPMsid) {
        self.ssrc = ssrc
        self.rtxSsrc = rtxSsrc
        self.cname = cname
        self.msid = msid
    }

    /// The `ssrc-group` and `ssrc` lines (the `msid` line is written separately, after the
    /// direction).
    var ssrcAttributes: [SDPAttribute] {
        var out: [SDPAttribute] = []
        var ssrcs = [ssrc]
        if let rtxSsrc {
            out.append(.ssrcGroup(SDPSsrcGroup(semantics: "FID", ssrcs: [ssrc, rtxSsrc])))
            ssrcs.append(rtxSsrc)
        }
        for s in ssrcs {
            out.append(.ssrc(SDPSsrcAttribute(ssrc: s, attribute: "cname", value: cname)))
            out.append(.ssrc(SDPSsrcAttribute(ssrc: s, attribute: "msid", value: msid.attributeValue)))
        }
        return out
    }
}
