/// Rewrites the RTP sequence numbers (RFC 3550 §5.1) of one forwarded stream so that the
/// subscriber sees a single continuous sequence across source switches (a new publisher SSRC,
/// a simulcast layer switch, a publisher restart) and across packets the SFU decides not to
/// forward (the SeqManager idea of mediasoup's worker).
///
/// ```
///  publisher   L0: 41 42 43 |switch| L2: 9001 9002 9003 9004
///  dropped                                     ^ drop(9003): e.g. a filtered temporal layer
///  subscriber      100 101 102        103  104       105
/// ```
///
/// - ``sync(to:)`` before the first packet of a new source: that packet continues the output
///   (previous output + 1), and packets of the new source older than it are refused.
/// - ``drop(_:)`` for a packet that is not forwarded: no gap appears downstream.
/// - ``input(_:)`` for a packet that is forwarded: its output sequence number, or nil when it
///   must not be forwarded (dropped, before the sync point, or more than
///   ``reorderWindow`` behind the newest input).
///
/// Reordering within the window is preserved: a late packet gets the number it would have had
/// in order, drops between it and the newest packet included. A real loss upstream stays a gap
/// downstream (the subscriber's NACK for it is answered from the ``RTXPacketCache`` or not at
/// all). A packet dropped after a later one was already numbered leaves a gap (``drop(_:)``
/// returns false). Sans-IO, O(1) per packet (a reordered packet costs at most 17 word
/// popcounts), no heap: the state is ~170 bytes inline.
public struct SequenceRewriter: Sendable {
    private var core: SerialNumberRewriter

    /// How far (in input sequence numbers) a reordered packet may trail the newest one.
    public static let reorderWindow = Int(SerialNumberRewriter.reorderWindow)

    /// - Parameter initialOutput: the first output sequence number (RFC 3550 §5.1 says it
    ///   should be random; the caller draws it).
    public init(initialOutput: SequenceNumber = SequenceNumber(0)) {
        core = SerialNumberRewriter(bits: 16, initialOutput: initialOutput.rawValue)
    }

    /// The output sequence number the next new packet will get.
    public var nextOutput: SequenceNumber { SequenceNumber(core.nextOutput) }

    /// Whether any packet has been seen (or a sync done).
    public var isStarted: Bool { core.started }

    /// Starts a new source whose first forwarded packet is `first` (usually the first packet of
    /// the keyframe that allowed the switch). Without a sync, the first ``input(_:)`` or
    /// ``drop(_:)`` ever syncs implicitly.
    public mutating func sync(to first: SequenceNumber) {
        core.sync(to: first.rawValue)
    }

    /// The output sequence number for a forwarded packet, or nil when it must not be
    /// forwarded. A duplicate gets the same number as the original.
    public mutating func input(_ seq: SequenceNumber) -> SequenceNumber? {
        guard let v = core.input(seq.rawValue) else { return nil }
        return SequenceNumber(v)
    }

    /// Marks `seq` as not forwarded. Returns true when this leaves no gap downstream; false
    /// when `seq` is at or behind the newest input and was not dropped before (its output
    /// number is already placed between forwarded packets).
    @discardableResult
    public mutating func drop(_ seq: SequenceNumber) -> Bool {
        core.drop(seq.rawValue)
    }
}
