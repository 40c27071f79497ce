import COpenSSL
import CRTCShims

/// The local DTLS identity: an ECDSA P-256 key and a self-signed X.509 certificate whose
/// SHA-256 fingerprint goes into SDP (RFC 5763 §5, RFC 8827 §6.5).
///
/// Create one per process (or per peer, for unlinkability) and share it between endpoints. It
/// owns the OpenSSL `SSL_CTX` every ``DTLSEndpoint`` using it is created from.
///
/// `@unchecked Sendable`: all stored state is immutable after `init`; the OpenSSL objects are
/// reference-counted and only read afterwards (`SSL_new`, `X509_digest`, PEM encoding), which
/// OpenSSL 3 allows from several threads at once.
public final class DTLSCertificate: @unchecked Sendable {
    /// Common name used for generated certificates.
    public static let defaultCommonName = "swift-rtc"
    /// Validity of generated certificates.
    public static let defaultValidity: Duration = .seconds(30 * 86_400)
    /// How far before the creation time a generated certificate is already valid, so that a
    /// peer whose clock is slightly behind accepts it.
    public static let backdating: Int64 = 86_400

    let x509: OpaquePointer
    let privateKey: OpaquePointer
    /// The DTLS 1.2 context for this identity (see `rtc_dtls_ctx_new`).
    let context: OpaquePointer

    /// SHA-256 fingerprint, the one to put in SDP.
    public let fingerprint: DTLSFingerprint

    /// Generates a fresh key and self-signed certificate with a random serial number.
    ///
    /// - Parameters:
    ///   - unixTime: the current wall-clock time in seconds since 1970 (RTCCore reads no
    ///     clock). The certificate is valid from a day before it for `validity`.
    ///   - commonName: subject and issuer CN.
    public convenience init(
        generatingAt unixTime: Int64,
        commonName: String = DTLSCertificate.defaultCommonName,
        validity: Duration = DTLSCertificate.defaultValidity
    ) throws(DTLSError) {
        let seconds = validity.components.seconds
        guard seconds > 0 else { throw DTLSError(.certificateGeneration, "validity must be positive") }
        let (notBefore, o1) = unixTime.subtractingReportingOverflow(DTLSCertificate.backdating)
        let (notAfter, o2) = unixTime.addingReportingOverflow(seconds)
        guard !o1, !o2 else { throw DTLSError(.certificateGeneration, "time out of range") }
        ERR_clear_error()
        var cert: OpaquePointer?
        var key: OpaquePointer?
        let ok = rtc_dtls_generate_certificate(commonName, notBefore, notAfter, &cert, &key)
        guard ok == 1, let cert, let key else {
            throw DTLSError.fromOpenSSL(.certificateGeneration, "key or certificate generation")
        }
        try self.init(taking: cert, key)
    }

    /// Loads a certificate and its private key from PEM text (e.g. persisted from
    /// ``certificatePEM`` / ``privateKeyPEM`` so that the fingerprint survives restarts).
    public convenience init(certificatePEM: String, privateKeyPEM: String) throws(DTLSError) {
        ERR_clear_error()
        guard let cert = DTLSCertificate.readPEM(certificatePEM, { PEM_read_bio_X509($0, nil, nil, nil) })
        else { throw DTLSError.fromOpenSSL(.invalidCertificate, "certificate PEM") }
        guard let key = DTLSCertificate.readPEM(privateKeyPEM, { PEM_read_bio_PrivateKey($0, nil, nil, nil) })
        else {
            X509_free(cert)
            throw DTLSError.fromOpenSSL(.invalidCertificate, "private key PEM")
        }
        try self.init(taking: cert, key)
    }

