/// ICE short-term credentials (RFC 8445 §5.3, RFC 8839 §5.4 `ice-ufrag` / `ice-pwd`).
///
/// The ufrag is at least 4 and the password at least 22 `ice-char`s (ALPHA / DIGIT / "+" /
/// "/"). STUN checks carry `USERNAME = receiverUfrag:senderUfrag` and are protected with the
/// receiver's password (RFC 8445 §7.2.2).
public struct ICECredentials: Hashable, Sendable, CustomStringConvertible {
    public var ufrag: String
    public var pwd: String

    public init(ufrag: String, pwd: String) {
        self.ufrag = ufrag
        self.pwd = pwd
    }

    /// Fresh credentials (ufrag of 8 and password of 24 ice-chars). RFC 8445 §5.3 asks for at
    /// least 24 bits of randomness in the ufrag and 128 in the password: seed `generator` from
    /// a secure source outside tests.
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> ICECredentials {
        func token(_ n: Int) -> String {
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(n)
            for _ in 0..<n { bytes.append(alphabet[Int(generator.next() & 63)]) }
            return String(decoding: bytes, as: UTF8.self)
        }
        let u = token(8)
        return ICECredentials(ufrag: u, pwd: token(24))
    }

    /// True when both follow the RFC 8839 §5.4 grammar and lengths (ufrag 4...256,
    /// password 22...256 ice-chars).
    public var isValid: Bool {
        let u = ufrag.utf8, p = pwd.utf8
        return (4...256).contains(u.count) && (22...256).contains(p.count)
            && u.allSatisfy(ICECandidate.isICEChar) && p.allSatisfy(ICECandidate.isICEChar)
    }

    /// The password as the STUN short-term key (RFC 8489 §9.1.1: OpaqueString of the
    /// password, which is the identity on ice-chars).
    var key: [UInt8] { Array(pwd.utf8) }

    /// Never prints the password.
    public var description: String { "ufrag=\(ufrag)" }
}
