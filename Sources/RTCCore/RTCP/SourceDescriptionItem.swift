/// One SDES item: type, length, value (RFC 3550 §6.5).
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     type      |     length    | value (length octets) ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// The value is UTF-8 text for the standard items; it is kept as raw bytes so that unknown
/// items and non-UTF-8 values survive a parse/write round trip.
public struct SourceDescriptionItem: Hashable, Sendable {
    public var type: SourceDescriptionItemType
    /// At most 255 bytes.
    public var value: [UInt8]

    public static let maxValueLength = 255

    public init(type: SourceDescriptionItemType, value: [UInt8]) {
        self.type = type
        self.value = value
    }

    public init(type: SourceDescriptionItemType, text: String) {
        self.type = type
        self.value = Array(text.utf8)
    }

    /// The value decoded as UTF-8 (invalid sequences replaced).
    public var text: String { String(decoding: value, as: UTF8.self) }

    /// Bytes on the wire.
    public var marshalSize: Int { 2 &+ value.count }

    public func write(to w: inout ByteWriter) throws(WriteError) {
        guard type != .end, value.count <= Self.maxValueLength else {
            throw WriteError(.rtcp, .valueOutOfRange)
        }
        try w.require(marshalSize)
        try w.writeU8(type.rawValue)
        try w.writeU8(UInt8(value.count))
        try w.writeBytes(value)
    }
}
