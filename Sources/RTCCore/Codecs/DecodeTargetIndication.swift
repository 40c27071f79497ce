/// How a frame relates to one decode target (AV1 RTP specification A.8.3, Table A.1).
///
/// ```
///  value  symbol
///    0      -     not present: no payload for this decode target
///    1      D     discardable: present, no later frame of the target refers to it
///    2      S     switch: present; if it is decodable, every later frame of the target is
///    3      R     required: present, neither discardable nor a switch point
/// ```
public enum DecodeTargetIndication: UInt8, Hashable, Sendable, CaseIterable {
    case notPresent = 0
    case discardable = 1
    case `switch` = 2
    case required = 3

    /// The symbol the specification's tables use (`-`, `D`, `S`, `R`).
    public var symbol: Character {
        switch self {
        case .notPresent: return "-"
        case .discardable: return "D"
        case .switch: return "S"
        case .required: return "R"
        }
    }

    /// The frame carries payload for the decode target.
    @inlinable public var isPresent: Bool { self != .notPresent }
}
