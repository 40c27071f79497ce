/// A full ICE agent (RFC 8445), normally in the controlling role: the client side of a
/// transport, e.g. a bot or a test peer connecting to an ICE-lite server, or a server dialling
/// out to a full peer.
///
/// - Local candidates: host candidates for the caller's socket addresses (IPv4 and IPv6, each
///   optionally announced under a 1:1-NAT address), see ``ICEHostAddress``.
/// - Remote candidates: from SDP or trickle (``addRemoteCandidate(_:now:)``), plus
///   peer-reflexive ones learned from incoming checks (RFC 8445 §7.3.1.3).
/// - Checklist: pairs of the same address family, ordered by pair priority (§6.1.2.3), with
///   foundation-based freezing (§6.1.2.6); checks paced every Ta (§14.2) with triggered checks
///   first (§7.3.1.4) and STUN retransmission with a doubling RTO (RFC 8489 §6.2.1).
/// - Nomination: **regular** (§8.1.1). Aggressive nomination was removed in RFC 8445. Once a
///   pair has succeeded, the agent waits until no higher-priority pair is still pending (or
///   ``Configuration/nominationDelay`` has passed) and repeats the check on the best valid pair
///   with USE-CANDIDATE; its success selects the pair.
/// - Role conflicts: 487 and the tie-breaker (§7.3.1.1 when receiving, §7.2.5.1 on a 487).
/// - Consent freshness (RFC 7675): a Binding request on the selected pair every
///   ~``Configuration/consentInterval`` (jittered ±20%); no response for
///   ``Configuration/disconnectedAfter`` gives `disconnected`, for
///   ``Configuration/failedAfter`` `failed`.
///
/// Sans-IO: ``handle(_:now:)``, ``pollOutput()``, ``nextTimeout()``; API calls take `now` too.
public struct ICEAgent: Sendable {
    public struct Configuration: Sendable {
        public var localCredentials: ICECredentials
        public var hostAddresses: [ICEHostAddress]
        /// Initial role; a role conflict may change it.
        public var role: ICERole = .controlling
        /// Seeds transaction IDs, the tie-breaker and consent jitter. Use a value from a
        /// secure random source outside tests (RFC 8489 §6 asks for unpredictable IDs).
        public var seed: UInt64
        /// The tie-breaker (RFC 8445 §7.1.3); drawn from `seed` when nil.
        public var tieBreaker: UInt64?
        /// Pacing interval between new checks (RFC 8445 §14.2).
        public var ta: Duration = .milliseconds(50)
        /// First retransmission timeout (RFC 8445 §14.3: at least 500 ms by default).
        public var initialRTO: Duration = .milliseconds(500)
        /// Cap on the doubled RTO.
        public var maxRTO: Duration = .seconds(3)
        /// Transmissions of one request before it times out (RFC 8489 Rc = 7).
        public var maxTransmissions: Int = 7
        /// Longest wait after the first valid pair before nominating the best valid pair.
        public var nominationDelay: Duration = .milliseconds(500)
        /// Interval of consent checks on the selected pair (RFC 7675: 5 s, randomized).
        public var consentInterval: Duration = .seconds(5)
        /// When a consent check gets no response within this interval, the next one is sent
        /// after it instead of a whole ``consentInterval`` (so that a lossy path is not
        /// declared disconnected after two lost checks).
        public var consentRetryInterval: Duration = .seconds(1)
        /// No consent response for this long: `disconnected`.
        public var disconnectedAfter: Duration = .seconds(10)
        /// No consent response for this long: `failed` (RFC 7675 §5.1: 30 s).
        public var failedAfter: Duration = .seconds(30)
        /// No pair selected this long after checking started: `failed`.
        public var checkingTimeout: Duration = .seconds(30)
        /// Checklist size limit (RFC 8445 §6.1.2.5 suggests 100).
        public var maxPairs: Int = 100

        public init(localCredentials: ICECredentials, hostAddresses: [ICEHostAddress],
                    role: ICERole = .controlling, seed: UInt64) {
            self.localCredentials = localCredentials
            self.hostAddresses = hostAddresses
            self.role = role
            self.seed = seed
        }
    }

