/// What ``SVCLayerFilter`` decided for one packet.
public struct SVCFilterDecision: Sendable, Hashable {
    /// Forward the packet (else drop it, and tell the sequence rewriter).
    public var forward: Bool
    /// The RTP marker bit the forwarded copy must carry: set on the last packet of the highest
    /// layer frame forwarded of each picture (RFC 9628 §4.1, AV1 RTP §7.2), which is not the
    /// publisher's last packet when upper spatial layers are dropped.
    public var marker: Bool
    /// The packet starts forwarding new layers (an up or down switch happened on it).
    public var switched: Bool
    /// Set when `forward` is false.
    public var dropReason: SVCDropReason?

    @inlinable
    public init(forward: Bool, marker: Bool, switched: Bool, dropReason: SVCDropReason?) {
        self.forward = forward
        self.marker = marker
        self.switched = switched
        self.dropReason = dropReason
    }

    @inlinable
    public static func drop(_ reason: SVCDropReason) -> SVCFilterDecision {
        SVCFilterDecision(forward: false, marker: false, switched: false, dropReason: reason)
    }

    @inlinable
    public static func forward(marker: Bool, switched: Bool) -> SVCFilterDecision {
        SVCFilterDecision(forward: true, marker: marker, switched: switched, dropReason: nil)
    }
}
