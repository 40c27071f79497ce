@testable import RTCCore

enum SRTPTestSupport {
    /// Keys for `profile` from a real DTLS handshake between alice (client) and bob (server).
    static func handshakeKeys(_ profile: SRTPProfile) throws -> (client: DTLSSRTPKeys, server: DTLSSRTPKeys) {
        let pair = try DTLSPair(roleA: .client, configA: DTLSConfiguration(srtpProfiles: [profile]),
                                configB: DTLSConfiguration(srtpProfiles: [profile]))
        pair.start()
        pair.run(until: pair.bothConnected)
        guard let c = pair.a.keys, let s = pair.b.keys else { throw SRTPError(.setupFailed) }
        return (c, s)
    }

    /// An RTP packet (RFC 3550 §5.1) with a 12-byte header and `payload`:
    ///
    /// ```
    /// |V=2|P|X|CC|M|PT|  sequence number  |  timestamp  |  SSRC  | payload ... |
    /// ```
    static func rtp(ssrc: UInt32, seq: UInt16, timestamp: UInt32 = 0, payload: [UInt8]) -> [UInt8] {
        var p: [UInt8] = [0x80, 96, UInt8(seq >> 8), UInt8(seq & 0xFF)]
        p += [UInt8(timestamp >> 24), UInt8((timestamp >> 16) & 0xFF), UInt8((timestamp >> 8) & 0xFF), UInt8(timestamp & 0xFF)]
        p += [UInt8(ssrc >> 24), UInt8((ssrc >> 16) & 0xFF), UInt8((ssrc >> 8) & 0xFF), UInt8(ssrc & 0xFF)]
        return p + payload
    }

    /// A sender report with no report blocks followed by `extra` bytes of a second packet
    /// (RFC 3550 §6.4.1): enough structure for SRTCP, which only reads the first 8 bytes.
    static func rtcpSenderReport(ssrc: UInt32, extra: [UInt8] = []) -> [UInt8] {
        var p: [UInt8] = [0x80, 200, 0, 6]
        p += [UInt8(ssrc >> 24), UInt8((ssrc >> 16) & 0xFF), UInt8((ssrc >> 8) & 0xFF), UInt8(ssrc & 0xFF)]
        p += [UInt8](repeating: 0x11, count: 20)
        return p + extra
    }

    /// Protects `packet` with `session` in a buffer with trailer room; returns the SRTP bytes.
    static func protect(_ session: SRTPSession, _ packet: [UInt8], rtcp: Bool = false) throws(SRTPError) -> [UInt8] {
        var buffer = packet + [UInt8](repeating: 0, count: SRTPSession.rtcpTrailerRoom)
        let length = packet.count
        let result = buffer.withUnsafeMutableBytes { raw -> Result<Int, SRTPError> in
            do throws(SRTPError) {
                return .success(rtcp ? try session.protectRTCP(buffer: raw, length: length)
                                     : try session.protect(buffer: raw, length: length))
            } catch {
                return .failure(error)
            }
        }
        return Array(buffer[0..<(try result.get())])
    }

    /// Unprotects `packet` with `session` in place in a copy; returns the plaintext bytes.
    static func unprotect(_ session: SRTPSession, _ packet: [UInt8], rtcp: Bool = false) throws(SRTPError) -> [UInt8] {
        var buffer = packet
        let length = packet.count
        let result = buffer.withUnsafeMutableBytes { raw -> Result<Int, SRTPError> in
            do throws(SRTPError) {
                return .success(rtcp ? try session.unprotectRTCP(buffer: raw, length: length)
                                     : try session.unprotect(buffer: raw, length: length))
            } catch {
                return .failure(error)
            }
        }
        return Array(buffer[0..<(try result.get())])
    }

    static func hex(_ s: String) -> [UInt8] {
        let digits = Array(s.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }
}
