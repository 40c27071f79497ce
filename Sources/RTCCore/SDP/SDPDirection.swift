/// The media direction attribute of an m-section (RFC 8866 §6.7; RFC 3264 §6.1, §5.1).
///
/// ```
///   a=sendrecv | a=sendonly | a=recvonly | a=inactive
/// ```
/// Absent means `sendrecv` (RFC 8866 §6.7.1) at media level unless the session level says
/// otherwise.
public enum SDPDirection: String, Hashable, Sendable, CaseIterable {
    case sendrecv, sendonly, recvonly, inactive

    /// True when the side that wrote this attribute sends media.
    public var sends: Bool { self == .sendrecv || self == .sendonly }
    /// True when the side that wrote this attribute receives media.
    public var receives: Bool { self == .sendrecv || self == .recvonly }

    public init(sends: Bool, receives: Bool) {
        switch (sends, receives) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }

    /// The direction as seen from the other side (`sendonly` ↔ `recvonly`).
    public var reversed: SDPDirection { SDPDirection(sends: receives, receives: sends) }

    /// The answer's direction (RFC 3264 §6.1): the answerer may send only where the offerer
    /// receives, and receive only where the offerer sends, further limited by what the
    /// answerer itself wants (`local`).
    public func answer(wanting local: SDPDirection) -> SDPDirection {
        SDPDirection(sends: receives && local.sends, receives: sends && local.receives)
    }
}
