/// Fuzz entry point for SRTP/SRTCP: the input (its first byte picks the profile) is
/// unprotected as SRTP and as SRTCP, then protected as RTP and RTCP and unprotected again, by
/// both backends (``SRTPBackend``). Must never trap; the two backends must agree on every
/// verdict and every byte.
public enum SRTPFuzz {
    /// Returns true when the openssl backend accepted the input as SRTP or SRTCP (never, for
    /// random bytes: the key is fixed and unknown to the input). Fresh sessions per call.
    @discardableResult
    public static func fuzz(_ bytes: UnsafeRawBufferPointer) -> Bool {
        Runner(reuse: 1).run(bytes).accepted
    }

    /// True when both backends gave the same result for every step (fresh sessions).
    public static func verdictsAgree(_ bytes: UnsafeRawBufferPointer) -> Bool {
        Runner(reuse: 1).run(bytes).agree
    }

    /// A fuzz loop's state: the sessions, reused for `reuse` inputs per profile (creating four
    /// per input made 1,000,000 mutations take ~13 minutes), then made anew so the per-SSRC
    /// tables stay far below their limit (each input adds at most one SSRC per session). Both
    /// backends see the same inputs in the same order, so their replay state stays in step
    /// and verdicts must still agree. One runner per loop; not for concurrent use.
    public final class Runner {
        let reuse: Int
        private var cache: [SRTPProfile: (uses: Int, sessions: [(outbound: SRTPSession, inbound: SRTPSession)])] = [:]

        public init(reuse: Int = 256) { self.reuse = max(1, reuse) }

        /// As ``SRTPFuzz/fuzz(_:)``, with this runner's sessions.
        @discardableResult
        public func fuzz(_ bytes: UnsafeRawBufferPointer) -> Bool { run(bytes).accepted }

        func run(_ bytes: UnsafeRawBufferPointer) -> (accepted: Bool, agree: Bool) {
            guard let first = bytes.first else { return (false, true) }
            let profile = SRTPProfile.allCases[Int(first) % SRTPProfile.allCases.count]
            let packet = Array(bytes.dropFirst())
            guard let key = SRTPMasterKey(profile: profile, key: (0..<profile.keyLength).map { UInt8($0 &* 7) },
                                          salt: (0..<profile.saltLength).map { UInt8($0 &* 13) }),
                  let sessions = sessions(profile, key)
            else { return (false, false) }
            var agree = true
            var accepted = false
            for rtcp in [false, true] {
                let u = sessions.map { SRTPFuzz.apply($0.inbound, packet, rtcp: rtcp, protect: false) }
                agree = agree && u[0] == u[1]
                if case .success = u[0] { accepted = true }
                let p = sessions.map { SRTPFuzz.apply($0.outbound, packet, rtcp: rtcp, protect: true) }
                agree = agree && p[0] == p[1]
                if case .success(let protected) = p[0] {
                    let back = sessions.map { SRTPFuzz.apply($0.inbound, protected, rtcp: rtcp, protect: false) }
                    agree = agree && back[0] == back[1]
                }
            }
            return (accepted, agree)
        }

        private func sessions(_ profile: SRTPProfile, _ key: SRTPMasterKey) -> [(outbound: SRTPSession, inbound: SRTPSession)]? {
            if let c = cache[profile], c.uses < reuse {
                cache[profile] = (c.uses + 1, c.sessions)
                return c.sessions
            }
            var made: [(outbound: SRTPSession, inbound: SRTPSession)] = []
            for backend in [SRTPBackend.openssl, .libsrtp] {
                guard let o = try? SRTPSession(profile: profile, masterKey: key, direction: .outbound, backend: backend),
                      let i = try? SRTPSession(profile: profile, masterKey: key, direction: .inbound, backend: backend)
                else { return nil }
                made.append((o, i))
            }
            cache[profile] = (1, made)
            return made
        }
    }

    static func apply(_ s: SRTPSession, _ packet: [UInt8], rtcp: Bool, protect: Bool) -> Result<[UInt8], SRTPError> {
        var buffer = packet + [UInt8](repeating: 0, count: SRTPSession.rtcpTrailerRoom)
        let length = packet.count
        let r = buffer.withUnsafeMutableBytes { raw -> Result<Int, SRTPError> in
            Result { () throws(SRTPError) -> Int in
                switch (protect, rtcp) {
                case (true, false): return try s.protect(buffer: raw, length: length)
                case (true, true): return try s.protectRTCP(buffer: raw, length: length)
                case (false, false): return try s.unprotect(buffer: raw, length: length)
                case (false, true): return try s.unprotectRTCP(buffer: raw, length: length)
                }
            }
        }
        return r.map { Array(buffer.prefix($0)) }
    }
}
