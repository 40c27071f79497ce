/// What ``PeerTransport/receive(_:length:from:local:now:)`` did with one datagram.
///
/// RTP and RTCP come back synchronously as views into the caller's buffer (decrypted in
/// place), so the forwarding path never copies or queues a media packet.
public enum PeerReceive: Sendable {
    /// A decrypted RTP packet in `buffer[0..<length]`, parsed with the inbound extension map.
    case rtp(RTPHeader, RTPExtensionValues, length: Int)
    /// A decrypted RTCP compound packet in `buffer[0..<length]`.
    case rtcp(length: Int)
    /// A STUN or DTLS datagram, consumed by ICE or DTLS (look at ``PeerTransport/pollOutput()``).
    case handled
    /// Refused, with the reason (counted in ``PeerTransportStats``).
    case dropped(PeerDropReason)
}

/// Why a datagram was refused. Every drop is named and counted.
public enum PeerDropReason: Sendable, Hashable, CaseIterable {
    /// Media before DTLS-SRTP keys exist.
    case notConnected
    /// From a transport address ICE has not validated.
    case unvalidatedSource
    /// SRTP/SRTCP authentication tag did not verify.
    case srtpAuthenticationFailed
    /// SRTP/SRTCP replay protection refused it.
    case srtpReplay
    /// SRTP refused it for another reason (malformed, too short).
    case srtpOther
    /// Decrypted, but not a well-formed RTP packet.
    case malformedRTP
    /// Not STUN, DTLS, RTP or RTCP by its first byte (RFC 7983).
    case unknownProtocol
    /// The transport is closed or failed.
    case closed
    /// Larger than the caller's buffer can hold with the SRTP trailer room.
    case tooLarge
}

/// Counters of one ``PeerTransport``.
public struct PeerTransportStats: Sendable, Hashable {
    public var datagramsReceived: UInt64 = 0
    public var bytesReceived: UInt64 = 0
    public var rtpReceived: UInt64 = 0
    public var rtcpReceived: UInt64 = 0
    public var rtpSent: UInt64 = 0
    public var rtcpSent: UInt64 = 0
    public var stunReceived: UInt64 = 0
    public var dtlsReceived: UInt64 = 0
    /// Drops by reason, indexed by `PeerDropReason.allCases` order.
    public var drops = [UInt64](repeating: 0, count: PeerDropReason.allCases.count)
    /// Milestones of connection set-up on the caller's clock.
    public var firstSTUNRequestAt: Instant?
    public var iceConnectedAt: Instant?
    public var dtlsConnectedAt: Instant?
    public var firstSRTPReceivedAt: Instant?

    public init() {}

    public func dropped(_ reason: PeerDropReason) -> UInt64 {
        drops[PeerDropReason.allCases.firstIndex(of: reason) ?? 0]
    }

    /// Time from the first STUN request to the first SRTP packet decrypted, if both happened.
    public var setupTime: Duration? {
        guard let a = firstSTUNRequestAt, let b = firstSRTPReceivedAt else { return nil }
        return b - a
    }
}

/// The transport's overall state (ICE and DTLS combined, like `RTCPeerConnectionState`).
public enum PeerTransportState: Sendable, Hashable {
    case new
    case connecting
    case connected
    case disconnected
    case failed(PeerFailure)
    case closed
}

/// Why a transport failed.
public enum PeerFailure: Sendable, Hashable {
    case iceFailed
    case dtls(DTLSError)
    case srtpSetup(SRTPError)
}

/// Events, in order, from ``PeerTransport/pollOutput()``.
public enum PeerEvent: Sendable, Hashable {
    case stateChanged(PeerTransportState)
    case iceStateChanged(ICEConnectionState)
    case selectedPairChanged(ICESelectedPair)
    case dtlsConnected(SRTPProfile)
    case dtlsApplicationData([UInt8])
}

/// Output of ``PeerTransport/pollOutput()``.
public enum PeerOutput: Sendable, Hashable {
    case transmit([UInt8], to: TransportAddress, from: TransportAddress)
    case event(PeerEvent)
}

/// Why ``PeerTransport/nextTimeout()`` wants to be woken.
public enum PeerTimeoutReason: Sendable, Hashable {
    case ice(ICETimeoutReason)
    case dtls(DTLSTimeoutReason)
}
