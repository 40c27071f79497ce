/// The SDP layer's former candidate type, merged into ``ICECandidate`` (one concept, one
/// type). Kept only so that existing callers compile; use ``ICECandidate``.
@available(*, deprecated, renamed: "ICECandidate")
public typealias SDPCandidate = ICECandidate