    /// Takes ownership of one reference to each of `cert` and `key`.
    private init(taking cert: OpaquePointer, _ key: OpaquePointer) throws(DTLSError) {
        guard let fp = DTLSFingerprint.of(x509: cert, hash: .sha256) else {
            X509_free(cert)
            EVP_PKEY_free(key)
            throw DTLSError.fromOpenSSL(.invalidCertificate, "fingerprint")
        }
        guard let ctx = rtc_dtls_ctx_new(cert, key) else {
            X509_free(cert)
            EVP_PKEY_free(key)
            throw DTLSError.fromOpenSSL(.invalidCertificate, "context (key does not match?)")
        }
        self.x509 = cert
        self.privateKey = key
        self.context = ctx
        self.fingerprint = fp
    }

    deinit {
        SSL_CTX_free(context)
        X509_free(x509)
        EVP_PKEY_free(privateKey)
    }

    /// The fingerprint under another hash (for peers that want sha-1/384/512).
    public func fingerprint(using hash: DTLSFingerprintHash) -> DTLSFingerprint? {
        DTLSFingerprint.of(x509: x509, hash: hash)
    }

    /// The certificate in PEM ("-----BEGIN CERTIFICATE-----").
    public var certificatePEM: String {
        DTLSCertificate.writePEM { PEM_write_bio_X509($0, x509) }
    }

    /// The private key in unencrypted PKCS #8 PEM ("-----BEGIN PRIVATE KEY-----").
    public var privateKeyPEM: String {
        DTLSCertificate.writePEM { PEM_write_bio_PrivateKey($0, privateKey, nil, nil, 0, nil, nil) }
    }

    /// Start of validity, in seconds since 1970 (nil if OpenSSL cannot compute it).
    public var notBefore: Int64? {
        DTLSCertificate.unixTime(X509_get0_notBefore(x509))
    }

    /// End of validity, in seconds since 1970. Rotate the certificate before it.
    public var notAfter: Int64? {
        DTLSCertificate.unixTime(X509_get0_notAfter(x509))
    }

    /// The serial number's big-endian bytes (random for generated certificates).
    public var serialNumber: [UInt8] {
        guard let serial = X509_get0_serialNumber(x509), let bn = ASN1_INTEGER_to_BN(serial, nil)
        else { return [] }
        defer { BN_free(bn) }
        var out = [UInt8](repeating: 0, count: Int((BN_num_bits(bn) + 7) / 8))
        let n = out.withUnsafeMutableBufferPointer { BN_bn2bin(bn, $0.baseAddress) }
        return n == out.count ? out : []
    }

    /// The certificate's DER encoding.
    public var derEncoded: [UInt8] {
        let n = i2d_X509(x509, nil)
        guard n > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: Int(n))
        let written = out.withUnsafeMutableBufferPointer { buf -> Int32 in
            var p = buf.baseAddress
            return i2d_X509(x509, &p)
        }
        return written == n ? out : []
    }

    private static func unixTime(_ time: UnsafePointer<ASN1_TIME>?) -> Int64? {
        guard let time, let epoch = ASN1_TIME_set(nil, 0) else { return nil }
        defer { ASN1_TIME_free(epoch) }
        var days: Int32 = 0
        var seconds: Int32 = 0
        guard ASN1_TIME_diff(&days, &seconds, epoch, time) == 1 else { return nil }
        return Int64(days) * 86_400 + Int64(seconds)
    }

    // MARK: - PEM helpers

    private static func readPEM(_ text: String, _ read: (OpaquePointer) -> OpaquePointer?) -> OpaquePointer? {
        var text = text
        return text.withUTF8 { buf -> OpaquePointer? in
            guard buf.count > 0, buf.count <= Int(Int32.max),
                let bio = BIO_new_mem_buf(buf.baseAddress, Int32(buf.count))
            else { return nil }
            defer { BIO_free(bio) }
            return read(bio)
        }
    }

    private static func writePEM(_ write: (OpaquePointer) -> Int32) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { return "" }
        var data: UnsafeMutablePointer<CChar>?
        let n = rtc_bio_get_mem_data(bio, &data)
        guard n > 0, let data else { return "" }
        let bytes = UnsafeRawBufferPointer(start: data, count: Int(n))
        return String(decoding: bytes, as: UTF8.self)
    }
}
