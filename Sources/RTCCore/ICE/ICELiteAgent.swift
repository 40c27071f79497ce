/// An ICE-lite agent (RFC 8445 §2.5): the server side of a WebRTC transport.
///
/// It has host candidates only, never sends checks, and is always controlled: it answers the
/// peer's Binding requests, learns the peer's transport address from them, and selects the pair
/// the controlling peer nominates with USE-CANDIDATE — following the peer when it nominates
/// another address later (network change, ICE restart). Consent (RFC 7675) is judged by the
/// valid checks the peer keeps sending on the selected pair: none for ``Configuration/disconnectedAfter``
/// gives `disconnected`, none for ``Configuration/failedAfter`` gives `failed`.
///
/// Sans-IO: feed datagrams and timeouts with ``handle(_:now:)``, drain ``pollOutput()``, and
/// wake at ``nextTimeout()``.
///
/// ```
///  peer (full, controlling)                    ICELiteAgent (controlled)
///   Binding request USERNAME=L:R, MI(pwd L) --->  validate → 2xx + XOR-MAPPED-ADDRESS
///   ... USE-CANDIDATE                       --->  select (local, peer address), connected
///   consent checks every ~5 s               --->  refresh consent
/// ```
public struct ICELiteAgent: Sendable {
    public struct Configuration: Sendable {
        public var localCredentials: ICECredentials
        /// The addresses the caller's sockets are bound to (and announced as).
        public var hostAddresses: [ICEHostAddress]
        /// No valid check on the selected pair for this long: `disconnected`.
        public var disconnectedAfter: Duration = .seconds(10)
        /// No valid check on the selected pair for this long: `failed` (RFC 7675 consent
        /// expiry is 30 s).
        public var failedAfter: Duration = .seconds(30)
        /// No nomination this long after creation (or restart): `failed`.
        public var checkingTimeout: Duration = .seconds(30)

        public init(localCredentials: ICECredentials, hostAddresses: [ICEHostAddress] = []) {
            self.localCredentials = localCredentials
            self.hostAddresses = hostAddresses
        }
    }

    public private(set) var configuration: Configuration
    public private(set) var state: ICEConnectionState = .new
    public private(set) var selectedPair: ICESelectedPair?
    public private(set) var stats = ICEStats()
    /// Pairs (local socket, peer address) that passed a valid check, in the order learned.
    public private(set) var validatedPairs: [ICESelectedPair] = []

    /// The credentials before the last restart, accepted until the first check with the new
    /// ones (the peer may still be using them for a round trip).
    private var previousCredentials: ICECredentials?
    private var startedAt: Instant
    /// Last valid check on the selected pair.
    private var lastConsent: Instant
    private var queue = OutputQueue<ICEOutput>()

    public init(configuration: Configuration, now: Instant) {
        self.configuration = configuration
        self.startedAt = now
        self.lastConsent = now
    }

    /// Host candidates for the SDP (`a=candidate` lines).
    public var localCandidates: [ICECandidate] {
        ICEHostAddress.hostCandidates(configuration.hostAddresses)
    }

    public var localCredentials: ICECredentials { configuration.localCredentials }

    // MARK: Sans-IO verbs

    public mutating func handle(_ input: ICEInput, now: Instant) {
        guard state != .closed else { return }
        switch input {
        case .datagram(let bytes, let from, let local):
            receive(bytes, from: from, local: local, now: now)
        case .timeout:
            break
        }
        checkTimers(now: now)
    }

    public mutating func pollOutput() -> ICEOutput? { queue.pop() }

    public func nextTimeout() -> (Instant, ICETimeoutReason)? {
        switch state {
        case .new, .checking:
            return (startedAt + configuration.checkingTimeout, .checkingTimeout)
        case .connected:
            let d = min(configuration.disconnectedAfter, configuration.failedAfter)
            return (lastConsent + d, .consentExpiry)
        case .disconnected:
            return (lastConsent + configuration.failedAfter, .consentExpiry)
        case .failed, .closed:
            return nil
        }
    }

    // MARK: API calls

    /// ICE restart (RFC 8445 §9) with new local credentials (for the new answer). The selected
    /// pair keeps carrying media until the peer nominates again; checks with the old
    /// credentials are still accepted until one with the new credentials arrives. After a
    /// failure the agent starts checking again.
    public mutating func restart(localCredentials: ICECredentials, now: Instant) {
        guard state != .closed else { return }
        previousCredentials = configuration.localCredentials
        configuration.localCredentials = localCredentials
        validatedPairs = validatedPairs.filter { $0 == selectedPair }
        if state == .failed || selectedPair == nil {
            selectedPair = nil
            validatedPairs = []
            startedAt = now
            setState(.checking)
        }
    }

