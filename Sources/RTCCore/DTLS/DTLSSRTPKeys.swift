/// The SRTP master keys and salts exported from a DTLS-SRTP handshake (RFC 5764 §4.2).
///
/// The TLS exporter (RFC 5705) with label "EXTRACTOR-dtls_srtp" and no context yields
/// `2 * (keyLength + saltLength)` bytes laid out as:
///
/// ```
/// | client write master key | server write master key |
/// | client write master salt | server write master salt |
///    (keyLength each)            (saltLength each)
/// ```
///
/// The client protects with the client key and salt, the server with the server ones; each
/// side unprotects with the other's. ``local`` and ``remote`` pick by this endpoint's role, so
/// the client's `local` equals the server's `remote`.
public struct DTLSSRTPKeys: Sendable, Hashable {
    /// The exporter label of RFC 5764 §4.2.
    public static let exporterLabel = "EXTRACTOR-dtls_srtp"

    public let profile: SRTPProfile
    /// The role of the endpoint that exported the keys.
    public let role: DTLSRole
    /// client_write_SRTP_master_key and _salt.
    public let client: SRTPMasterKey
    /// server_write_SRTP_master_key and _salt.
    public let server: SRTPMasterKey

    /// Bytes of keying material to export for `profile`.
    public static func keyingMaterialLength(for profile: SRTPProfile) -> Int {
        2 &* (profile.keyLength &+ profile.saltLength)
    }

    /// Splits exported keying material; nil when its length does not fit `profile`.
    public init?(profile: SRTPProfile, role: DTLSRole, keyingMaterial m: [UInt8]) {
        let k = profile.keyLength
        let s = profile.saltLength
        guard m.count == DTLSSRTPKeys.keyingMaterialLength(for: profile) else { return nil }
        let clientKey = Array(m[0..<k])
        let serverKey = Array(m[k..<(2 * k)])
        let clientSalt = Array(m[(2 * k)..<(2 * k + s)])
        let serverSalt = Array(m[(2 * k + s)..<(2 * k + 2 * s)])
        guard let client = SRTPMasterKey(profile: profile, key: clientKey, salt: clientSalt),
            let server = SRTPMasterKey(profile: profile, key: serverKey, salt: serverSalt)
        else { return nil }
        self.profile = profile
        self.role = role
        self.client = client
        self.server = server
    }

    /// The key this endpoint protects (sends) with.
    public var local: SRTPMasterKey { role == .client ? client : server }
    /// The key this endpoint unprotects (receives) with.
    public var remote: SRTPMasterKey { role == .client ? server : client }
}
