/// One missing packet tracked by a ``NackGenerator``.
struct NackLossEntry: Sendable, Hashable {
    /// Extended sequence number (``SequenceUnwrapper``).
    var sequence: UInt64
    /// NACKs sent for it so far.
    var retries: Int
    /// When its next NACK is due.
    var due: Instant
    /// When the gap was first seen.
    var since: Instant
}
