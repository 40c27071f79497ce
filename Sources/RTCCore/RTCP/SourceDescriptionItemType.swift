/// The type octet of an SDES item (RFC 3550 §6.5, §12.2).
///
/// 0 is END (it terminates a chunk's item list and is never an item). Types without a name
/// here are kept as they came.
public struct SourceDescriptionItemType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }
    @inlinable public init(_ v: UInt8) { self.rawValue = v }

    /// END: terminates the item list (§6.5).
    public static let end = SourceDescriptionItemType(0)
    /// CNAME: canonical end-point identifier (§6.5.1).
    public static let cname = SourceDescriptionItemType(1)
    /// NAME: user name (§6.5.2).
    public static let name = SourceDescriptionItemType(2)
    /// EMAIL (§6.5.3).
    public static let email = SourceDescriptionItemType(3)
    /// PHONE (§6.5.4).
    public static let phone = SourceDescriptionItemType(4)
    /// LOC: geographic location (§6.5.5).
    public static let location = SourceDescriptionItemType(5)
    /// TOOL: application or tool name (§6.5.6).
    public static let tool = SourceDescriptionItemType(6)
    /// NOTE: notice/status (§6.5.7).
    public static let note = SourceDescriptionItemType(7)
    /// PRIV: private extension (§6.5.8); its value starts with a prefix length and prefix.
    public static let privateExtension = SourceDescriptionItemType(8)

    public var description: String {
        switch rawValue {
        case 0: "END"
        case 1: "CNAME"
        case 2: "NAME"
        case 3: "EMAIL"
        case 4: "PHONE"
        case 5: "LOC"
        case 6: "TOOL"
        case 7: "NOTE"
        case 8: "PRIV"
        default: "SDES\(rawValue)"
        }
    }
}