    struct TriggeredCheck: Sendable {
        var pairID: Int
        var nominate: Bool
    }

    public private(set) var configuration: Configuration
    public private(set) var role: ICERole
    public let tieBreaker: UInt64
    public private(set) var state: ICEConnectionState = .new
    public private(set) var selectedPair: ICESelectedPair?
    public private(set) var stats = ICEStats()
    /// The credentials in use (they change when a restart takes effect).
    public var localCredentials: ICECredentials { configuration.localCredentials }
    public private(set) var remoteCredentials: ICECredentials?
    /// Host candidates to signal (SDP or trickle).
    public let localCandidates: [ICECandidate]
    public private(set) var remoteCandidates: [ICECandidate] = []
    /// The checklist, highest pair priority first.
    public private(set) var pairs: [ICECandidatePair] = []

    private let localBases: [TransportAddress]
    private var remoteAddresses: [TransportAddress] = []
    /// New local credentials from ``restart(localCredentials:now:)``, applied with the peer's
    /// new credentials.
    private var pendingLocalCredentials: ICECredentials?
    /// Credentials before the last restart, still accepted on incoming checks.
    private var previousLocalCredentials: ICECredentials?
    private var triggered: [TriggeredCheck] = []
    private var transactions: [ICECheckTransaction] = []
    private var nextPairID = 0
    private var peerReflexiveCount = 0
    private var lastCheckSentAt: Instant?
    private var checkingStartedAt: Instant?
    private var firstSuccessAt: Instant?
    private var nominationDone = false
    private var nominatingPairID: Int?
    private var lastConsent: Instant
    private var nextConsentCheck: Instant?
    /// When the last consent check was sent, while it is unanswered.
    private var consentCheckOutstandingSince: Instant?
    private var remoteCandidatesComplete = false
    private var rng: SeededRandom
    private var queue = OutputQueue<ICEOutput>()

    public init(configuration: Configuration, now: Instant) {
        self.configuration = configuration
        self.role = configuration.role
        var rng = SeededRandom(seed: configuration.seed)
        self.tieBreaker = configuration.tieBreaker ?? rng.next()
        self.rng = rng
        self.localCandidates = ICEHostAddress.hostCandidates(configuration.hostAddresses)
        self.localBases = configuration.hostAddresses.map(\.base)
        self.lastConsent = now
    }

    // MARK: Sans-IO verbs

    public mutating func handle(_ input: ICEInput, now: Instant) {
        guard state != .closed else { return }
        switch input {
        case .datagram(let bytes, let from, let local):
            receive(bytes, from: from, local: local, now: now)
        case .timeout:
            break
        }
        process(now: now)
    }

    public mutating func pollOutput() -> ICEOutput? { queue.pop() }

    public func nextTimeout() -> (Instant, ICETimeoutReason)? {
        guard state != .closed else { return nil }
        var best: (Instant, ICETimeoutReason)?
        func consider(_ t: Instant, _ r: ICETimeoutReason) {
            if let b = best, b.0 <= t { return }
            best = (t, r)
        }
        for t in transactions { consider(t.deadline, .retransmit) }
        guard state != .failed else { return best }
        if nextCheck() != nil, let last = lastCheckSentAt { consider(last + configuration.ta, .pacing) }
        if let f = firstSuccessAt, nominationPending { consider(f + configuration.nominationDelay, .nomination) }
        if selectedPair != nil {
            if let n = nextConsentCheck { consider(n, .consentCheck) }
            if state == .connected {
                consider(lastConsent + min(configuration.disconnectedAfter, configuration.failedAfter), .consentExpiry)
            } else if state == .disconnected {
                consider(lastConsent + configuration.failedAfter, .consentExpiry)
            }
        } else if let s = checkingStartedAt {
            consider(s + configuration.checkingTimeout, .checkingTimeout)
        }
        return best
    }

    // MARK: API calls

