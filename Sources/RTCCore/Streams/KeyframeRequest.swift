/// A keyframe request to send to a media sender (the output of ``KeyframeRequestThrottle``).
public enum KeyframeRequest: Sendable, Hashable {
    case pli(PictureLossIndication)
    case fir(FullIntraRequest)
}
