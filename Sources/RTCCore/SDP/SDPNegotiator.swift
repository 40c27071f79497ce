/// Offer/answer on the SDP model (RFC 3264 with JSEP's rules, RFC 8829 §5.2–§5.3): answers
/// a browser's offer as an ICE-lite SFU, builds offers (the SFU's subscriber connections, a
/// client's sendrecv connection), and reads the agreed result out of an offer and answer.
///
/// What an answer from ``answer(to:local:options:)`` contains:
/// ```
///   session: a=ice-lite (if local.iceLite), a=group:BUNDLE <accepted mids>, a=extmap-allow-mixed
///   accepted m-section (audio/video, DTLS-SRTP proto, rtcp-mux, a common codec, in BUNDLE):
///     m=<kind> <candidate port or 9> <offer proto> <codec and RTX pts>   c=IN IP4 <address>
///     a=ice-ufrag a=ice-pwd [a=ice-options] a=fingerprint* a=setup:active|passive a=mid
///     a=extmap* (only the accepted URIs, the offer's ids)  a=<direction>  [a=msid]
///     a=rtcp-mux [a=rtcp-rsize]  per codec: a=rtpmap a=rtcp-fb* [a=fmtp] [a=rtpmap rtx, a=fmtp apt]
///     [a=rid:<id> recv* a=simulcast:recv ...]  [a=ssrc-group:FID a=ssrc*]  a=candidate* [a=end-of-candidates]
///   rejected m-section: m=<kind> 0 <proto> <offer formats>, c=IN IP4 0.0.0.0, a=mid [a=inactive]
/// ```
/// Data channel (`application`) sections are rejected for now; RED, ulpfec and flexfec are
/// never accepted (they are not capabilities).
public enum SDPNegotiator {
    // MARK: Answering

    /// Answers `offer`. Throws when the offer cannot be negotiated at all (missing mids, ICE
    /// credentials or fingerprint, a bad setup, or no section that can be accepted).
    public static func answer(
        to offer: SessionDescription, local: SDPLocalTransport, options: SDPAnswerOptions
    ) throws(SDPNegotiationError) -> (answer: SessionDescription, negotiated: NegotiatedSession) {
        let mids = try sectionMids(offer)
        let offerBundle = offer.bundleMids
        var accepted: [Mid] = []
        var sections: [MediaDescription] = []
        for (section, mid) in zip(offer.media, mids) {
            let inBundle = offerBundle.isEmpty ? accepted.isEmpty : offerBundle.contains(mid)
            if inBundle, let m = try acceptedSection(section, mid: mid, in: offer, local: local, options: options) {
                sections.append(m)
                accepted.append(mid)
            } else {
                sections.append(rejectedSection(section, mid: mid))
            }
        }
        guard !accepted.isEmpty else {
            throw SDPNegotiationError(.noAcceptableMedia, "no m-section could be accepted")
        }
        var answer = SessionDescription(origin: SDPOrigin(sessionID: options.sessionID,
                                                          sessionVersion: options.sessionVersion))
        if local.iceLite { answer.attributes.append(.iceLite) }
        if !offerBundle.isEmpty {
            // In the offer's order, so the offerer's tag stays first when it is accepted.
            let ordered = offerBundle.filter { accepted.contains($0) }
            answer.attributes.append(.group(SDPGroup(semantics: SDPGroup.bundle, mids: ordered)))
        }
        if offer.extmapAllowMixed || offer.media.contains(where: \.extmapAllowMixed) {
            answer.attributes.append(.extmapAllowMixed)
        }
        answer.media = sections
        let negotiated = try negotiatedSession(offer: offer, answer: answer, localIsOfferer: false)
        return (answer, negotiated)
    }

    /// The mid of every section; each must have one, and no two the same (RFC 8843 §7,
    /// JSEP §5.2.1).
    static func sectionMids(_ sdp: SessionDescription) throws(SDPNegotiationError) -> [Mid] {
        var mids: [Mid] = []
        for m in sdp.media {
            guard let mid = m.mid else { throw SDPNegotiationError(.invalidMid, "m-section without a=mid") }
            guard !mids.contains(mid) else { throw SDPNegotiationError(.invalidMid, mid: mid, "duplicate mid") }
            mids.append(mid)
        }
        return mids
    }

