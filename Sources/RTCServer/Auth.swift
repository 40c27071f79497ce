import COpenSSL
import Foundation
import JWTKit

/// The host's login, kept as a salted PBKDF2-HMAC-SHA256 hash (OpenSSL); the password itself
/// is never stored or logged.
struct HostAccount: Sendable {
    let username: String
    private let salt: [UInt8]
    private let hash: [UInt8]
    static let iterations: Int32 = 100_000

    init(username: String, password: String) {
        self.username = username
        var salt = [UInt8](repeating: 0, count: 16)
        _ = RAND_bytes(&salt, 16)
        self.salt = salt
        self.hash = Self.derive(password, salt: salt)
    }

    private static func derive(_ password: String, salt: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let pw = Array(password.utf8)
        _ = pw.withUnsafeBufferPointer { p in
            PKCS5_PBKDF2_HMAC(p.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                              Int32(pw.count), salt, Int32(salt.count), iterations, EVP_sha256(), 32, &out)
        }
        return out
    }

    /// Constant-time comparison of the derived hash.
    func verify(username: String, password: String) -> Bool {
        let candidate = Self.derive(password, salt: salt)
        var diff: UInt8 = username == self.username ? 0 : 1
        for i in 0..<hash.count { diff |= hash[i] ^ candidate[i] }
        return diff == 0
    }
}

/// Claims of every token this server issues (HS256).
struct SFUToken: JWTPayload, Equatable {
    enum Role: String, Codable, Sendable { case host, guest }

    /// Participant id for room tokens; "host" for a host login token.
    var sub: SubjectClaim
    var exp: ExpirationClaim
    /// The room the token admits to (nil: a host login token).
    var room: String?
    var name: String?
    var role: Role

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// Issues and verifies tokens with one HMAC secret.
struct TokenService: Sendable {
    let keys: JWTKeyCollection
    let lifetime: TimeInterval

    init(secret: String, lifetime: TimeInterval = 12 * 3600) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
        self.lifetime = lifetime
    }

    func issue(subject: String, room: String?, name: String?, role: SFUToken.Role) async throws -> (String, Date) {
        let exp = Date().addingTimeInterval(lifetime)
        let t = SFUToken(sub: .init(value: subject), exp: .init(value: exp), room: room, name: name, role: role)
        return (try await keys.sign(t), exp)
    }

    /// The token's claims, or nil when it is malformed, forged or expired.
    func verify(_ token: String) async -> SFUToken? {
        try? await keys.verify(token, as: SFUToken.self)
    }
}

/// A random URL-safe identifier.
func randomID(_ length: Int = 10) -> String {
    let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    var rng = SystemRandomNumberGenerator()
    return String((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
}
