/// An SRTP protection profile negotiated by DTLS-SRTP (RFC 5764 §4.1.2, RFC 7714 §14.2).
///
/// The raw value is the two-byte profile identifier carried in the `use_srtp` extension.
/// The order of ``allCases`` is this library's preference: AEAD_AES_128_GCM is the cheapest
/// per packet with Debian's libsrtp2, and Chromium, Firefox and aiortc all offer it.
///
/// Packet layouts (RFC 3711 §3.1 and §3.4, RFC 7714 §7 and §9):
///
/// ```
/// SRTP (both):       | RTP header | encrypted payload | auth tag (10 or 4 HMAC / 16 GCM) |
/// SRTCP, AES-CM:     | RTCP header (8) | encrypted rest | E + SRTCP index (4) | tag (10) |
/// SRTCP, AEAD GCM:   | RTCP header (8) | encrypted rest | tag (16) | E + SRTCP index (4) |
/// ```
public enum SRTPProfile: UInt16, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// AEAD_AES_128_GCM (RFC 7714 §14.2): 128-bit key, 96-bit salt, 16-byte tag.
    case aeadAES128GCM = 0x0007
    /// AEAD_AES_256_GCM (RFC 7714 §14.2): 256-bit key, 96-bit salt, 16-byte tag.
    case aeadAES256GCM = 0x0008
    /// SRTP_AES128_CM_HMAC_SHA1_80 (RFC 5764 §4.1.2): 128-bit key, 112-bit salt, 80-bit tag.
    case aes128CMHMACSHA1_80 = 0x0001
    /// SRTP_AES128_CM_HMAC_SHA1_32 (RFC 5764 §4.1.2): as `_80` with a 32-bit RTP tag. SRTCP
    /// keeps the 80-bit tag (RFC 5764 §4.1.2 lists SRTCP_AUTH_TAG_LENGTH 80 for it; libsrtp2
    /// does the same). Not in ``DTLSConfiguration``'s default list.
    case aes128CMHMACSHA1_32 = 0x0002

    /// Master key length in bytes.
    @inlinable
    public var keyLength: Int {
        switch self {
        case .aeadAES128GCM, .aes128CMHMACSHA1_80, .aes128CMHMACSHA1_32: return 16
        case .aeadAES256GCM: return 32
        }
    }

    /// Master salt length in bytes.
    @inlinable
    public var saltLength: Int {
        switch self {
        case .aeadAES128GCM, .aeadAES256GCM: return 12
        case .aes128CMHMACSHA1_80, .aes128CMHMACSHA1_32: return 14
        }
    }

    /// True for the AEAD (AES-GCM, RFC 7714) profiles; false for AES-CM with HMAC-SHA1.
    @inlinable
    public var isAEAD: Bool {
        switch self {
        case .aeadAES128GCM, .aeadAES256GCM: return true
        case .aes128CMHMACSHA1_80, .aes128CMHMACSHA1_32: return false
        }
    }

    /// Authentication tag length of SRTP (RTP) packets in bytes.
    @inlinable
    public var tagLength: Int {
        switch self {
        case .aeadAES128GCM, .aeadAES256GCM: return 16
        case .aes128CMHMACSHA1_80: return 10
        case .aes128CMHMACSHA1_32: return 4
        }
    }

    /// Authentication tag length of SRTCP packets in bytes: 10 for both HMAC-SHA1 profiles
    /// (RFC 5764 §4.1.2: SRTCP_AUTH_TAG_LENGTH is 80 bits for `_32` too), 16 for AEAD.
    @inlinable
    public var rtcpTagLength: Int {
        switch self {
        case .aeadAES128GCM, .aeadAES256GCM: return 16
        case .aes128CMHMACSHA1_80, .aes128CMHMACSHA1_32: return 10
        }
    }

    /// Bytes `protect` adds to an RTP packet (no MKI is used).
    @inlinable
    public var rtpTrailerLength: Int { tagLength }

    /// Bytes `protectRTCP` adds to an RTCP packet: the 4-byte E-flag + SRTCP index and the tag.
    @inlinable
    public var rtcpTrailerLength: Int { 4 &+ rtcpTagLength }

    /// The profile name as in OpenSSL's `SSL_set_tlsext_use_srtp` list and RFC registries.
    public var name: String {
        switch self {
        case .aeadAES128GCM: return "SRTP_AEAD_AES_128_GCM"
        case .aeadAES256GCM: return "SRTP_AEAD_AES_256_GCM"
        case .aes128CMHMACSHA1_80: return "SRTP_AES128_CM_SHA1_80"
        case .aes128CMHMACSHA1_32: return "SRTP_AES128_CM_SHA1_32"
        }
    }

    public var description: String { name }

    /// The profile for a DTLS-SRTP identifier, or nil when this library does not implement it.
    @inlinable
    public init?(protectionProfileID id: UInt16) {
        self.init(rawValue: id)
    }
}
