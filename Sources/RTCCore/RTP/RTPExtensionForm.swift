/// Which RFC 8285 element format a header-extension block uses, from its profile word.
///
/// ```
/// one-byte form (§4.2):            two-byte form (§4.3):
/// +---------------+---------------+ +---------------+-------+-------+
/// |     0xBE      |     0xDE      | |     0x10      | 0x0   |appbits|
/// +---------------+---------------+ +---------------+-------+-------+
/// ```
public enum RTPExtensionForm: Hashable, Sendable {
    /// Elements with a 4-bit ID (1...14) and a 4-bit length-minus-one (1...16 data bytes).
    case oneByte
    /// Elements with an 8-bit ID (1...255) and an 8-bit length (0...255 data bytes); the four
    /// low bits of the profile are application bits.
    case twoByte(appBits: UInt8)

    /// The profile word that announces the one-byte form.
    public static let oneByteProfile: UInt16 = 0xBEDE
    /// The profile word that announces the two-byte form (before application bits).
    public static let twoByteProfile: UInt16 = 0x1000

    /// The form announced by `profile`, or nil for any other extension profile.
    @inlinable
    public init?(profile: UInt16) {
        if profile == RTPExtensionForm.oneByteProfile {
            self = .oneByte
        } else if profile & 0xFFF0 == RTPExtensionForm.twoByteProfile {
            self = .twoByte(appBits: UInt8(truncatingIfNeeded: profile & 0x000F))
        } else {
            return nil
        }
    }

    /// The profile word to write for this form.
    @inlinable
    public var profile: UInt16 {
        switch self {
        case .oneByte: return RTPExtensionForm.oneByteProfile
        case .twoByte(let bits): return RTPExtensionForm.twoByteProfile | UInt16(bits & 0x0F)
        }
    }

    /// Whether an element with this ID and data length can be written in this form.
    @inlinable
    public func canEncode(id: UInt8, length: Int) -> Bool {
        switch self {
        case .oneByte: return id >= 1 && id <= 14 && length >= 1 && length <= 16
        case .twoByte: return id >= 1 && length >= 0 && length <= 255
        }
    }
}
