/// A certificate fingerprint (RFC 8122 §5; used by DTLS-SRTP, RFC 5763 §5).
///
/// ```
///   a=fingerprint:sha-256 FD:0C:50:F2:...:34
///                 |       `-- the hash of the certificate, bytes as two hex digits
///                 |           separated by ':' (written in uppercase, read in any case)
///                 `-- hash function name from the IANA "Hash Function Textual Names"
/// ```
public struct SDPFingerprint: Hashable, Sendable {
    /// The hash function, e.g. `sha-256` (compared case-insensitively by ``matches(_:)``).
    public var hashFunction: String
    /// The hash value.
    public var bytes: [UInt8]

    public init(hashFunction: String, bytes: [UInt8]) {
        self.hashFunction = hashFunction
        self.bytes = bytes
    }

    /// Parses the attribute value (`hash-func SP fingerprint`).
    public init(parsing value: String) throws(ParseError) {
        try self.init(value.sdpBytes, line: 0)
    }

    init(_ value: ArraySlice<UInt8>, line: Int) throws(ParseError) {
        let tokens = SDPText.split(value, on: SDPText.space)
        guard tokens.count == 2, SDPText.isToken(tokens[0]) else {
            throw ParseError(.sdp, .syntax, at: line, "fingerprint: expected hash and value")
        }
        var bytes: [UInt8] = []
        for piece in SDPText.splitKeepingEmpty(tokens[1], on: SDPText.colon) {
            guard piece.count == 2, let hi = Self.hexValue(piece[piece.startIndex]),
                  let lo = Self.hexValue(piece[piece.startIndex + 1]) else {
                throw ParseError(.sdp, .syntax, at: line, "fingerprint: bad hex byte")
            }
            bytes.append(hi << 4 | lo)
        }
        self.hashFunction = SDPText.string(tokens[0])
        self.bytes = bytes
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c &- 0x30
        case 0x41...0x46: return c &- 0x41 &+ 10
        case 0x61...0x66: return c &- 0x61 &+ 10
        default: return nil
        }
    }

    /// The bytes as uppercase hex pairs separated by ':'.
    public var hexString: String {
        let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 3)
        for (i, b) in bytes.enumerated() {
            if i > 0 { out.append(SDPText.colon) }
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The attribute value: `sha-256 AB:CD:...`.
    public var attributeValue: String { hashFunction + " " + hexString }

    /// True when both name the same hash function (case-insensitively) and the same bytes.
    public func matches(_ other: SDPFingerprint) -> Bool {
        bytes == other.bytes && hashFunction.lowercasedASCII == other.hashFunction.lowercasedASCII
    }
}
