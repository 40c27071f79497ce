/// ICE views of a STUN message, for routing a check to the agent it is meant for before the
/// peer's address is known (one UDP port serves every peer).
extension STUNMessage {
    /// The receiver's ufrag: the part of USERNAME before the first ':' (RFC 8445 §7.2.2,
    /// USERNAME = "receiverUfrag:senderUfrag"). Nil when there is no USERNAME or no ':'.
    /// Borrowed from the message bytes; not authenticated yet.
    public var iceReceiverUfrag: UnsafeRawBufferPointer? {
        guard let u = try? username(), let colon = u.firstIndex(of: 0x3A) else { return nil }
        return UnsafeRawBufferPointer(rebasing: u[0..<colon])
    }

    /// The sender's ufrag: the part of USERNAME after the first ':'.
    public var iceSenderUfrag: UnsafeRawBufferPointer? {
        guard let u = try? username(), let colon = u.firstIndex(of: 0x3A) else { return nil }
        return UnsafeRawBufferPointer(rebasing: u[(colon + 1)...])
    }
}
