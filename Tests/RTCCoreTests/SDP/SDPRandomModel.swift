@testable import RTCCore

/// Builds random valid session descriptions (seeded) for round-trip tests. Every value it
/// makes is one the parser can produce: tokens without separators, texts without trailing
/// spaces, `other` attributes only with names that have no typed case.
struct SDPRandomModel {
    var rng: SeededRandom

    init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    mutating func int(_ n: Int) -> Int { Int(rng.next() % UInt64(max(n, 1))) }
    mutating func bool() -> Bool { rng.next() & 1 == 1 }
    mutating func u64() -> UInt64 {
        // Mix small, large and extreme values.
        switch int(4) {
        case 0: return UInt64(int(100))
        case 1: return UInt64.max &- UInt64(int(3))
        default: return rng.next() >> UInt64(int(64))
        }
    }
    mutating func u32() -> UInt32 { UInt32(truncatingIfNeeded: u64()) }
    mutating func u16() -> UInt16 { UInt16(truncatingIfNeeded: u64()) }

    static let tokenChars = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+!#$%&'*^`{|}~".utf8)
    static let ridChars = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_".utf8)
    static let textChars = Array("abcXYZ019 -_:;,/=~*@()<>[]?\"\\\t".utf8) + Array("é€😀".utf8)

    mutating func from(_ chars: [UInt8], _ minLen: Int, _ maxLen: Int) -> [UInt8] {
        let n = minLen + int(maxLen - minLen + 1)
        return (0..<n).map { _ in chars[int(chars.count)] }
    }

    mutating func token(_ maxLen: Int = 10) -> String {
        String(decoding: from(Self.tokenChars, 1, maxLen), as: UTF8.self)
    }

    mutating func ridString() -> String { String(decoding: from(Self.ridChars, 1, 16), as: UTF8.self) }

    mutating func shortID(rid: Bool = false) -> ShortID {
        let s = rid ? ridString() : String(decoding: from(Self.tokenChars, 1, 16), as: UTF8.self)
        guard let id = ShortID(s) else { return ShortID("x")! }
        return id
    }

    /// Text that is non-empty, has no CR/LF/NUL and does not end in a space or tab
    /// (the parser trims those); multi-byte UTF-8 is whole characters.
    mutating func text(excluding: [UInt8] = []) -> String {
        var chars = from(Self.textChars.filter { !excluding.contains($0) }, 1, 20)
        while let last = chars.last, last == 0x20 || last == 0x09 { chars.removeLast() }
        if chars.isEmpty { chars = [0x78] }
        // Multi-byte characters may have been cut: decode repairs them into U+FFFD, which
        // is valid text that round-trips.
        return String(decoding: chars, as: UTF8.self)
    }

    /// A parameter text: no ';', no leading/trailing whitespace.
    mutating func paramText(allowEquals: Bool) -> String {
        var ex: [UInt8] = [0x3B]
        if !allowEquals { ex.append(0x3D) }
        var s = Array(text(excluding: ex).utf8)
        while let f = s.first, f == 0x20 || f == 0x09 { s.removeFirst() }
        return s.isEmpty ? "v" : String(decoding: s, as: UTF8.self)
    }

    mutating func pt() -> PayloadType { PayloadType(UInt8(int(128))) }

    mutating func joinedTokens(_ maxCount: Int) -> String {
        var s = token()
        for _ in 0..<int(maxCount) { s += " " + token() }
        return s
    }

    mutating func parameters(excludingKey: String? = nil) -> [SDPParameter] {
        (0..<int(4)).map { _ in
            var key = paramText(allowEquals: false)
            if key == excludingKey { key += "x" }
            return SDPParameter(key, bool() ? paramText(allowEquals: true) : nil)
        }
    }

    mutating func direction() -> SDPDirection { SDPDirection.allCases[int(4)] }

    static let iceChars = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/".utf8)
    /// RFC 3261 token characters, which the candidate grammar uses (RFC 8839 §5.1).
    static let candidateTokenChars = Array("abcdefghijklmnopqrstuvwxyz0123456789-._!%*+`'~".utf8)

    mutating func candidateToken(_ maxLen: Int = 10) -> String {
        String(decoding: from(Self.candidateTokenChars, 1, maxLen), as: UTF8.self)
    }

    mutating func candidate() -> ICECandidate {
        let types: [ICECandidateType] = [.host, .serverReflexive, .peerReflexive, .relay, .other("x" + candidateToken())]
        let reserved = ["raddr", "rport"]
        var extensions: [ICECandidate.Extension] = []
        if bool() { extensions.append(ICECandidate.Extension(name: "tcptype", value: token())) }
        for _ in 0..<int(4) {
            var n = candidateToken()
            if reserved.contains(n) { n += "x" }
            extensions.append(ICECandidate.Extension(name: n, value: token()))
        }
        return ICECandidate(
            foundation: String(decoding: from(Self.iceChars, 1, 32), as: UTF8.self), component: UInt16(1 + int(256)),
            transport: bool() ? "udp" : candidateToken(), priority: u32(), connectionAddress: candidateToken(20),
            port: u16(), type: types[int(types.count)],
            relatedAddress: bool() ? candidateToken() : nil, relatedPort: bool() ? u16() : nil,
            extensions: extensions)
    }

    mutating func simulcastStreams(_ minCount: Int) -> [[SDPSimulcast.Alternative]] {
        (0..<(minCount + int(3))).map { _ in
            (0..<(1 + int(2))).map { _ in SDPSimulcast.Alternative(rid: shortID(rid: true), paused: bool()) }
        }
    }

