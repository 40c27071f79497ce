/// Splits VP9 frames of a single-spatial-layer stream into RTP payloads with the payload
/// descriptor in non-flexible mode (RFC 9628 §4.2): for tests and synthetic senders.
///
/// ```
///  every packet:  |I|P|L|F=0|B|E|V|Z| M PICTURE ID (15) | TID|U|SID=0|D=0 | TL0PICIDX | [SS]
///  key frames:    V=1 on the first packet: SS with the resolution (Y) and the picture groups (G)
///  marker:        on the last packet of each picture (returned with each payload)
/// ```
/// The picture ID increases by one per frame (15 bits); TL0PICIDX by one per TID 0 frame after
/// the first. Control-plane/test code: each payload is a new array.
public struct VP9Packetizer: Sendable {
    public var maxPayloadSize: Int
    public private(set) var nextPictureID: UInt16
    public private(set) var tl0PicIdx: UInt8
    private var started = false

    public init(maxPayloadSize: Int = 1_200, initialPictureID: UInt16 = 0, initialTL0PicIdx: UInt8 = 0) {
        self.maxPayloadSize = max(32, maxPayloadSize)
        self.nextPictureID = initialPictureID & 0x7FFF
        self.tl0PicIdx = initialTL0PicIdx
    }

    /// One RTP payload and its marker bit.
    public struct Packet: Sendable {
        public var payload: [UInt8]
        public var marker: Bool
    }

    /// Packetizes one frame.
    ///
    /// - Parameters:
    ///   - frame: the compressed VP9 frame.
    ///   - temporalID: its temporal layer; `switchingUpPoint`: the U bit.
    ///   - isKeyframe: P = 0, and an SS on the first packet.
    ///   - resolution, pictureGroups: the SS contents on key frames.
    public mutating func packetize(
        _ frame: [UInt8], temporalID: Int, switchingUpPoint: Bool, isKeyframe: Bool,
        resolution: VideoResolution? = nil, pictureGroups: [VP9PictureGroup] = []
    ) throws(WriteError) -> [Packet] {
        guard (0...7).contains(temporalID), !frame.isEmpty else { throw WriteError(.vp9, .valueOutOfRange) }
        if started, temporalID == 0 { tl0PicIdx &+= 1 }
        started = true
        var d = VP9PayloadDescriptor()
        d.pictureID = nextPictureID
        d.pictureIDIs15Bit = true
        d.interPicturePredicted = !isKeyframe
        d.hasLayerIndices = true
        d.temporalID = UInt8(temporalID)
        d.switchingUpPoint = switchingUpPoint
        d.tl0PicIdx = tl0PicIdx
        nextPictureID = (nextPictureID &+ 1) & 0x7FFF
        var packets: [Packet] = []
        var offset = 0
        while offset < frame.count {
            var pd = d
            pd.beginningOfFrame = offset == 0
            if isKeyframe, offset == 0 {
                var ss = VP9ScalabilityStructure(spatialLayerCount: 1, hasResolutions: resolution != nil,
                                                 hasPictureGroups: !pictureGroups.isEmpty,
                                                 pictureGroupCount: pictureGroups.count, pictureGroupsOffset: 0, length: 0)
                if let r = resolution {
                    guard r.width > 0, r.width <= 65535, r.height > 0, r.height <= 65535 else {
                        throw WriteError(.vp9, .valueOutOfRange)
                    }
                    ss.setResolution(layer: 0, width: UInt16(r.width), height: UInt16(r.height))
                }
                pd.scalabilityStructure = ss
            }
            let header = try [UInt8].writing(capacity: 64, { (w: inout ByteWriter) throws(WriteError) in
                try pd.write(groups: pictureGroups, to: &w)
            }, format: .vp9)
            let room = maxPayloadSize - header.count
            guard room > 0 else { throw WriteError(.vp9, .bufferTooSmall, needed: header.count + 1) }
            let n = min(room, frame.count - offset)
            pd.endOfFrame = offset + n == frame.count
            let finalHeader = try [UInt8].writing(capacity: 64, { (w: inout ByteWriter) throws(WriteError) in
                try pd.write(groups: pictureGroups, to: &w)
            }, format: .vp9)
            packets.append(Packet(payload: finalHeader + frame[offset..<(offset + n)], marker: pd.endOfFrame))
            offset += n
        }
        return packets
    }
}
