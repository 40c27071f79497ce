import COpenSSL

/// A certificate fingerprint as carried in SDP (RFC 8122 §5, RFC 5763 §5):
///
/// ```
/// a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:...
///               └ hash-func ┘ └ fingerprint: 2UHEX *(":" 2UHEX), one pair per digest byte ┘
/// ```
///
/// The value (after `a=fingerprint:`) is what ``init(_:)`` parses and ``sdpValue`` prints. The
/// hash name is compared case-insensitively and lowercase hex is accepted; printing uses
/// upper-case hex as the grammar requires. A fingerprint matches a certificate when the digest
/// of the certificate's DER encoding under the same hash equals it.
public struct DTLSFingerprint: Sendable, Hashable, CustomStringConvertible {
    public let hash: DTLSFingerprintHash
    public let digest: [UInt8]

    /// Nil when `digest` does not have the hash's length.
    public init?(hash: DTLSFingerprintHash, digest: [UInt8]) {
        guard digest.count == hash.digestLength else { return nil }
        self.hash = hash
        self.digest = digest
    }

    /// Parses an SDP fingerprint value such as "sha-256 AB:CD:…".
    public init(_ value: String) throws(ParseError) {
        var s = value
        let r: Result<DTLSFingerprint, ParseError> = s.withUTF8 { buf in
            do throws(ParseError) {
                return .success(try DTLSFingerprint(parsing: UnsafeRawBufferPointer(buf)))
            } catch {
                return .failure(error)
            }
        }
        self = try r.get()
    }

    /// Parses an SDP fingerprint value from its UTF-8 bytes. Leading and trailing white space
    /// (including a line's CR LF) is ignored.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(ParseError) {
        var i = 0
        let n = bytes.count
        while i < n, DTLSFingerprint.isSpace(bytes[i]) { i &+= 1 }
        // hash-func: a token up to the first space.
        let nameStart = i
        while i < n, !DTLSFingerprint.isSpace(bytes[i]) { i &+= 1 }
        guard i > nameStart else {
            throw ParseError(.sdp, .syntax, at: nameStart, "missing hash function")
        }
        guard let hash = DTLSFingerprint.hash(named: bytes, nameStart, i) else {
            throw ParseError(.sdp, .invalidValue, at: nameStart, "unsupported hash function")
        }
        guard i < n else { throw ParseError(.sdp, .syntax, at: i, "missing fingerprint") }
        while i < n, bytes[i] == 0x20 || bytes[i] == 0x09 { i &+= 1 }

        var end = n
        while end > i, DTLSFingerprint.isSpace(bytes[end &- 1]) { end &-= 1 }

        // fingerprint: 2HEX *(":" 2HEX)
        var digest: [UInt8] = []
        digest.reserveCapacity(hash.digestLength)
        while true {
            guard end &- i >= 2, let hi = DTLSFingerprint.hexValue(bytes[i]),
                let lo = DTLSFingerprint.hexValue(bytes[i &+ 1])
            else {
                throw ParseError(.sdp, .syntax, at: i, "expected two hex digits")
            }
            guard digest.count < hash.digestLength else {
                throw ParseError(.sdp, .invalidLength, at: i, "fingerprint longer than digest")
            }
            digest.append(hi << 4 | lo)
            i &+= 2
            if i == end { break }
            guard bytes[i] == 0x3A else {  // ':'
                throw ParseError(.sdp, .syntax, at: i, "expected ':' between hex pairs")
            }
            i &+= 1
        }
        guard digest.count == hash.digestLength else {
            throw ParseError(.sdp, .invalidLength, at: end, "fingerprint shorter than digest")
        }
        self.hash = hash
        self.digest = digest
    }

    /// The SDP attribute value: "sha-256 AB:CD:…" (upper-case hex).
    public var sdpValue: String {
        let hex: [Character] = Array("0123456789ABCDEF")
        var s = hash.sdpName
        s.reserveCapacity(s.utf8.count &+ digest.count &* 3)
        s.append(" ")
        for (k, b) in digest.enumerated() {
            if k > 0 { s.append(":") }
            s.append(hex[Int(b >> 4)])
            s.append(hex[Int(b & 0x0F)])
        }
        return s
    }

    public var description: String { sdpValue }

    /// Fuzz entry point: parses `bytes` as an SDP fingerprint value and, when it parses,
    /// checks that printing and parsing again gives the same value. Never traps.
    public static func fuzz(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let f = try? DTLSFingerprint(parsing: bytes) else { return false }
        guard let again = try? DTLSFingerprint(f.sdpValue), again == f else { return false }
        return true
    }

    // MARK: - Certificates

    /// The fingerprint of an OpenSSL `X509` under `hash` (digest of its DER encoding).
    static func of(x509: OpaquePointer, hash: DTLSFingerprintHash) -> DTLSFingerprint? {
        guard let md = hash.evpDigest else { return nil }
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var len: UInt32 = 0
        let ok = out.withUnsafeMutableBufferPointer { X509_digest(x509, md, $0.baseAddress, &len) }
        guard ok == 1, Int(len) == hash.digestLength else { return nil }
        return DTLSFingerprint(hash: hash, digest: Array(out[0..<Int(len)]))
    }

    /// True when `x509` has this fingerprint.
    func matches(x509: OpaquePointer) -> Bool {
        guard let actual = DTLSFingerprint.of(x509: x509, hash: hash) else { return false }
        return actual.digest == digest
    }

    // MARK: - Lexing

    private static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b &- 0x30
        case 0x41...0x46: return b &- 0x41 &+ 10
        case 0x61...0x66: return b &- 0x61 &+ 10
        default: return nil
        }
    }

    private static func hash(named bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int)
        -> DTLSFingerprintHash?
    {
        guard end &- start <= 16 else { return nil }
        var name = ""
        for k in start..<end {
            let b = bytes[k]
            guard b < 0x80 else { return nil }
            name.append(Character(Unicode.Scalar(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)))
        }
        return DTLSFingerprintHash(rawValue: name)
    }
}