    /// DTLS-SRTP RTP protos (RFC 5764 §8, RFC 7850).
    static func isDTLSSRTP(_ proto: String) -> Bool {
        switch proto {
        case "UDP/TLS/RTP/SAVPF", "UDP/TLS/RTP/SAVP", "TCP/DTLS/RTP/SAVPF", "TCP/TLS/RTP/SAVPF": return true
        default: return false
        }
    }

    /// The DTLS role this side answers with, given the offer's setup (RFC 8842 §5.3;
    /// RFC 4145 §4: absent means `active`).
    static func answerSetup(offered: SDPSetupRole?, preferred: SDPSetupRole, mid: Mid) throws(SDPNegotiationError) -> SDPSetupRole {
        switch offered ?? .active {
        case .actpass: return preferred == .active ? .active : .passive
        case .active: return .passive
        case .passive: return .active
        case .holdconn: throw SDPNegotiationError(.invalidSetup, mid: mid, "offer says setup:holdconn")
        }
    }

    static func acceptedSection(
        _ section: MediaDescription, mid: Mid, in offer: SessionDescription,
        local: SDPLocalTransport, options: SDPAnswerOptions
    ) throws(SDPNegotiationError) -> MediaDescription? {
        guard section.kind == .audio || section.kind == .video,
              !section.isRejected, isDTLSSRTP(section.proto), section.rtcpMux else { return nil }
        let codecs = matchCodecs(section, options.codecs)
        guard !codecs.isEmpty else { return nil }
        let setup = try answerSetup(offered: offer.setup(for: section), preferred: options.preferredSetup, mid: mid)
        let direction = offer.direction(for: section).answer(wanting: options.wish(for: section))

        var formats: [String] = []
        for c in codecs {
            formats.append(String(c.payloadType.rawValue))
            if let r = c.rtxPayloadType { formats.append(String(r.rawValue)) }
        }
        let (address, port) = defaultAddress(local)
        var m = MediaDescription(kind: section.kind, port: port, proto: section.proto, formats: formats,
                                 connections: [address])
        var a = transportAttributes(local, setup: setup, mid: mid)
        for e in section.extMaps where options.headerExtensions.contains(e.uri)
            && SDPHeaderExtensionIDs.wireID(e.id) != nil {
            a.append(.extMap(SDPExtMap(id: e.id, uri: e.uri)))
        }
        a.append(.direction(direction))
        let sendStream = direction.sends ? options.sendStreams[mid] : nil
        if let s = sendStream { a.append(.msid(s.msid)) }
        a.append(.rtcpMux)
        if section.rtcpRsize { a.append(.rtcpRsize) }
        a += codecAttributes(codecs)
        if direction.receives { a += mirroredSimulcast(section) }
        if let s = sendStream { a += s.ssrcAttributes }
        a += candidateAttributes(local)
        m.attributes = a
        return m
    }

    static func rejectedSection(_ section: MediaDescription, mid: Mid) -> MediaDescription {
        var attributes: [SDPAttribute] = [.mid(mid)]
        if section.isRTP { attributes.append(.direction(.inactive)) }
        return MediaDescription(kind: section.kind, port: 0, proto: section.proto, formats: section.formats,
                                connections: [SDPConnection(address: "0.0.0.0")], attributes: attributes)
    }

    /// For each capability in preference order, the first offered payload type that matches it
    /// (so each codec gets one payload type), with its RTX payload type and the feedback both
    /// sides understand. The offerer's payload types and fmtp are kept (RFC 3264 §6.1).
    static func matchCodecs(_ section: MediaDescription, _ capabilities: [SDPCodecCapability]) -> [NegotiatedCodec] {
        let table = SDPFormatTable(section)
        var used: [PayloadType] = []
        var out: [NegotiatedCodec] = []
        for cap in capabilities where cap.kind == section.kind {
            for pt in table.payloadTypes where !used.contains(pt) {
                guard let map = table.rtpMaps[pt] else { continue }
                let fmtp = table.fmtps[pt]
                guard cap.matches(map, fmtp) else { continue }
                var rtx: PayloadType?
                if cap.rtx {
                    rtx = table.rtxByAssociated[pt]?.first { r in
                        !used.contains(r) && table.rtpMaps[r]?.clockRate == map.clockRate
                    }
                }
                used.append(pt)
                if let rtx { used.append(rtx) }
                out.append(NegotiatedCodec(type: cap.type, encodingName: map.encodingName, clockRate: map.clockRate,
                                           channels: map.channels, payloadType: pt, rtxPayloadType: rtx,
                                           parameters: fmtp?.parameters ?? [],
                                           feedback: table.feedback(for: pt, where: cap.understands)))
                break
            }
        }
        return out
    }

