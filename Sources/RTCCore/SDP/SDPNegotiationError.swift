/// A session description that parses but cannot be negotiated (RFC 3264, RFC 8829 §5.8).
public struct SDPNegotiationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// No ice-ufrag/ice-pwd for the transport (RFC 8839 §5.4).
        case missingIceCredentials
        /// No fingerprint for the transport (RFC 8122 §5, RFC 5763 §5).
        case missingFingerprint
        /// setup is missing or not usable here (an offer must say actpass; an answer active
        /// or passive; RFC 8842 §5).
        case invalidSetup
        /// An m-section without `a=mid`, or two with the same mid (RFC 8843 §7).
        case invalidMid
        /// Nothing in the offer can be accepted (no common codec, no DTLS-SRTP RTP section).
        case noAcceptableMedia
        /// The answer's m-sections do not match the offer's (count, order, mids, kinds;
        /// RFC 3264 §6), or it uses a payload type that was not offered.
        case answerMismatch
    }

    public var kind: Kind
    public var mid: Mid?
    public var reason: StaticString

    public init(_ kind: Kind, mid: Mid? = nil, _ reason: StaticString = "") {
        self.kind = kind
        self.mid = mid
        self.reason = reason
    }

    public var description: String {
        "SDP negotiation \(kind)\(mid.map { " (mid \($0))" } ?? ""): \(reason)"
    }

    public static func == (a: SDPNegotiationError, b: SDPNegotiationError) -> Bool {
        a.kind == b.kind && a.mid == b.mid && a.reason.description == b.reason.description
    }

    public func hash(into h: inout Hasher) {
        h.combine(kind)
        h.combine(mid)
    }
}
