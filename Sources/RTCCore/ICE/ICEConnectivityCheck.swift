/// Building and validating the STUN Binding messages of ICE connectivity checks
/// (RFC 8445 §7.1, §7.3; RFC 8489 §6.3, §9.1.3). Shared by both agents.
enum ICEConnectivityCheck {
    /// Most attribute types a 420 reply lists in UNKNOWN-ATTRIBUTES. RFC 8489 §14.9 sets no
    /// limit, but a reply whose size follows attacker input must be bounded: an authenticated
    /// request can carry thousands of distinct unknown comprehension-required attributes, and
    /// the first 16 tell the peer what it needs to know.
    static let maximumUnknownAttributes = 16

    /// A Binding request (RFC 8445 §7.1): USERNAME "remoteUfrag:localUfrag", PRIORITY, the
    /// role attribute with the tie-breaker, optionally USE-CANDIDATE, MESSAGE-INTEGRITY with
    /// the remote password, FINGERPRINT.
    static func request(transactionID: STUNTransactionID, local: ICECredentials, remote: ICECredentials,
                        priority: UInt32, role: ICERole, tieBreaker: UInt64, useCandidate: Bool) -> [UInt8]? {
        let username = "\(remote.ufrag):\(local.ufrag)"
        let size = STUNMessage.headerSize + attributeSize(username.utf8.count) + attributeSize(4)
            + attributeSize(8) + (useCandidate ? attributeSize(0) : 0) + integrityAndFingerprintSize
        return build(.bindingRequest, transactionID, size: size) { w throws(WriteError) in
            try w.appendUsername(username)
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
                        local: ICECredentials) -> [UInt8]? {
        let size = STUNMessage.headerSize + attributeSize(STUNAddressAttribute.valueLength(mapped))
            + integrityAndFingerprintSize
        return build(.bindingSuccess, transactionID, size: size) { w throws(WriteError) in
            try w.appendXORMappedAddress(mapped)
            try w.appendMessageIntegrity(key: local.key)
            try w.appendFingerprint()
        }
    }

    /// An error response. RFC 8489 §9.1.3: 400 and 401 carry no MESSAGE-INTEGRITY (the
    /// request was not authenticated); others are protected with the local password.
    /// UNKNOWN-ATTRIBUTES lists at most ``maximumUnknownAttributes`` types.
    static func error(transactionID: STUNTransactionID, code: STUNErrorCode,
                      unknown: [STUNAttributeType], local: ICECredentials) -> [UInt8]? {
        let listed = unknown.prefix(maximumUnknownAttributes)
        let size = STUNMessage.headerSize + attributeSize(4 + code.defaultReason.description.utf8.count)
            + (listed.isEmpty ? 0 : attributeSize(2 * listed.count)) + integrityAndFingerprintSize
        return build(.bindingError, transactionID, size: size) { w throws(WriteError) in
            try w.appendErrorCode(code)
            if !listed.isEmpty { try w.appendUnknownAttributes(Array(listed)) }
            if code != .badRequest, code != .unauthorized { try w.appendMessageIntegrity(key: local.key) }
            try w.appendFingerprint()
        }
    }

    /// An attribute of `valueLength` bytes on the wire: type, length, value, padding.
    static func attributeSize(_ valueLength: Int) -> Int { 4 + STUNAttribute.paddedLength(valueLength) }

    /// MESSAGE-INTEGRITY (20-byte HMAC) and FINGERPRINT (4-byte CRC) with their headers; a
    /// message without MESSAGE-INTEGRITY is sized with it too (a few bytes spare, never short).
    static let integrityAndFingerprintSize = 4 + STUNMessageIntegrity.size + 8

    /// Writes a message into a buffer sized from what is written (`size`). Returns nil when it
    /// cannot be written — a value out of range, e.g. a USERNAME over 65,535 bytes from a
    /// peer's SDP — and the caller drops it and counts it: nothing here can trap.
    private static func build(_ type: STUNMessageType, _ tid: STUNTransactionID, size: Int,
                              _ body: (inout STUNMessageWriter) throws(WriteError) -> Void) -> [UInt8]? {
        try? STUNMessageWriter.message(type: type, transactionID: tid, capacity: size, body)
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
            // Bounded: the reply lists at most `maximumUnknownAttributes`, so the scan (and its
            // quadratic `contains`) stops there too.
            if !unknown.contains(a.type) { unknown.append(a.type) }
            if unknown.count == maximumUnknownAttributes { break }
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
