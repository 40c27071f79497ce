/// Building and validating the STUN Binding messages of ICE connectivity checks
/// (RFC 8445 §7.1, §7.3; RFC 8489 §6.3, §9.1.3). Shared by both agents.
enum ICEConnectivityCheck {
    /// A Binding request (RFC 8445 §7.1): USERNAME "remoteUfrag:localUfrag", PRIORITY, the
    /// role attribute with the tie-breaker, optionally USE-CANDIDATE, MESSAGE-INTEGRITY with
    /// the remote password, FINGERPRINT.
    static func request(transactionID: STUNTransactionID, local: ICECredentials, remote: ICECredentials,
                        priority: UInt32, role: ICERole, tieBreaker: UInt64, useCandidate: Bool) -> [UInt8] {
        build(.bindingRequest, transactionID) { w throws(WriteError) in
            try w.appendUsername("\(remote.ufrag):\(local.ufrag)")
            try w.appendPriority(priority)
            switch role {
            case .controlling: try w.appendICEControlling(tieBreaker)
            case .controlled: try w.appendICEControlled(tieBreaker)
            }
            if useCandidate { try w.appendUseCandidate() }
            try w.appendMessageIntegrity(key: remote.key)
            try w.appendFingerprint()
        }
    }

    /// A success response (RFC 8445 §7.3.1.2): XOR-MAPPED-ADDRESS = the request's source,
    /// MESSAGE-INTEGRITY with the local password, FINGERPRINT.
    static func success(transactionID: STUNTransactionID, mapped: TransportAddress,
                        local: ICECredentials) -> [UInt8] {
        build(.bindingSuccess, transactionID) { w throws(WriteError) in
            try w.appendXORMappedAddress(mapped)
            try w.appendMessageIntegrity(key: local.key)
            try w.appendFingerprint()
        }
    }

    /// An error response. RFC 8489 §9.1.3: 400 and 401 carry no MESSAGE-INTEGRITY (the
    /// request was not authenticated); others are protected with the local password.
    static func error(transactionID: STUNTransactionID, code: STUNErrorCode,
                      unknown: [STUNAttributeType], local: ICECredentials) -> [UInt8] {
        build(.bindingError, transactionID) { w throws(WriteError) in
            try w.appendErrorCode(code)
            if !unknown.isEmpty { try w.appendUnknownAttributes(unknown) }
            if code != .badRequest, code != .unauthorized { try w.appendMessageIntegrity(key: local.key) }
            try w.appendFingerprint()
        }
    }

    private static func build(_ type: STUNMessageType, _ tid: STUNTransactionID,
                              _ body: (inout STUNMessageWriter) throws(WriteError) -> Void) -> [UInt8] {
        do {
            return try STUNMessageWriter.message(type: type, transactionID: tid, capacity: 256, body)
        } catch {
            // Internal invariant: ICE messages are at most ~200 bytes (ufrags are limited to 256
            // ice-chars by `ICECredentials.isValid`, checked when credentials are set).
            preconditionFailure("ICE STUN message does not fit: \(error)")
        }
    }

    /// A request that passed the checks of RFC 8445 §7.3 and RFC 8489 §9.1.3.
    struct Accepted {
        var transactionID: STUNTransactionID
        var priority: UInt32
        var useCandidate: Bool
        var controlling: UInt64?
        var controlled: UInt64?
    }

    enum Verdict {
        case accepted(Accepted)
        /// Answer with this error (and UNKNOWN-ATTRIBUTES for 420).
        case reject(STUNErrorCode, unknown: [STUNAttributeType])
    }

    /// Validates a parsed Binding request against the local credentials, in RFC 8489 §6.3
    /// order: authentication (§9.1.3) first, then unknown comprehension-required attributes,
    /// then the ICE attributes (RFC 8445 §7.3).
    static func validate(_ m: STUNMessage, local: ICECredentials) -> Verdict {
        guard m.hasMessageIntegrity, let username = try? m.username() else {
            return .reject(.badRequest, unknown: [])
        }
        guard usernameMatches(username, localUfrag: local.ufrag) else {
            return .reject(.unauthorized, unknown: [])
        }
        guard (try? m.verifyMessageIntegrity(key: local.key)) != nil else {
            return .reject(.unauthorized, unknown: [])
        }
        var unknown: [STUNAttributeType] = []
        for a in m.attributes where a.type.isComprehensionRequired && !a.type.isUnderstood {
            if let i = m.integrityOffset, a.offset > i { break }
            if !unknown.contains(a.type) { unknown.append(a.type) }
        }
        if !unknown.isEmpty { return .reject(.unknownAttribute, unknown: unknown) }
        do {
            guard let priority = try m.priority() else { return .reject(.badRequest, unknown: []) }
            return .accepted(Accepted(transactionID: m.transactionID, priority: priority,
                                      useCandidate: m.hasUseCandidate,
                                      controlling: try m.iceControlling(),
                                      controlled: try m.iceControlled()))
        } catch {
            return .reject(.badRequest, unknown: [])
        }
    }

    /// USERNAME is "localUfrag:remoteUfrag" (RFC 8445 §7.2.2); only the local part is ours to
    /// check (the remote one may change with a restart before the answer arrives).
    static func usernameMatches(_ username: UnsafeRawBufferPointer, localUfrag: String) -> Bool {
        let u = localUfrag.utf8
        guard username.count > u.count else { return false }
        var i = 0
        for c in u {
            guard username[i] == c else { return false }
            i += 1
        }
        return username[i] == 0x3A
    }
}