    /// `a=rid:<id> recv` for each rid the offer sends in its simulcast list, and
    /// `a=simulcast:recv` with the same streams (RFC 8853 §5.3: the answer reverses send and
    /// recv). Restrictions and `pt=` lists are not echoed.
    static func mirroredSimulcast(_ section: MediaDescription) -> [SDPAttribute] {
        guard let sim = section.simulcast, !sim.send.isEmpty else { return [] }
        let sendRids = section.rids.filter { $0.direction == .send }
        let known = sendRids.map(\.id)
        let streams = sim.send.map { $0.filter { known.contains($0.rid) } }.filter { !$0.isEmpty }
        guard !streams.isEmpty else { return [] }
        var out: [SDPAttribute] = []
        for r in sendRids where streams.contains(where: { $0.contains { $0.rid == r.id } }) {
            out.append(.rid(SDPRid(id: r.id, direction: .recv)))
        }
        out.append(.simulcast(SDPSimulcast(send: [], recv: streams)))
        return out
    }

    // MARK: Offering

    /// Builds an offer (JSEP §5.2.1): BUNDLE over every section that is not disabled,
    /// rtcp-mux, rtcp-rsize, setup:actpass, this side's transport, and per section its codecs
    /// (with RTX), header extensions, direction, send stream (msid, FID group, ssrc lines) or
    /// simulcast rids.
    public static func offer(
        sections: [SDPOfferSection], local: SDPLocalTransport, sessionID: String, sessionVersion: UInt64,
        extmapAllowMixed: Bool = true
    ) -> SessionDescription {
        var sdp = SessionDescription(origin: SDPOrigin(sessionID: sessionID, sessionVersion: sessionVersion))
        if local.iceLite { sdp.attributes.append(.iceLite) }
        let bundled = sections.filter { !$0.disabled }.map(\.mid)
        if !bundled.isEmpty { sdp.attributes.append(.group(SDPGroup(semantics: SDPGroup.bundle, mids: bundled))) }
        if extmapAllowMixed { sdp.attributes.append(.extmapAllowMixed) }
        let (address, port) = defaultAddress(local)
        for s in sections {
            // Each payload type once: a capability whose payload type is taken is skipped.
            var used: [PayloadType] = []
            var codecs: [NegotiatedCodec] = []
            for c in s.codecs where c.kind == s.kind && !used.contains(c.payloadType) {
                var rtx: PayloadType?
                if c.rtx, let r = c.rtxPayloadType, r != c.payloadType, !used.contains(r) { rtx = r }
                used.append(c.payloadType)
                if let rtx { used.append(rtx) }
                codecs.append(NegotiatedCodec(
                    type: c.type, encodingName: c.encodingName, clockRate: c.clockRate, channels: c.channels,
                    payloadType: c.payloadType, rtxPayloadType: rtx, parameters: c.parameters,
                    feedback: c.feedback.map { SDPRtcpFeedback(payloadType: c.payloadType, type: $0.type, subtype: $0.subtype) }))
            }
            var formats: [String] = []
            for c in codecs {
                formats.append(String(c.payloadType.rawValue))
                if let r = c.rtxPayloadType { formats.append(String(r.rawValue)) }
            }
            if s.disabled {
                sdp.media.append(MediaDescription(
                    kind: s.kind, port: 0, formats: formats.isEmpty ? ["0"] : formats,
                    connections: [SDPConnection(address: "0.0.0.0")],
                    attributes: [.mid(s.mid), .direction(.inactive)]))
                continue
            }
            var a = transportAttributes(local, setup: .actpass, mid: s.mid)
            for e in s.headerExtensions { a.append(.extMap(e)) }
            a.append(.direction(s.direction))
            let sendStream = s.direction.sends ? s.sendStream : nil
            if let stream = sendStream { a.append(.msid(stream.msid)) }
            a.append(.rtcpMux)
            a.append(.rtcpRsize)
            a += codecAttributes(codecs)
            if s.direction.sends, !s.sendRids.isEmpty {
                for r in s.sendRids { a.append(.rid(SDPRid(id: r, direction: .send))) }
                a.append(.simulcast(SDPSimulcast(send: s.sendRids)))
            } else if let stream = sendStream {
                a += stream.ssrcAttributes
            }
            a += candidateAttributes(local)
            sdp.media.append(MediaDescription(kind: s.kind, port: port, formats: formats,
                                              connections: [address], attributes: a))
        }
        return sdp
    }

