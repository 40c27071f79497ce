/// Per-endpoint DTLS settings.
public struct DTLSConfiguration: Sendable, Hashable {
    /// SRTP profiles offered (client) or accepted (server) in the `use_srtp` extension, in
    /// preference order (RFC 5764 §4.1.1; a server picks the first of its own list that the
    /// client offered).
    public var srtpProfiles: [SRTPProfile]
    /// Largest datagram OpenSSL may write, in bytes (its DTLS "MTU": records and handshake
    /// fragments are sized to fit), 256...4096. 1200 fits any path that carries WebRTC, IPv6
    /// and TURN included.
    public var mtu: Int
    public var retransmission: DTLSRetransmissionPolicy
    /// Application data records held while the peer's fingerprint is not known yet.
    public var maximumHeldApplicationData: Int

    public init(
        srtpProfiles: [SRTPProfile] = [.aeadAES128GCM, .aeadAES256GCM, .aes128CMHMACSHA1_80],
        mtu: Int = 1200,
        retransmission: DTLSRetransmissionPolicy = DTLSRetransmissionPolicy(),
        maximumHeldApplicationData: Int = 32
    ) {
        self.srtpProfiles = srtpProfiles
        self.mtu = mtu
        self.retransmission = retransmission
        self.maximumHeldApplicationData = maximumHeldApplicationData
    }

    /// The `use_srtp` list in OpenSSL's syntax, e.g.
    /// "SRTP_AEAD_AES_128_GCM:SRTP_AEAD_AES_256_GCM:SRTP_AES128_CM_SHA1_80".
    var openSSLProfileList: String {
        srtpProfiles.map(\.name).joined(separator: ":")
    }
}