    /// Stops the agent: no more outputs or timeouts.
    public mutating func close(now: Instant) {
        guard state != .closed else { return }
        setState(.closed)
    }

    // MARK: Receiving

    private mutating func receive(_ bytes: UnsafeRawBufferPointer, from: TransportAddress,
                                  local: TransportAddress, now: Instant) {
        guard let m = ICEBindingFilter.binding(bytes, stats: &stats) else { return }
        switch m.messageClass {
        case .request:
            handleRequest(m, from: from, local: local, now: now)
        case .indication:
            stats.indicationsReceived += 1
        case .successResponse, .errorResponse:
            // A lite agent sends no requests, so no response can be ours.
            stats.unexpectedDropped += 1
        }
    }

    private mutating func handleRequest(_ m: STUNMessage, from: TransportAddress,
                                        local: TransportAddress, now: Instant) {
        stats.requestsReceived += 1
        var credentials = configuration.localCredentials
        var verdict = ICEConnectivityCheck.validate(m, local: credentials)
        if case .reject(.unauthorized, _) = verdict, let old = previousCredentials {
            credentials = old
            verdict = ICEConnectivityCheck.validate(m, local: old)
        }
        switch verdict {
        case .reject(let code, let unknown):
            sendError(m.transactionID, code: code, unknown: unknown, credentials: credentials,
                      to: from, from: local)
        case .accepted(let a):
            // RFC 8445 §7.3.1.1: a lite agent is controlled and cannot take the controlling
            // role, so a peer that also claims to be controlled is told to switch.
            if a.controlled != nil {
                sendError(m.transactionID, code: .roleConflict, unknown: [], credentials: credentials,
                          to: from, from: local)
                return
            }
            if credentials == configuration.localCredentials { previousCredentials = nil }
            stats.requestsAccepted += 1
            guard let reply = ICEConnectivityCheck.success(transactionID: a.transactionID, mapped: from,
                                                           local: credentials) else {
                stats.messagesNotWritten += 1
                return
            }
            stats.successResponsesSent += 1
            queue.push(.transmit(ICETransmit(bytes: reply, to: from, from: local)))
            accepted(ICESelectedPair(local: local, remote: from), useCandidate: a.useCandidate, now: now)
        }
    }

    private mutating func accepted(_ pair: ICESelectedPair, useCandidate: Bool, now: Instant) {
        if !validatedPairs.contains(pair) { validatedPairs.append(pair) }
        if state == .failed { return }
        if state == .new { setState(.checking) }
        if useCandidate, selectedPair != pair {
            // RFC 8445 §7.3.1.5 / §8.1.1: the controlling agent nominated this pair; a newer
            // nomination replaces the older one.
            selectedPair = pair
            queue.push(.event(.selectedPairChanged(pair)))
        }
        if pair == selectedPair {
            lastConsent = now
            if state != .connected { setState(.connected) }
        }
    }

    private mutating func sendError(_ tid: STUNTransactionID, code: STUNErrorCode, unknown: [STUNAttributeType],
                                    credentials: ICECredentials, to: TransportAddress, from: TransportAddress) {
        switch code {
        case .badRequest: stats.badRequestsSent += 1
        case .unauthorized: stats.unauthorizedSent += 1
        case .unknownAttribute: stats.unknownAttributeSent += 1
        case .roleConflict: stats.roleConflictsSent += 1
        default: break
        }
        guard let reply = ICEConnectivityCheck.error(transactionID: tid, code: code, unknown: unknown,
                                                     local: credentials) else {
            stats.messagesNotWritten += 1
            return
        }
        queue.push(.transmit(ICETransmit(bytes: reply, to: to, from: from)))
    }

    // MARK: Timers

    private mutating func checkTimers(now: Instant) {
        switch state {
        case .new, .checking:
            if now >= startedAt + configuration.checkingTimeout { setState(.failed) }
        case .connected:
            if now >= lastConsent + configuration.failedAfter {
                setState(.failed)
            } else if now >= lastConsent + configuration.disconnectedAfter {
                setState(.disconnected)
            }
        case .disconnected:
            if now >= lastConsent + configuration.failedAfter { setState(.failed) }
        case .failed, .closed:
            break
        }
    }

    private mutating func setState(_ s: ICEConnectionState) {
        guard s != state else { return }
        state = s
        queue.push(.event(.stateChanged(s)))
    }
}