    // MARK: Reading the result

    /// The agreed result of this side's offer and the remote's answer. Checks that the
    /// answer matches the offer (same sections in the same order, only offered payload types).
    public static func negotiate(
        localOffer: SessionDescription, remoteAnswer: SessionDescription
    ) throws(SDPNegotiationError) -> NegotiatedSession {
        try negotiatedSession(offer: localOffer, answer: remoteAnswer, localIsOfferer: true)
    }

    static func negotiatedSession(
        offer: SessionDescription, answer: SessionDescription, localIsOfferer: Bool
    ) throws(SDPNegotiationError) -> NegotiatedSession {
        guard offer.media.count == answer.media.count else {
            throw SDPNegotiationError(.answerMismatch, "answer has a different number of m-sections")
        }
        let mids = try sectionMids(offer)
        let remote = localIsOfferer ? answer : offer
        var media: [NegotiatedMedia] = []
        var firstAccepted: Int?
        for i in 0..<offer.media.count {
            let o = offer.media[i]
            let a = answer.media[i]
            let mid = mids[i]
            if let am = a.mid, am != mid {
                throw SDPNegotiationError(.answerMismatch, mid: mid, "answer m-section has another mid")
            }
            guard o.kind == a.kind else {
                throw SDPNegotiationError(.answerMismatch, mid: mid, "answer m-section has another media type")
            }
            guard !a.isRejected, !o.isRejected else {
                media.append(NegotiatedMedia(mid: mid, kind: o.kind, accepted: false, direction: .inactive,
                                             codecs: [], extMaps: [], extensionIDs: SDPHeaderExtensionIDs(),
                                             rtcpRsize: false, remoteRids: [], remoteSimulcast: nil,
                                             remoteSsrcs: [], remoteRtxSsrcs: [:], remoteMsid: nil, remoteCname: nil))
                continue
            }
            if localIsOfferer {
                let offered = o.payloadTypes
                for pt in a.payloadTypes where !offered.contains(pt) {
                    throw SDPNegotiationError(.answerMismatch, mid: mid, "answer uses a payload type not offered")
                }
            }
            if firstAccepted == nil { firstAccepted = i }
            let remoteSection = remote.media[i]
            let answerDirection = answer.direction(for: a)
            var rtxSsrcs: [SSRC: SSRC] = [:]
            for g in remoteSection.ssrcGroups where g.semantics == "FID" && g.ssrcs.count >= 2 {
                rtxSsrcs[g.ssrcs[0]] = g.ssrcs[1]
            }
            let simulcastSsrcs = remoteSection.ssrcGroups.first { $0.semantics == "SIM" && $0.ssrcs.count >= 2 }?.ssrcs ?? []
            let extMaps = a.extMaps
            media.append(NegotiatedMedia(
                mid: mid, kind: o.kind, accepted: true,
                direction: localIsOfferer ? answerDirection.reversed : answerDirection,
                codecs: codecs(from: a), extMaps: extMaps, extensionIDs: SDPHeaderExtensionIDs(extMaps),
                rtcpRsize: a.rtcpRsize && o.rtcpRsize,
                remoteRids: remoteSection.rids.filter { $0.direction == .send },
                remoteSimulcast: remoteSection.simulcast,
                remoteSsrcs: remoteSection.ssrcs, remoteRtxSsrcs: rtxSsrcs, remoteMsid: remoteSection.msid,
                remoteCname: remoteSection.ssrcAttributes.first { $0.attribute == "cname" }?.value))
            media[media.count - 1].remoteSimulcastSsrcs = simulcastSsrcs
        }
        guard let first = firstAccepted else {
            throw SDPNegotiationError(.noAcceptableMedia, "every m-section was rejected")
        }
        let bundle = answer.bundleMids
        // The answerer's BUNDLE tag (RFC 8843 §7.3) names the transport's m-section.
        let tagged = bundle.first.flatMap { tag in
            (0..<answer.media.count).first { mids[$0] == tag && media[$0].accepted }
        } ?? first
        let remoteTagged = remote.media[tagged]
        guard let ufrag = remote.iceUfrag(for: remoteTagged), let pwd = remote.icePwd(for: remoteTagged) else {
            throw SDPNegotiationError(.missingIceCredentials, mid: mids[tagged], "no ice-ufrag/ice-pwd")
        }
        let fingerprints = remote.fingerprints(for: remoteTagged)
        guard !fingerprints.isEmpty else {
            throw SDPNegotiationError(.missingFingerprint, mid: mids[tagged], "no fingerprint")
        }
        let answered = answer.setup(for: answer.media[tagged]) ?? .active
        guard answered == .active || answered == .passive else {
            throw SDPNegotiationError(.invalidSetup, mid: mids[tagged], "answer setup is not active or passive")
        }
        if localIsOfferer, let offered = offer.setup(for: offer.media[tagged]), offered != .actpass,
           offered != answered.peerRole {
            throw SDPNegotiationError(.invalidSetup, mid: mids[tagged], "answer setup conflicts with the offer")
        }
        return NegotiatedSession(
            remoteIceUfrag: ufrag, remoteIcePwd: pwd,
            remoteIceLite: remote.iceLite || remoteTagged.iceLite,
            remoteIceOptions: remote.iceOptions + remoteTagged.iceOptions,
            remoteFingerprints: fingerprints, remoteCandidates: remoteTagged.candidates,
            localSetup: localIsOfferer ? answered.peerRole : answered,
            bundleMids: bundle, media: media)
    }