    /// The peer's ufrag and password (from its SDP). New credentials while checks are under
    /// way mean an ICE restart (RFC 8445 §9): the checklist starts over, and the selected pair
    /// keeps carrying media until a new one is selected. Call ``restart(localCredentials:now:)``
    /// first when this side restarts too.
    public mutating func setRemoteCredentials(_ credentials: ICECredentials, now: Instant) {
        guard state != .closed else { return }
        if let pending = pendingLocalCredentials {
            previousLocalCredentials = localCredentials
            configuration.localCredentials = pending
            pendingLocalCredentials = nil
            resetChecklist(now: now)
        } else if let old = remoteCredentials, old != credentials {
            resetChecklist(now: now)
        }
        remoteCredentials = credentials
        process(now: now)
    }

    /// Adds a remote candidate (SDP or trickle). Candidates that are not UDP, not component 1,
    /// or whose address is not an IP literal (mDNS names) are ignored.
    public mutating func addRemoteCandidate(_ candidate: ICECandidate, now: Instant) {
        guard state != .closed, candidate.isUDP, candidate.component == 1,
              let address = candidate.address else { return }
        if let i = remoteAddresses.firstIndex(of: address) {
            // Already known, e.g. learned as peer-reflexive: keep the signalled description.
            remoteCandidates[i] = candidate
            return
        }
        remoteCandidates.append(candidate)
        remoteAddresses.append(address)
        let ri = remoteCandidates.count - 1
        for li in localCandidates.indices where localBases[li].isIPv6 == address.isIPv6 {
            addPair(localIndex: li, remoteIndex: ri)
        }
        process(now: now)
    }

    /// The peer has signalled all its candidates (end-of-candidates): when every pair has
    /// failed the agent fails without waiting for the checking timeout.
    public mutating func endOfRemoteCandidates(now: Instant) {
        remoteCandidatesComplete = true
        process(now: now)
    }

    /// Starts an ICE restart (RFC 8445 §9) with new local credentials (put them in the new
    /// offer). They take effect when the peer's new credentials arrive through
    /// ``setRemoteCredentials(_:now:)``; until then consent checks continue with the old ones.
    public mutating func restart(localCredentials: ICECredentials, now: Instant) {
        guard state != .closed else { return }
        pendingLocalCredentials = localCredentials
        process(now: now)
    }

    /// Stops the agent: no more outputs or timeouts.
    public mutating func close(now: Instant) {
        guard state != .closed else { return }
        transactions.removeAll()
        triggered.removeAll()
        setState(.closed)
    }

    // MARK: Checklist

    private mutating func resetChecklist(now: Instant) {
        remoteCandidates.removeAll()
        remoteAddresses.removeAll()
        pairs.removeAll()
        triggered.removeAll()
        transactions.removeAll()
        nominationDone = false
        nominatingPairID = nil
        firstSuccessAt = nil
        remoteCandidatesComplete = false
        consentCheckOutstandingSince = nil
        if state == .failed {
            selectedPair = nil
            nextConsentCheck = nil
        }
        if selectedPair == nil {
            checkingStartedAt = now
            setState(.checking)
        }
    }

    private func pairIndex(_ id: Int) -> Int? { pairs.firstIndex { $0.id == id } }

    @discardableResult
    private mutating func addPair(localIndex li: Int, remoteIndex ri: Int) -> Int? {
        let local = localBases[li], remote = remoteAddresses[ri]
        if let existing = pairs.first(where: { $0.local == local && $0.remote == remote }) { return existing.id }
        let foundation = localCandidates[li].foundation + ":" + remoteCandidates[ri].foundation
        // RFC 8445 §6.1.2.6: one pair per foundation starts Waiting, the others Frozen until
        // a pair of their foundation succeeds (§7.2.5.3.3).
        let busy = pairs.contains { $0.foundation == foundation && $0.state != .failed && $0.state != .succeeded }
        let succeeded = pairs.contains { $0.foundation == foundation && $0.state == .succeeded }
        let pair = ICECandidatePair(
            id: nextPairID, localIndex: li, remoteIndex: ri, local: local, remote: remote,
            localPriority: localCandidates[li].priority, remotePriority: remoteCandidates[ri].priority,
            foundation: foundation, role: role, state: busy && !succeeded ? .frozen : .waiting)
        nextPairID += 1
        let at = pairs.firstIndex { $0.priority < pair.priority } ?? pairs.count
        pairs.insert(pair, at: at)
        if pairs.count > configuration.maxPairs,
           let drop = pairs.lastIndex(where: { $0.state == .frozen || $0.state == .waiting || $0.state == .failed }) {
            let dropped = pairs.remove(at: drop)
            if dropped.id == pair.id { return nil }
        }
        return pair.id
    }

