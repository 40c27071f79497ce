import Testing
@testable import RTCCore

@Suite struct DTLSCertificateTests {
    @Test func generatedCertificateHasSHA256Fingerprint() throws {
        let cert = DTLSTestCertificates.alice
        #expect(cert.fingerprint.hash == .sha256)
        #expect(cert.fingerprint.digest.count == 32)
        // "sha-256 " + 32 pairs + 31 colons
        #expect(cert.fingerprint.sdpValue.count == 8 + 32 * 2 + 31)
        #expect(cert.fingerprint(using: .sha256) == cert.fingerprint)
        #expect(cert.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(cert.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(!cert.derEncoded.isEmpty)
    }

    @Test func validityAndSubject() throws {
        let cert = try DTLSCertificate(generatingAt: 1_800_000_000, commonName: "swift-rtc")
        #expect(cert.notBefore == Int64(1_800_000_000 - 86_400))
        #expect(cert.notAfter == Int64(1_800_000_000 + 30 * 86_400))
        // The DER holds the common name and an ECDSA-with-SHA256 signature (OID 1.2.840.10045.4.3.2).
        let der = cert.derEncoded
        #expect(der.firstRange(of: Array("swift-rtc".utf8)) != nil)
        #expect(der.firstRange(of: [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]) != nil)
        // P-256 (OID 1.2.840.10045.3.1.7)
        #expect(der.firstRange(of: [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]) != nil)
    }

    @Test func eachGenerationIsUnique() throws {
        let a = try DTLSCertificate(generatingAt: DTLSTestCertificates.unixTime)
        let b = try DTLSCertificate(generatingAt: DTLSTestCertificates.unixTime)
        #expect(a.fingerprint != b.fingerprint)
        #expect(a.serialNumber != b.serialNumber)
        #expect(a.serialNumber.count == 8)
    }

    @Test func pemRoundTripKeepsFingerprint() throws {
        let original = DTLSTestCertificates.bob
        let loaded = try DTLSCertificate(
            certificatePEM: original.certificatePEM, privateKeyPEM: original.privateKeyPEM)
        #expect(loaded.fingerprint == original.fingerprint)
        #expect(loaded.derEncoded == original.derEncoded)

        // A loaded certificate works in a handshake.
        let client = try DTLSEndpoint(
            role: .client, certificate: DTLSTestCertificates.alice,
            remoteFingerprints: [original.fingerprint])
        let server = try DTLSEndpoint(
            role: .server, certificate: loaded,
            remoteFingerprints: [DTLSTestCertificates.alice.fingerprint])
        let pair = DTLSPair(a: client, b: server)
        pair.start()
        pair.run(until: pair.bothConnected)
        #expect(pair.bothConnected())
    }

    @Test func mismatchedOrBrokenPEMIsRefused() {
        let alice = DTLSTestCertificates.alice
        let bob = DTLSTestCertificates.bob
        #expect(throws: DTLSError.self) {
            _ = try DTLSCertificate(certificatePEM: alice.certificatePEM, privateKeyPEM: bob.privateKeyPEM)
        }
        #expect(throws: DTLSError.self) {
            _ = try DTLSCertificate(certificatePEM: "garbage", privateKeyPEM: alice.privateKeyPEM)
        }
        #expect(throws: DTLSError.self) {
            _ = try DTLSCertificate(certificatePEM: alice.certificatePEM, privateKeyPEM: "")
        }
        var truncated = alice.certificatePEM
        truncated.removeLast(40)
        #expect(throws: DTLSError.self) {
            _ = try DTLSCertificate(certificatePEM: truncated, privateKeyPEM: alice.privateKeyPEM)
        }
    }

    @Test func invalidValidityIsRefused() {
        #expect(throws: DTLSError.self) {
            _ = try DTLSCertificate(generatingAt: 0, validity: .seconds(0))
        }
        #expect(throws: DTLSError.self) {
            _ = try DTLSCertificate(generatingAt: .max, validity: .seconds(10))
        }
    }
}
