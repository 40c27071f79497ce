/// One picture-group entry of a VP9 scalability structure (RFC 9628 §4.2.1).
///
/// ```
///  +-+-+-+-+-+-+-+-+
///  |  TID  |U| R |-|-|     R = number of P_DIFF bytes that follow (0...3)
///  +-+-+-+-+-+-+-+-+
///  |    P_DIFF     |  (R times)
///  +-+-+-+-+-+-+-+-+
/// ```
public struct VP9PictureGroup: Hashable, Sendable {
    /// Temporal layer ID of the picture (3 bits).
    public var temporalID: UInt8
    /// U: switching-up point.
    public var switchingUpPoint: Bool
    /// Reference picture ID differences.
    public var referenceDiffs: VP9ReferenceDiffs

    public init(temporalID: UInt8, switchingUpPoint: Bool, referenceDiffs: VP9ReferenceDiffs) {
        self.temporalID = temporalID
        self.switchingUpPoint = switchingUpPoint
        self.referenceDiffs = referenceDiffs
    }
}
