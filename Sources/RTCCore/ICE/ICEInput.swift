/// What the caller feeds an ICE agent through `handle(_:now:)`.
public enum ICEInput {
    /// A STUN datagram (already demultiplexed, ``DemuxedKind/stun``) that arrived on the
    /// socket bound to `local` from `from`. The bytes are only read during the call.
    case datagram(UnsafeRawBufferPointer, from: TransportAddress, local: TransportAddress)
    /// The deadline from `nextTimeout()` has passed (or the caller polls time); all timers due
    /// at `now` fire.
    case timeout
}
