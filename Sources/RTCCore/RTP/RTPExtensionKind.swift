/// The header extensions this library knows by URI (the `a=extmap` URI of RFC 8285 §5).
///
/// The raw value is a small code used by ``RTPExtensionMap``'s fixed table; 0 is never used
/// (it marks an unregistered ID). URIs that are not listed map to ``other``.
public enum RTPExtensionKind: UInt8, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// RFC 9143 (BUNDLE) media identification, SDES item MID. Value: the mid token.
    case mid = 1
    /// RFC 8852 RtpStreamId: the simulcast encoding's rid.
    case rid = 2
    /// RFC 8852 RepairedRtpStreamId: the rid of the stream an RTX stream repairs.
    case repairedRid = 3
    /// WebRTC absolute send time: 24-bit 6.18 fixed-point seconds.
    case absSendTime = 4
    /// Transport-wide congestion control sequence number (draft-holmer-rmcat-...-01), 16 bits.
    case transportWideCC = 5
    /// RFC 6464 client-to-mixer audio level: V flag and level in −dBov.
    case audioLevel = 6
    /// AV1 RTP spec dependency descriptor (used for VP9/AV1 SVC and simulcast).
    case dependencyDescriptor = 7
    /// 3GPP coordination of video orientation (CVO): one byte.
    case videoOrientation = 8
    /// RFC 5450 transmission time offset: 24-bit signed.
    case transmissionOffset = 9
    /// WebRTC playout delay: 12-bit minimum and maximum in 10 ms units.
    case playoutDelay = 10
    /// WebRTC absolute capture time: 64-bit NTP time, optionally a 64-bit clock offset.
    case absCaptureTime = 11
    /// WebRTC video content type (screenshare or not).
    case videoContentType = 12
    /// WebRTC video timing.
    case videoTiming = 13
    /// WebRTC color space.
    case colorSpace = 14
    /// WebRTC video layers allocation.
    case videoLayersAllocation = 15
    /// RFC 6465 mixer-to-client audio levels.
    case csrcAudioLevel = 16
    /// WebRTC video frame tracking id.
    case videoFrameTrackingID = 17
    /// Transport-wide congestion control version 02 (sender-requested feedback).
    case transportWideCC02 = 18
    /// WebRTC in-band comfort noise.
    case inbandComfortNoise = 19
    /// A URI this library does not know; elements are parsed but not interpreted or forwarded.
    case other = 31

    /// The `a=extmap` URI; for ``other`` an empty string.
    public var uri: String {
        switch self {
        case .mid: return "urn:ietf:params:rtp-hdrext:sdes:mid"
        case .rid: return "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
        case .repairedRid: return "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"
        case .absSendTime: return "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
        case .transportWideCC:
            return "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
        case .audioLevel: return "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
        case .dependencyDescriptor:
            return "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension"
        case .videoOrientation: return "urn:3gpp:video-orientation"
        case .transmissionOffset: return "urn:ietf:params:rtp-hdrext:toffset"
        case .playoutDelay: return "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay"
        case .absCaptureTime: return "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time"
        case .videoContentType: return "http://www.webrtc.org/experiments/rtp-hdrext/video-content-type"
        case .videoTiming: return "http://www.webrtc.org/experiments/rtp-hdrext/video-timing"
        case .colorSpace: return "http://www.webrtc.org/experiments/rtp-hdrext/color-space"
        case .videoLayersAllocation:
            return "http://www.webrtc.org/experiments/rtp-hdrext/video-layers-allocation00"
        case .csrcAudioLevel: return "urn:ietf:params:rtp-hdrext:csrc-audio-level"
        case .videoFrameTrackingID:
            return "http://www.webrtc.org/experiments/rtp-hdrext/video-frame-tracking-id"
        case .transportWideCC02: return "http://www.webrtc.org/experiments/rtp-hdrext/transport-wide-cc-02"
        case .inbandComfortNoise: return "http://www.webrtc.org/experiments/rtp-hdrext/inband-cn"
        case .other: return ""
        }
    }

    /// The kind for an `a=extmap` URI (compared exactly, after trimming spaces); unknown URIs
    /// give ``other``. Called while negotiating, never per packet.
    public init(uri: String) {
        var u = Substring(uri)
        while u.first == " " || u.first == "\t" { u = u.dropFirst() }
        while u.last == " " || u.last == "\t" { u = u.dropLast() }
        for kind in RTPExtensionKind.allCases where kind != .other && kind.uri == u {
            self = kind
            return
        }
        self = .other
    }

    public var description: String {
        switch self {
        case .mid: return "mid"
        case .rid: return "rid"
        case .repairedRid: return "repaired-rid"
        case .absSendTime: return "abs-send-time"
        case .transportWideCC: return "transport-wide-cc"
        case .audioLevel: return "audio-level"
        case .dependencyDescriptor: return "dependency-descriptor"
        case .videoOrientation: return "video-orientation"
        case .transmissionOffset: return "toffset"
        case .playoutDelay: return "playout-delay"
        case .absCaptureTime: return "abs-capture-time"
        case .videoContentType: return "video-content-type"
        case .videoTiming: return "video-timing"
        case .colorSpace: return "color-space"
        case .videoLayersAllocation: return "video-layers-allocation"
        case .csrcAudioLevel: return "csrc-audio-level"
        case .videoFrameTrackingID: return "video-frame-tracking-id"
        case .transportWideCC02: return "transport-wide-cc-02"
        case .inbandComfortNoise: return "inband-cn"
        case .other: return "other"
        }
    }
}
