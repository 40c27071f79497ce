/// The ICE role (RFC 8445 §6.1.1): the controlling agent nominates the pair; the controlled
/// one follows. A lite agent is always controlled when its peer is full.
public enum ICERole: Sendable, Hashable {
    case controlling
    case controlled

    public var opposite: ICERole { self == .controlling ? .controlled : .controlling }
}