    private mutating func sortPairs() {
        pairs.sort { $0.priority != $1.priority ? $0.priority > $1.priority : $0.id < $1.id }
    }

    /// The next check the pacer would send: a triggered check, else (before nomination) the
    /// best Waiting pair, else the best Frozen pair whose foundation is idle (§6.1.4.2).
    /// `triggeredIndex` is the position of the chosen entry in the triggered queue (entries
    /// before it are stale: their pair is gone or no longer Waiting); nil when the check is an
    /// ordinary one, and then every queued entry is stale.
    private func nextCheck() -> (index: Int, kind: ICECheckTransaction.Kind, triggeredIndex: Int?)? {
        guard remoteCredentials != nil else { return nil }
        for (n, t) in triggered.enumerated() {
            guard let i = pairIndex(t.pairID) else { continue }
            if t.nominate { return (i, .nomination, n) }
            if pairs[i].state == .waiting { return (i, .check, n) }
        }
        if nominationDone { return nil }
        if let i = pairs.firstIndex(where: { $0.state == .waiting }) { return (i, .check, nil) }
        for (i, p) in pairs.enumerated() where p.state == .frozen {
            let busy = pairs.contains { $0.foundation == p.foundation && ($0.state == .waiting || $0.state == .inProgress) }
            if !busy { return (i, .check, nil) }
        }
        return nil
    }

    private var nominationPending: Bool {
        role == .controlling && !nominationDone && nominatingPairID == nil
            && pairs.contains { $0.state == .succeeded }
    }

    // MARK: Timers

    private mutating func process(now: Instant) {
        guard state != .closed, state != .failed else { return }
        runTransactionTimers(now: now)
        runConsent(now: now)
        guard state != .failed else { return }
        if selectedPair == nil, let s = checkingStartedAt, now >= s + configuration.checkingTimeout {
            fail()
            return
        }
        runNomination(now: now)
        sendPacedCheck(now: now)
        if selectedPair == nil, remoteCandidatesComplete, !pairs.isEmpty, triggered.isEmpty,
           pairs.allSatisfy({ $0.state == .failed }) {
            fail()
        }
    }

    private mutating func fail() {
        transactions.removeAll()
        triggered.removeAll()
        nextConsentCheck = nil
        setState(.failed)
    }

    private mutating func runTransactionTimers(now: Instant) {
        var i = 0
        while i < transactions.count {
            var t = transactions[i]
            guard t.deadline <= now else {
                i += 1
                continue
            }
            if t.kind == .consent {
                // Consent checks are not retransmitted; a late response no longer counts.
                transactions.remove(at: i)
                continue
            }
            if t.transmissions < configuration.maxTransmissions {
                t.transmissions += 1
                t.rto = min(t.rto * 2, configuration.maxRTO)
                t.deadline = now + t.rto
                transactions[i] = t
                stats.retransmissions += 1
                queue.push(.transmit(ICETransmit(bytes: t.bytes, to: t.remote, from: t.local)))
                i += 1
            } else {
                transactions.remove(at: i)
                stats.transactionTimeouts += 1
                pairFailed(t.pairID)
            }
        }
    }

    private mutating func pairFailed(_ id: Int) {
        if nominatingPairID == id { nominatingPairID = nil }
        if let i = pairIndex(id) { pairs[i].state = .failed }
    }