    /// Codecs listed in an answer's m-section: each non-RTX format with its rtpmap, the RTX
    /// format whose `apt` points at it, its fmtp and its feedback (including `*` lines).
    static func codecs(from section: MediaDescription) -> [NegotiatedCodec] {
        let table = SDPFormatTable(section)
        var out: [NegotiatedCodec] = []
        for pt in table.payloadTypes {
            guard let map = table.rtpMaps[pt] else { continue }
            let type = SDPCodecType(encodingName: map.encodingName)
            if type == .rtx { continue }
            out.append(NegotiatedCodec(type: type, encodingName: map.encodingName, clockRate: map.clockRate,
                                       channels: map.channels, payloadType: pt,
                                       rtxPayloadType: table.rtxByAssociated[pt]?.first,
                                       parameters: table.fmtps[pt]?.parameters ?? [],
                                       feedback: table.feedback(for: pt)))
        }
        return out
    }

    // MARK: Shared pieces

    /// The `c=` line and m-line port: the first UDP candidate of component 1, else the first
    /// candidate, else `0.0.0.0` and port 9 (JSEP §5.2.1 "dummy" values).
    static func defaultAddress(_ local: SDPLocalTransport) -> (SDPConnection, UInt16) {
        let c = local.candidates.first { $0.component == 1 && $0.isUDP } ?? local.candidates.first
        guard let c else { return (SDPConnection(address: "0.0.0.0"), 9) }
        let v6 = c.connectionAddress.utf8.contains(SDPText.colon)
        return (SDPConnection(addressType: v6 ? "IP6" : "IP4", address: c.connectionAddress), c.port)
    }

    static func transportAttributes(_ local: SDPLocalTransport, setup: SDPSetupRole, mid: Mid) -> [SDPAttribute] {
        var a: [SDPAttribute] = [.iceUfrag(local.iceUfrag), .icePwd(local.icePwd)]
        if !local.iceOptions.isEmpty { a.append(.iceOptions(local.iceOptions)) }
        for f in local.fingerprints { a.append(.fingerprint(f)) }
        a.append(.setup(setup))
        a.append(.mid(mid))
        return a
    }

    static func codecAttributes(_ codecs: [NegotiatedCodec]) -> [SDPAttribute] {
        var a: [SDPAttribute] = []
        for c in codecs {
            a.append(.rtpMap(SDPRtpMap(payloadType: c.payloadType, encodingName: c.encodingName,
                                       clockRate: c.clockRate, channels: c.channels)))
            for fb in c.feedback { a.append(.rtcpFeedback(fb)) }
            if !c.parameters.isEmpty {
                a.append(.fmtp(SDPFormatParameters(payloadType: c.payloadType, parameters: c.parameters)))
            }
            if let r = c.rtxPayloadType {
                a.append(.rtpMap(SDPRtpMap(payloadType: r, encodingName: "rtx", clockRate: c.clockRate)))
                a.append(.fmtp(SDPFormatParameters(payloadType: r, parameters: [
                    SDPParameter("apt", String(c.payloadType.rawValue))])))
            }
        }
        return a
    }

    static func candidateAttributes(_ local: SDPLocalTransport) -> [SDPAttribute] {
        var a: [SDPAttribute] = local.candidates.map { .candidate($0) }
        if local.endOfCandidates { a.append(.endOfCandidates) }
        return a
    }
}
