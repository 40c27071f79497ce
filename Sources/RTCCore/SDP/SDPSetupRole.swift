/// The `setup` attribute: which side opens the DTLS association (RFC 4145 §4; RFC 8842 §5).
///
/// ```
///   a=setup:actpass | a=setup:active | a=setup:passive | a=setup:holdconn
/// ```
/// An offer must say `actpass` (RFC 8842 §5.2); the answer picks `active` (it sends the DTLS
/// ClientHello) or `passive` (it waits for it).
public enum SDPSetupRole: String, Hashable, Sendable, CaseIterable {
    case actpass, active, passive, holdconn

    /// The role the other side takes when this side answers with `self`.
    public var peerRole: SDPSetupRole {
        switch self {
        case .active: return .passive
        case .passive: return .active
        case .actpass, .holdconn: return self
        }
    }
}