    private mutating func runConsent(now: Instant) {
        guard let selected = selectedPair else { return }
        switch state {
        case .connected:
            if now >= lastConsent + configuration.failedAfter {
                fail()
                return
            }
            if now >= lastConsent + configuration.disconnectedAfter { setState(.disconnected) }
        case .disconnected:
            if now >= lastConsent + configuration.failedAfter {
                fail()
                return
            }
        default:
            break
        }
        guard let due = nextConsentCheck, now >= due, let remote = remoteCredentials else { return }
        // Until a response arrives, retry sooner; a response reschedules from the send time.
        nextConsentCheck = now + min(configuration.consentRetryInterval, configuration.consentInterval)
        consentCheckOutstandingSince = now
        let tid = STUNTransactionID(using: &rng)
        let li = localBases.firstIndex(of: selected.local)
        let priority = li.map { peerReflexivePriority(localCandidates[$0].priority) }
            ?? ICEPriority.candidate(type: .peerReflexive, localPreference: 65535)
        guard let bytes = ICEConnectivityCheck.request(
            transactionID: tid, local: localCredentials, remote: remote, priority: priority, role: role,
            tieBreaker: tieBreaker, useCandidate: false) else {
            stats.messagesNotWritten += 1
            return
        }
        transactions.append(ICECheckTransaction(
            id: tid, pairID: -1, kind: .consent, bytes: bytes, local: selected.local, remote: selected.remote,
            remoteKey: Array(remote.pwd.utf8), role: role, transmissions: 1,
            rto: configuration.consentInterval, deadline: now + configuration.consentInterval))
        stats.consentChecksSent += 1
        queue.push(.transmit(ICETransmit(bytes: bytes, to: selected.remote, from: selected.local)))
    }

    private mutating func jitteredConsentInterval() -> Duration {
        // RFC 7675 §5.1: uniformly random in [0.8, 1.2] × the interval.
        let base = configuration.consentInterval.rtcNanoseconds
        let span = base / 5
        let offset = span > 0 ? Int64(rng.next() % UInt64(2 * span + 1)) - span : 0
        return .nanoseconds(base + offset)
    }

    private mutating func runNomination(now: Instant) {
        guard nominationPending, let f = firstSuccessAt,
              let best = pairs.firstIndex(where: { $0.state == .succeeded }) else { return }
        let bestPriority = pairs[best].priority
        let betterPending = pairs.contains {
            $0.priority > bestPriority && ($0.state == .waiting || $0.state == .inProgress || $0.state == .frozen)
        }
        guard !betterPending || now >= f + configuration.nominationDelay else { return }
        nominatingPairID = pairs[best].id
        triggered.insert(TriggeredCheck(pairID: pairs[best].id, nominate: true), at: 0)
    }

    private mutating func sendPacedCheck(now: Instant) {
        if let last = lastCheckSentAt, now < last + configuration.ta { return }
        guard let next = nextCheck(), let remote = remoteCredentials else { return }
        if let n = next.triggeredIndex {
            triggered.removeFirst(n + 1)
        } else {
            triggered.removeAll()
        }
        sendCheck(pairIndex: next.index, kind: next.kind, remote: remote, now: now)
    }

    private func peerReflexivePriority(_ localPriority: UInt32) -> UInt32 {
        // RFC 8445 §7.1.1: the priority of a peer-reflexive candidate with this base.
        ICECandidateType.peerReflexive.typePreference << 24 | (localPriority & 0x00FF_FFFF)
    }

    private mutating func sendCheck(pairIndex i: Int, kind: ICECheckTransaction.Kind,
                                    remote: ICECredentials, now: Instant) {
        let pair = pairs[i]
        if kind == .check { pairs[i].state = .inProgress }
        let tid = STUNTransactionID(using: &rng)
        guard let bytes = ICEConnectivityCheck.request(
            transactionID: tid, local: localCredentials, remote: remote,
            priority: peerReflexivePriority(pair.localPriority), role: role, tieBreaker: tieBreaker,
            useCandidate: kind == .nomination) else {
            // The peer's ufrag makes a USERNAME that cannot be written: this pair cannot work.
            stats.messagesNotWritten += 1
            pairs[i].state = .failed
            return
        }
        transactions.append(ICECheckTransaction(
            id: tid, pairID: pair.id, kind: kind, bytes: bytes, local: pair.local, remote: pair.remote,
            remoteKey: Array(remote.pwd.utf8), role: role, transmissions: 1,
            rto: configuration.initialRTO, deadline: now + configuration.initialRTO))
        stats.requestsSent += 1
        lastCheckSentAt = now
        startChecking(now: now)
        queue.push(.transmit(ICETransmit(bytes: bytes, to: pair.remote, from: pair.local)))
    }

