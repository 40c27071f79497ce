/// Fuzz entry point for the SDP parser family: session descriptions, every typed attribute,
/// candidates on their own (trickle form), writing, and reading what was written.
public enum SDPFuzz {
    /// Parses `bytes` as a session description; when that succeeds, reads every typed
    /// accessor, writes the description and parses the result again. Also parses the bytes
    /// as a trickle candidate and as one attribute line, and runs the negotiator on the
    /// result. Returns true when the description parsed. Never traps.
    public static func fuzz(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let data = Array(bytes)
        let text = String(decoding: data, as: UTF8.self)
        _ = try? ICECandidate(parsing: text)
        _ = try? SDPAttribute(data[...], line: 0)
        guard let sdp = try? SDPParser.parse(data) else { return false }
        var sink = 0
        sink &+= touch(sdp)
        for m in sdp.media {
            sink &+= touch(m)
            sink &+= sdp.fingerprints(for: m).count &+ (sdp.iceUfrag(for: m)?.utf8.count ?? 0)
            sink &+= (sdp.icePwd(for: m)?.utf8.count ?? 0) &+ (sdp.setup(for: m) == nil ? 0 : 1)
            sink &+= sdp.direction(for: m).sends ? 1 : 0
            // Declared layer sizes and frame rates (imageattr, framerate, rid restrictions).
            sink &+= m.declaredSendLayers.count &+ m.imageAttributes.count
        }
        sink &+= sdp.bundleMids.count
        let written = sdp.serialized()
        if let again = try? SDPParser.parse(Array(written.utf8)) {
            sink &+= again == sdp ? 1 : 0
        }
        // Offer/answer on whatever parsed: answering it as the SFU, reading the result back,
        // and reading it as an answer to itself (mismatches must be typed errors).
        if let r = try? SDPNegotiator.answer(to: sdp, local: fuzzTransport, options: fuzzOptions) {
            sink &+= r.negotiated.media.count &+ r.answer.media.count
            sink &+= (try? SDPNegotiator.negotiate(localOffer: sdp, remoteAnswer: r.answer))?.media.count ?? 0
        }
        sink &+= (try? SDPNegotiator.negotiate(localOffer: sdp, remoteAnswer: sdp))?.acceptedMedia.count ?? 0
        withExtendedLifetime(sink) {}
        return true
    }

    private static let fuzzTransport = SDPLocalTransport(
        iceUfrag: "fuzz", icePwd: "fuzzfuzzfuzzfuzzfuzzfuzz",
        fingerprints: DTLSFingerprint(hash: .sha256, digest: [UInt8](repeating: 0xAB, count: 32)).map { [$0] } ?? [],
        candidates: [ICECandidate(foundation: "1", priority: 1, connectionAddress: "127.0.0.1", port: 40000)],
        iceLite: true)
    private static let fuzzOptions = SDPAnswerOptions(sessionID: "1")

    private static func touch<C: SDPAttributeContainer>(_ c: C) -> Int {
        var n = c.iceOptions.count &+ c.fingerprints.count &+ c.groups.count &+ c.candidates.count
        n &+= (c.iceUfrag?.utf8.count ?? 0) &+ (c.icePwd?.utf8.count ?? 0)
        n &+= c.iceLite ? 1 : 0
        n &+= c.rtcpMux ? 1 : 0
        n &+= c.rtcpRsize ? 1 : 0
        n &+= c.extmapAllowMixed ? 1 : 0
        n &+= c.endOfCandidates ? 1 : 0
        n &+= c.setup == nil ? 0 : 1
        n &+= Int(c.sctpPort ?? 0) &+ Int(truncatingIfNeeded: c.maxMessageSize ?? 0)
        for a in c.attributes { n &+= a.text.utf8.count }
        for cand in c.candidates {
            n &+= cand.candidateLine.utf8.count &+ (cand.isUDP ? 1 : 0) &+ (cand.address == nil ? 0 : 1)
        }
        for f in c.fingerprints { n &+= f.attributeValue.utf8.count }
        return n
    }

    private static func touch(_ m: MediaDescription) -> Int {
        var n = m.payloadTypes.count &+ m.rtpMaps.count &+ m.formatParameters.count
        n &+= m.rtcpFeedback.count &+ m.extMaps.count &+ m.ssrcAttributes.count &+ m.ssrcs.count
        n &+= m.ssrcGroups.count &+ m.rids.count &+ (m.msid == nil ? 0 : 1)
        n &+= m.isRejected ? 1 : 0
        n &+= m.isRTP ? 1 : 0
        n &+= m.mid?.description.utf8.count ?? 0
        n &+= m.direction.receives ? 1 : 0
        for pt in m.payloadTypes {
            n &+= m.rtcpFeedback(for: pt).count
            n &+= m.rtpMap(for: pt)?.isEncoding("rtx") == true ? 1 : 0
            n &+= Int(m.formatParameters(for: pt)?.associatedPayloadType?.rawValue ?? 0)
        }
        if let s = m.simulcast { n &+= s.sendRids.count &+ s.recvRids.count &+ s.reversed.send.count }
        for r in m.rids { n &+= r.restrictions.count &+ (r[restriction: "max-width"]?.utf8.count ?? 0) }
        return n
    }
}
