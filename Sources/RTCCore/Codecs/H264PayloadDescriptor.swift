/// What an H.264 RTP payload (RFC 6184, non-interleaved mode) carries: its packetization and
/// which NAL unit types it contains, enough to find key frames without decoding.
///
/// ```
/// NAL unit header (§1.3):   +---------------+
///                           |0|1|2|3|4|5|6|7|
///                           +-+-+-+-+-+-+-+-+
///                           |F|NRI|  Type   |
///                           +---------------+
/// single NAL unit (§5.6): Type 1...23, the NAL unit itself
/// STAP-A (§5.7.1):        | header (Type 24) | size₁ (16) | NALU₁ | size₂ (16) | NALU₂ | ...
/// FU-A (§5.8):            | indicator (Type 28) | FU header |S|E|R|Type| | fragment ...
/// ```
/// A key frame is a packet that contains an IDR slice (type 5) or a sequence parameter set
/// (type 7) — inside a STAP-A too, and in an FU-A only on the start fragment (S = 1).
/// STAP-B, MTAPs and FU-B (interleaved mode) are refused.
public struct H264PayloadDescriptor: Hashable, Sendable {
    public enum Packetization: Hashable, Sendable {
        case singleNALUnit
        case stapA
        case fuA
    }

    public var packetization: Packetization
    /// NAL unit type: of the single NAL unit, 24 for STAP-A, or the fragmented unit's type.
    public var nalUnitType: UInt8
    /// NRI of the (outer) NAL unit header.
    public var nalRefIdc: UInt8
    /// F (forbidden_zero_bit) of the outer header: set when a MANE saw bit errors.
    public var forbiddenBit: Bool
    /// NAL units in the packet (the aggregated count for STAP-A, else 1).
    public var nalUnitCount: Int
    /// FU-A start (S) and end (E) bits; both true for non-fragmented packets.
    public var isFragmentStart: Bool
    public var isFragmentEnd: Bool
    public var containsIDR: Bool = false
    public var containsSPS: Bool = false
    public var containsPPS: Bool = false

    public init(packetization: Packetization, nalUnitType: UInt8, nalRefIdc: UInt8 = 3,
                forbiddenBit: Bool = false, nalUnitCount: Int = 1,
                isFragmentStart: Bool = true, isFragmentEnd: Bool = true) {
        self.packetization = packetization
        self.nalUnitType = nalUnitType
        self.nalRefIdc = nalRefIdc
        self.forbiddenBit = forbiddenBit
        self.nalUnitCount = nalUnitCount
        self.isFragmentStart = isFragmentStart
        self.isFragmentEnd = isFragmentEnd
    }

    /// IDR (type 5) or SPS (type 7) present.
    @inlinable public var isKeyframe: Bool { containsIDR || containsSPS }

    @inlinable
    mutating func note(_ type: UInt8) {
        switch type {
        case 5: containsIDR = true
        case 7: containsSPS = true
        case 8: containsPPS = true
        default: break
        }
    }

    /// Parses an H.264 RTP payload.
    ///
    /// - Throws: `.h264` `.truncated` for an empty payload or a short STAP-A/FU-A;
    ///   `.invalidLength` for a STAP-A unit of size 0 or past the end; `.invalidValue` for NAL
    ///   type 0, 30, 31, interleaved-mode types (25, 26, 27, 29), an aggregated or fragmented
    ///   type outside 1...23, or an FU-A with both S and E set.
    public static func parse(_ payload: UnsafeRawBufferPointer) throws(ParseError) -> H264PayloadDescriptor {
        var r = ByteReader(payload, format: .h264)
        let h = try r.readU8()
        let type = h & 0x1F
        let nri = h >> 5 & 0x03
        let f = h & 0x80 != 0
        switch type {
        case 1...23:
            var d = H264PayloadDescriptor(packetization: .singleNALUnit, nalUnitType: type, nalRefIdc: nri, forbiddenBit: f)
            d.note(type)
            return d
        case 24:
            var d = H264PayloadDescriptor(packetization: .stapA, nalUnitType: 24, nalRefIdc: nri, forbiddenBit: f, nalUnitCount: 0)
            repeat {
                let size = Int(try r.readU16())
                guard size >= 1 else {
                    throw ParseError(.h264, .invalidLength, at: r.position &- 2, "empty STAP-A unit")
                }
                guard size <= r.remaining else {
                    throw ParseError(.h264, .invalidLength, at: r.position &- 2, "STAP-A unit past the end")
                }
                let inner = payload[r.position] & 0x1F
                guard inner >= 1 && inner <= 23 else {
                    throw ParseError(.h264, .invalidValue, at: r.position, "STAP-A unit type outside 1...23")
                }
                d.note(inner)
                d.nalUnitCount &+= 1
                try r.skip(size)
            } while !r.isAtEnd
            return d
        case 28:
            let fu = try r.readU8()
            let start = fu & 0x80 != 0
            let end = fu & 0x40 != 0
            let inner = fu & 0x1F
            guard !(start && end) else {
                throw ParseError(.h264, .invalidValue, at: 1, "FU-A with both start and end bits")
            }
            guard inner >= 1 && inner <= 23 else {
                throw ParseError(.h264, .invalidValue, at: 1, "FU-A of a type outside 1...23")
            }
            var d = H264PayloadDescriptor(packetization: .fuA, nalUnitType: inner, nalRefIdc: nri, forbiddenBit: f,
                                          isFragmentStart: start, isFragmentEnd: end)
            if start { d.note(inner) }
            return d
        case 25, 26, 27, 29:
            throw ParseError(.h264, .invalidValue, at: 0, "interleaved-mode packetization not supported")
        default:
            throw ParseError(.h264, .invalidValue, at: 0, "reserved NAL unit type")
        }
    }
}