    private mutating func startChecking(now: Instant) {
        if checkingStartedAt == nil { checkingStartedAt = now }
        if state == .new { setState(.checking) }
    }

    // MARK: Receiving

    private mutating func receive(_ bytes: UnsafeRawBufferPointer, from: TransportAddress,
                                  local: TransportAddress, now: Instant) {
        guard let m = ICEBindingFilter.binding(bytes, stats: &stats) else { return }
        switch m.messageClass {
        case .request: handleRequest(m, from: from, local: local, now: now)
        case .indication: stats.indicationsReceived += 1
        case .successResponse, .errorResponse: handleResponse(m, from: from, local: local, now: now)
        }
    }

    private mutating func handleRequest(_ m: STUNMessage, from: TransportAddress,
                                        local: TransportAddress, now: Instant) {
        stats.requestsReceived += 1
        var credentials = localCredentials
        var verdict = ICEConnectivityCheck.validate(m, local: credentials)
        if case .reject(.unauthorized, _) = verdict {
            // During a restart the peer may use either side of it.
            for alt in [pendingLocalCredentials, previousLocalCredentials].compactMap({ $0 }) {
                let v = ICEConnectivityCheck.validate(m, local: alt)
                if case .reject(.unauthorized, _) = v { continue }
                credentials = alt
                verdict = v
                break
            }
        }
        let a: ICEConnectivityCheck.Accepted
        switch verdict {
        case .reject(let code, let unknown):
            sendError(m.transactionID, code: code, unknown: unknown, credentials: credentials, to: from, from: local)
            return
        case .accepted(let accepted):
            a = accepted
        }
        // RFC 8445 §7.3.1.1: role conflict.
        if role == .controlling, let theirs = a.controlling {
            if tieBreaker >= theirs {
                sendError(a.transactionID, code: .roleConflict, unknown: [], credentials: credentials, to: from, from: local)
                return
            }
            switchRole(to: .controlled)
        } else if role == .controlled, let theirs = a.controlled {
            if tieBreaker >= theirs {
                switchRole(to: .controlling)
            } else {
                sendError(a.transactionID, code: .roleConflict, unknown: [], credentials: credentials, to: from, from: local)
                return
            }
        }
        stats.requestsAccepted += 1
        if let reply = ICEConnectivityCheck.success(transactionID: a.transactionID, mapped: from, local: credentials) {
            stats.successResponsesSent += 1
            queue.push(.transmit(ICETransmit(bytes: reply, to: from, from: local)))
        } else {
            stats.messagesNotWritten += 1
        }
        if credentials == localCredentials { previousLocalCredentials = nil }
        startChecking(now: now)
        guard state != .failed, let li = localBases.firstIndex(of: local) else { return }
        // RFC 8445 §7.3.1.3: an unknown source is a peer-reflexive remote candidate.
        let ri: Int
        if let known = remoteAddresses.firstIndex(of: from) {
            ri = known
        } else {
            peerReflexiveCount += 1
            remoteCandidates.append(ICECandidate(foundation: "prflx\(peerReflexiveCount)", priority: a.priority,
                                                 address: from, type: .peerReflexive))
            remoteAddresses.append(from)
            ri = remoteCandidates.count - 1
        }
        guard let id = addPair(localIndex: li, remoteIndex: ri), let pi = pairIndex(id) else { return }
        // RFC 8445 §7.3.1.4 triggered checks, §7.3.1.5 nomination by the controlling peer.
        let nominatedByPeer = a.useCandidate && role == .controlled
        switch pairs[pi].state {
        case .succeeded:
            if nominatedByPeer { select(pairIndex: pi, now: now) }
        case .inProgress:
            if nominatedByPeer { pairs[pi].nominateOnSuccess = true }
        case .waiting, .frozen, .failed:
            pairs[pi].state = .waiting
            if nominatedByPeer { pairs[pi].nominateOnSuccess = true }
            if !triggered.contains(where: { $0.pairID == id && !$0.nominate }) {
                triggered.append(TriggeredCheck(pairID: id, nominate: false))
            }
        }
    }