    mutating func attribute() -> SDPAttribute {
        switch int(27) {
        case 0: return .iceUfrag(token(16))
        case 1: return .icePwd(token(32))
        case 2: return .iceOptions((0..<(1 + int(3))).map { _ in token() })
        case 3: return .iceLite
        case 4:
            let hash = DTLSFingerprintHash.allCases[int(DTLSFingerprintHash.allCases.count)]
            return DTLSFingerprint(hash: hash, digest: rng.bytes(hash.digestLength)).map { .fingerprint($0) } ?? .iceLite
        case 5: return .setup(SDPSetupRole.allCases[int(4)])
        case 6: return .mid(shortID())
        case 7: return .group(SDPGroup(semantics: token(), mids: (0..<int(4)).map { _ in shortID() }))
        case 8: return .rtcpMux
        case 9: return .rtcpRsize
        case 10:
            return .rtpMap(SDPRtpMap(payloadType: pt(), encodingName: token(), clockRate: u32(),
                                     channels: bool() ? u16() : nil))
        case 11: return .fmtp(SDPFormatParameters(payloadType: pt(), parameters: parameters()))
        case 12:
            return .rtcpFeedback(SDPRtcpFeedback(payloadType: bool() ? pt() : nil, type: token(),
                                                 subtype: bool() ? joinedTokens(2) : nil))
        case 13:
            return .extMap(SDPExtMap(id: UInt16(1 + int(Int(SDPExtMap.maxID))), direction: bool() ? direction() : nil,
                                     uri: token(40), attributes: bool() ? joinedTokens(2) : nil))
        case 14:
            var name = Array(paramText(allowEquals: true).utf8.filter { $0 != 0x3A })
            while let l = name.last, l == 0x20 || l == 0x09 { name.removeLast() }
            while let f = name.first, f == 0x20 || f == 0x09 { name.removeFirst() }
            if name.isEmpty { name = Array("cname".utf8) }
            let attributeName = String(decoding: name, as: UTF8.self)
            return .ssrc(SDPSsrcAttribute(ssrc: SSRC(u32()), attribute: attributeName,
                                          value: bool() ? text() : nil))
        case 15: return .ssrcGroup(SDPSsrcGroup(semantics: token(), ssrcs: (0..<int(4)).map { _ in SSRC(u32()) }))
        case 16: return .msid(SDPMsid(streamID: token(36), trackID: bool() ? token(36) : nil))
        case 17:
            return .rid(SDPRid(id: shortID(rid: true), direction: bool() ? .send : .recv,
                               payloadTypes: (0..<int(4)).map { _ in pt() },
                               restrictions: parameters(excludingKey: "pt")))
        case 18:
            let send = bool() ? simulcastStreams(1) : []
            let recv = send.isEmpty || bool() ? simulcastStreams(1) : []
            return .simulcast(SDPSimulcast(send: send, recv: recv, recvFirst: !send.isEmpty && !recv.isEmpty && bool()))
        case 19: return .candidate(candidate())
        case 20: return .endOfCandidates
        case 21: return .direction(direction())
        case 22: return .extmapAllowMixed
        case 23: return .sctpPort(u16())
        case 24: return .maxMessageSize(u64())
        case 25: return .other(name: "x-" + token(), value: nil)
        default: return .other(name: "x-" + token(), value: bool() ? text() : "")
        }
    }

    mutating func media() -> MediaDescription {
        let kinds: [SDPMediaKind] = [.audio, .video, .application, .other("x" + token())]
        let rtp = bool()
        return MediaDescription(
            kind: kinds[int(kinds.count)], port: u16(), portCount: bool() ? u16() : nil,
            proto: rtp ? MediaDescription.rtpProto : (bool() ? MediaDescription.sctpProto : token() + "/" + token()),
            formats: (0..<int(6)).map { _ in rtp ? String(pt().rawValue) : token() },
            information: bool() ? text() : nil,
            connections: (0..<int(3)).map { _ in SDPConnection(networkType: token(), addressType: token(), address: token()) },
            bandwidths: (0..<int(3)).map { _ in SDPBandwidth(type: token(), value: u64()) },
            encryptionKey: bool() ? text() : nil,
            attributes: (0..<int(20)).map { _ in attribute() })
    }

    mutating func session() -> SessionDescription {
        var sessionName = text()
        if bool() { sessionName += "  " }  // s= keeps trailing spaces
        if int(8) == 0 { sessionName = "" }
        return SessionDescription(
            origin: SDPOrigin(username: token(), sessionID: String(u64()), sessionVersion: u64(),
                              networkType: token(), addressType: token(), address: token()),
            sessionName: sessionName,
            information: bool() ? text() : nil,
            uri: bool() ? text() : nil,
            emails: (0..<int(3)).map { _ in text() },
            phones: (0..<int(3)).map { _ in text() },
            connection: bool() ? SDPConnection(address: token()) : nil,
            bandwidths: (0..<int(3)).map { _ in SDPBandwidth(type: token(), value: u64()) },
            timing: (0..<int(3)).map { _ in SDPTiming(start: u64(), stop: u64(), repeats: (0..<int(3)).map { _ in text() }) },
            timeZones: bool() ? text() : nil,
            encryptionKey: bool() ? text() : nil,
            attributes: (0..<int(12)).map { _ in attribute() },
            media: (0..<int(5)).map { _ in media() })
    }
}
