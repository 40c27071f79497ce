extension PeerConnection {
    /// What one ``PeerConnection`` is made of: how it runs ICE, its DTLS identity and the
    /// `o=` line of the descriptions it writes.
    public struct Configuration: Sendable {
        /// ICE-lite (a server with public addresses) or a full agent (a client). The
        /// configuration's credentials go into this side's descriptions; its host addresses
        /// become the `a=candidate` lines. A full agent's role is decided at negotiation:
        /// controlling when it offers or when the peer is ICE-lite (RFC 8445 §6.1.1).
        public var ice: PeerTransport.ICEMode
        /// The local DTLS identity; its SHA-256 fingerprint goes into the descriptions.
        public var certificate: DTLSCertificate
        public var dtls: DTLSConfiguration
        /// `o=` session id (a numeric string, RFC 8866 §5.2). By default derived from the
        /// certificate's fingerprint, so RTCCore needs no random source.
        public var sessionID: String
        /// `a=ice-options` tokens to write (e.g. `trickle`, RFC 8840 §4.1.1).
        public var iceOptions: [String]
        /// The SRTP implementation of the connection's transport (``SRTPBackend/openssl`` by
        /// default; ``SRTPBackend/libsrtp`` for libsrtp2).
        public var srtpBackend: SRTPBackend

        public init(ice: PeerTransport.ICEMode, certificate: DTLSCertificate,
                    dtls: DTLSConfiguration = DTLSConfiguration(), sessionID: String? = nil,
                    iceOptions: [String] = [], srtpBackend: SRTPBackend = .default) {
            self.ice = ice
            self.certificate = certificate
            self.dtls = dtls
            self.iceOptions = iceOptions
            self.srtpBackend = srtpBackend
            if let sessionID {
                self.sessionID = sessionID
            } else {
                // 63 bits of the fingerprint: a stable, unpredictable-enough number.
                var v: UInt64 = 0
                for b in certificate.fingerprint.digest.prefix(8) { v = v << 8 | UInt64(b) }
                self.sessionID = String(v & UInt64(Int64.max))
            }
        }

        /// The local credentials of the configured agent.
        var localCredentials: ICECredentials {
            switch ice {
            case .lite(let c): return c.localCredentials
            case .full(let c): return c.localCredentials
            }
        }

        var hostAddresses: [ICEHostAddress] {
            switch ice {
            case .lite(let c): return c.hostAddresses
            case .full(let c): return c.hostAddresses
            }
        }

        var isLite: Bool {
            if case .lite = ice { return true }
            return false
        }

        /// The mode with `credentials` as the local ones and, for a full agent, `role`.
        func mode(credentials: ICECredentials, role: ICERole) -> PeerTransport.ICEMode {
            switch ice {
            case .lite(var c):
                c.localCredentials = credentials
                return .lite(c)
            case .full(var c):
                c.localCredentials = credentials
                c.role = role
                return .full(c)
            }
        }
    }
}