    private mutating func handleResponse(_ m: STUNMessage, from: TransportAddress,
                                         local: TransportAddress, now: Instant) {
        guard let ti = transactions.firstIndex(where: { $0.id == m.transactionID }) else {
            stats.responsesDropped += 1
            return
        }
        let t = transactions[ti]
        let isError = m.messageClass == .errorResponse
        let errorCode = isError ? (try? m.errorCode())?.code : nil
        if m.hasMessageIntegrity {
            guard (try? m.verifyMessageIntegrity(key: t.remoteKey)) != nil else {
                stats.responsesDropped += 1
                return
            }
        } else if !(errorCode == .badRequest || errorCode == .unauthorized) {
            // Only 400 and 401 may come without MESSAGE-INTEGRITY (RFC 8489 §9.1.3).
            stats.responsesDropped += 1
            return
        }
        transactions.remove(at: ti)
        // RFC 8445 §7.2.5.2.1: the response must come back on the same 5-tuple.
        guard from == t.remote, local == t.local else {
            stats.responsesDropped += 1
            if t.kind != .consent { pairFailed(t.pairID) }
            return
        }
        stats.responsesReceived += 1
        if isError {
            if errorCode == .roleConflict, t.kind != .consent {
                // RFC 8445 §7.2.5.1: switch to the role opposite to the one the request
                // claimed (unless already done) and check the pair again.
                if role == t.role { switchRole(to: t.role.opposite) }
                if t.kind == .nomination { nominatingPairID = nil }
                if let i = pairIndex(t.pairID) {
                    pairs[i].state = .waiting
                    triggered.append(TriggeredCheck(pairID: t.pairID, nominate: false))
                }
            } else if t.kind != .consent {
                pairFailed(t.pairID)
            }
            return
        }
        // Success.
        if selectedPair == ICESelectedPair(local: t.local, remote: t.remote) {
            lastConsent = now
            if let sent = consentCheckOutstandingSince {
                consentCheckOutstandingSince = nil
                nextConsentCheck = sent + jitteredConsentInterval()
            }
            if state == .disconnected { setState(.connected) }
        }
        guard t.kind != .consent, let i = pairIndex(t.pairID) else { return }
        pairs[i].state = .succeeded
        if firstSuccessAt == nil { firstSuccessAt = now }
        // RFC 8445 §7.2.5.3.3: unfreeze the pairs of the same foundation.
        let foundation = pairs[i].foundation
        for j in pairs.indices where pairs[j].state == .frozen && pairs[j].foundation == foundation {
            pairs[j].state = .waiting
        }
        if t.kind == .nomination || (role == .controlled && pairs[i].nominateOnSuccess) {
            select(pairIndex: i, now: now)
        }
    }

    private mutating func select(pairIndex i: Int, now: Instant) {
        pairs[i].nominated = true
        nominationDone = true
        nominatingPairID = nil
        let p = pairs[i].addresses
        if selectedPair != p {
            selectedPair = p
            queue.push(.event(.selectedPairChanged(p)))
        }
        lastConsent = now
        nextConsentCheck = now + jitteredConsentInterval()
        consentCheckOutstandingSince = nil
        setState(.connected)
    }

    private mutating func switchRole(to newRole: ICERole) {
        guard newRole != role else { return }
        role = newRole
        stats.roleSwitches += 1
        for i in pairs.indices { pairs[i].updatePriority(role: newRole) }
        sortPairs()
        if newRole == .controlled {
            nominatingPairID = nil
            triggered.removeAll { $0.nominate }
        }
        queue.push(.event(.roleChanged(newRole)))
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

    private mutating func setState(_ s: ICEConnectionState) {
        guard s != state else { return }
        state = s
        queue.push(.event(.stateChanged(s)))
    }
}
