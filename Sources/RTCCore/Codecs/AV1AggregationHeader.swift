/// The AV1 RTP aggregation header (AV1 RTP payload specification §4.4) and a validation of the
/// OBU elements that follow it.
///
/// ```
///  0 1 2 3 4 5 6 7
/// +-+-+-+-+-+-+-+-+
/// |Z|Y| W |N|-|-|-|
/// +-+-+-+-+-+-+-+-+
/// | OBU element 1 size (leb128, absent for the last element when W ≠ 0) | OBU element 1 |
/// | OBU element 2 size ...                                               | ...           |
/// ```
/// Z: the first element continues an OBU from the previous packet. Y: the last element
/// continues in the next packet. W: number of elements (0 = every element has a size
/// field). N: the packet is the first of a coded video sequence — a key frame.
public struct AV1AggregationHeader: Hashable, Sendable {
    public var continuesPreviousOBU: Bool
    public var continuesInNextPacket: Bool
    /// W (0...3).
    public var obuElementCountField: UInt8
    /// N: first packet of a coded video sequence.
    public var startsNewCodedVideoSequence: Bool
    /// Number of OBU elements found.
    public var obuElementCount: Int = 0
    /// OBU type of the first element that starts an OBU, if any (AV1 bitstream §6.2.2:
    /// 1 = sequence header, 2 = temporal delimiter, 6 = frame).
    public var firstOBUType: UInt8?
    /// An element starts with a sequence header OBU (type 1).
    public var containsSequenceHeader: Bool = false

    public init(continuesPreviousOBU: Bool = false, continuesInNextPacket: Bool = false,
                obuElementCountField: UInt8 = 0, startsNewCodedVideoSequence: Bool = false) {
        self.continuesPreviousOBU = continuesPreviousOBU
        self.continuesInNextPacket = continuesInNextPacket
        self.obuElementCountField = obuElementCountField & 0x03
        self.startsNewCodedVideoSequence = startsNewCodedVideoSequence
    }

    /// N = 1: a new coded video sequence starts, which begins with a key frame.
    @inlinable public var isKeyframe: Bool { startsNewCodedVideoSequence }

    /// The header byte.
    @inlinable
    public var byte: UInt8 {
        (continuesPreviousOBU ? 0x80 : 0) | (continuesInNextPacket ? 0x40 : 0)
            | (obuElementCountField & 0x03) << 4 | (startsNewCodedVideoSequence ? 0x08 : 0)
    }

    /// Reads an unsigned LEB128 value (AV1 spec §4.10.5): at most 8 bytes, value < 2^32.
    static func readLEB128(_ r: inout ByteReader) throws(ParseError) -> Int {
        var value: UInt64 = 0
        for i in 0..<8 {
            let b = try r.readU8()
            value |= UInt64(b & 0x7F) << (UInt64(i) &* 7)
            if b & 0x80 == 0 {
                guard value <= UInt64(UInt32.max) else {
                    throw ParseError(.av1, .invalidLength, at: r.position, "leb128 value too large")
                }
                return Int(value)
            }
        }
        throw ParseError(.av1, .invalidLength, at: r.position, "leb128 longer than 8 bytes")
    }

    /// Parses the aggregation header and walks the OBU elements.
    ///
    /// - Throws: `.av1` `.truncated` for an empty payload; `.invalidLength` for an element
    ///   size past the end, a bad leb128 or fewer elements than W announces; `.invalidValue`
    ///   when the payload has no element.
    public static func parse(_ payload: UnsafeRawBufferPointer) throws(ParseError) -> AV1AggregationHeader {
        var r = ByteReader(payload, format: .av1)
        let b = try r.readU8()
        var h = AV1AggregationHeader(
            continuesPreviousOBU: b & 0x80 != 0, continuesInNextPacket: b & 0x40 != 0,
            obuElementCountField: b >> 4 & 0x03, startsNewCodedVideoSequence: b & 0x08 != 0)
        guard !r.isAtEnd else {
            throw ParseError(.av1, .invalidValue, at: 1, "no OBU element")
        }
        let w = Int(h.obuElementCountField)
        var index = 0
        while !r.isAtEnd {
            let size: Int
            if w != 0 && index == w &- 1 {
                size = r.remaining
            } else {
                size = try readLEB128(&r)
                guard size <= r.remaining else {
                    throw ParseError(.av1, .invalidLength, at: r.position, "OBU element past the end")
                }
            }
            if size > 0 && !(index == 0 && h.continuesPreviousOBU) {
                let obuType = payload[r.position] >> 3 & 0x0F
                if h.firstOBUType == nil { h.firstOBUType = obuType }
                if obuType == 1 { h.containsSequenceHeader = true }
            }
            try r.skip(size)
            index &+= 1
            if w != 0 && index == w { break }
        }
        guard w == 0 || index == w, r.isAtEnd else {
            throw ParseError(.av1, .invalidLength, at: r.position, "OBU element count does not match W")
        }
        h.obuElementCount = index
        return h
    }
}
