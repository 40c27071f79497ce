/// The typed header-extension values of one packet, decoded in a single pass over its
/// RFC 8285 elements using an ``RTPExtensionMap`` (no heap: every value is inline).
///
/// Element data layouts decoded here (bytes after the element header):
/// ```
/// mid / rid / repaired-rid   token bytes (1...16; longer tokens are ignored)
/// abs-send-time              | 6.18 fixed-point seconds (24 bits)               |
/// transport-wide-cc          | sequence number (16 bits) |
/// audio-level (RFC 6464)     |V| level (7 bits, -dBov) |
/// video-orientation (CVO)    |0|0|0|0|C|F| R |
/// toffset (RFC 5450)         | signed offset (24 bits)                         |
/// playout-delay              | min (12 bits)    | max (12 bits)    |
/// abs-capture-time           | NTP timestamp (64 bits) [| clock offset (64 bits) |]
/// ```
/// An element whose length does not fit its kind is ignored (the value stays nil), as
/// receivers must tolerate extensions they cannot use; only structural errors (an element
/// running past the block) throw.
public struct RTPExtensionValues: Sendable, Equatable {
    public var mid: Mid?
    public var rid: Rid?
    public var repairedRid: Rid?
    /// abs-send-time, 24-bit 6.18 fixed-point seconds.
    public var absSendTime: UInt32?
    /// Transport-wide sequence number (transport-wide-cc -01 or -02).
    public var transportSequence: UInt16?
    /// RFC 6464 audio level: voice activity flag and level in −dBov (0 loudest … 127 silent).
    public var audioLevel: (voiceActivity: Bool, level: UInt8)?
    /// Whether a dependency descriptor is present (its bytes: ``dependencyDescriptor``).
    public var hasDependencyDescriptor: Bool = false
    /// Where the dependency descriptor's data lies in the packet, when present.
    public var dependencyDescriptor: RTPExtensionElement?
    /// 3GPP CVO byte: camera (C), flip (F) and rotation (R × 90°).
    public var videoOrientation: UInt8?
    /// RFC 5450 transmission time offset (sign-extended from 24 bits).
    public var transmissionOffset: Int32?
    /// Playout delay limits in 10 ms units.
    public var playoutDelay: (minimum: UInt16, maximum: UInt16)?
    /// Absolute capture time, 64-bit NTP format.
    public var absCaptureTime: UInt64?
    /// Video content type byte.
    public var videoContentType: UInt8?
    /// Number of elements seen, including unregistered and ignored ones.
    public var elementCount: Int = 0

    @inlinable public init() {}

    /// Decodes every registered element of the packet's extension block in one pass.
    ///
    /// - Parameters:
    ///   - packet: the bytes that `header` was parsed from.
    ///   - header: the parsed header (a packet without an RFC 8285 block yields empty values).
    ///   - map: the IDs negotiated for the direction the packet travels.
    /// - Throws: `.rtpExtension` errors when an element runs past the end of the block.
    @inlinable
    public static func parse(
        packet: UnsafeRawBufferPointer, header: RTPHeader, map: RTPExtensionMap
    ) throws(ParseError) -> RTPExtensionValues {
        var values = RTPExtensionValues()
        var reader = RTPExtensionElementReader(packet: packet, header: header)
        while let element = try reader.next() {
            values.elementCount &+= 1
            guard let kind = map.kind(forID: element.id) else { continue }
            values.decode(kind: kind, element: element, bytes: packet)
        }
        return values
    }

    /// Decodes one element's data into the matching field.
    @inlinable
    mutating func decode(kind: RTPExtensionKind, element: RTPExtensionElement, bytes: UnsafeRawBufferPointer) {
        let data = element.data(in: bytes)
        let n = data.count
        switch kind {
        case .mid:
            if let v = ShortID(bytes: data) { mid = v }
        case .rid:
            if let v = ShortID(bytes: data) { rid = v }
        case .repairedRid:
            if let v = ShortID(bytes: data) { repairedRid = v }
        case .absSendTime:
            if n == 3 { absSendTime = UInt32(data[0]) << 16 | UInt32(data[1]) << 8 | UInt32(data[2]) }
        case .transportWideCC:
            if n == 2 { transportSequence = data.rtcU16(at: 0) }
        case .transportWideCC02:
            if n >= 2 { transportSequence = data.rtcU16(at: 0) }
        case .audioLevel:
            if n >= 1 { audioLevel = (data[0] & 0x80 != 0, data[0] & 0x7F) }
        case .dependencyDescriptor:
            hasDependencyDescriptor = true
            dependencyDescriptor = element
        case .videoOrientation:
            if n >= 1 { videoOrientation = data[0] }
        case .transmissionOffset:
            if n == 3 {
                let raw = UInt32(data[0]) << 16 | UInt32(data[1]) << 8 | UInt32(data[2])
                // Sign-extend the 24-bit value.
                transmissionOffset = Int32(bitPattern: raw << 8) >> 8
            }
        case .playoutDelay:
            if n == 3 {
                let minimum = UInt16(data[0]) << 4 | UInt16(data[1] >> 4)
                let maximum = UInt16(data[1] & 0x0F) << 8 | UInt16(data[2])
                playoutDelay = (minimum, maximum)
            }
        case .absCaptureTime:
            if n == 8 || n == 16 {
                absCaptureTime = UInt64(data.rtcU32(at: 0)) << 32 | UInt64(data.rtcU32(at: 4))
            }
        case .videoContentType:
            if n >= 1 { videoContentType = data[0] }
        case .videoTiming, .colorSpace, .videoLayersAllocation, .csrcAudioLevel,
             .videoFrameTrackingID, .inbandComfortNoise, .other:
            break
        }
    }

    /// The smallest element form that can carry every present value under `map`'s IDs:
    /// one-byte unless an ID is above 14 or a value is longer than 16 bytes.
    public func requiredForm(map: RTPExtensionMap) -> RTPExtensionForm {
        var oneByte = true
        forEachEncodable(map: map) { id, length in
            if !RTPExtensionForm.oneByte.canEncode(id: id, length: length) { oneByte = false }
        }
        return oneByte ? .oneByte : .twoByte(appBits: 0)
    }

    /// Calls `body(id, length)` for every present value whose kind `map` registers.
    @inlinable
    func forEachEncodable(map: RTPExtensionMap, _ body: (UInt8, Int) -> Void) {
        if let v = mid, let id = map.id(for: .mid) { body(id, Int(v.count)) }
        if let v = rid, let id = map.id(for: .rid) { body(id, Int(v.count)) }
        if let v = repairedRid, let id = map.id(for: .repairedRid) { body(id, Int(v.count)) }
        if absSendTime != nil, let id = map.id(for: .absSendTime) { body(id, 3) }
        if transportSequence != nil {
            if let id = map.id(for: .transportWideCC) { body(id, 2) }
            else if let id = map.id(for: .transportWideCC02) { body(id, 2) }
        }
        if audioLevel != nil, let id = map.id(for: .audioLevel) { body(id, 1) }
        if videoOrientation != nil, let id = map.id(for: .videoOrientation) { body(id, 1) }
        if transmissionOffset != nil, let id = map.id(for: .transmissionOffset) { body(id, 3) }
        if playoutDelay != nil, let id = map.id(for: .playoutDelay) { body(id, 3) }
        if absCaptureTime != nil, let id = map.id(for: .absCaptureTime) { body(id, 8) }
        if videoContentType != nil, let id = map.id(for: .videoContentType) { body(id, 1) }
    }

    /// Appends every present value whose kind `map` registers (the dependency descriptor,
    /// which is only located, not decoded, is not written).
    public func write(map: RTPExtensionMap, with x: RTPExtensionWriter, to w: inout ByteWriter) throws(WriteError) {
        if let v = mid, let id = map.id(for: .mid) { try x.append(id: id, token: v, to: &w) }
        if let v = rid, let id = map.id(for: .rid) { try x.append(id: id, token: v, to: &w) }
        if let v = repairedRid, let id = map.id(for: .repairedRid) { try x.append(id: id, token: v, to: &w) }
        if let v = absSendTime, let id = map.id(for: .absSendTime) {
            try x.append(id: id, integer: UInt64(v & 0xFF_FFFF), byteCount: 3, to: &w)
        }
        if let v = transportSequence {
            if let id = map.id(for: .transportWideCC) ?? map.id(for: .transportWideCC02) {
                try x.append(id: id, integer: UInt64(v), byteCount: 2, to: &w)
            }
        }
        if let v = audioLevel, let id = map.id(for: .audioLevel) {
            let b = (v.voiceActivity ? 0x80 : 0) | (v.level & 0x7F)
            try x.append(id: id, integer: UInt64(b), byteCount: 1, to: &w)
        }
        if let v = videoOrientation, let id = map.id(for: .videoOrientation) {
            try x.append(id: id, integer: UInt64(v), byteCount: 1, to: &w)
        }
        if let v = transmissionOffset, let id = map.id(for: .transmissionOffset) {
            try x.append(id: id, integer: UInt64(UInt32(bitPattern: v) & 0xFF_FFFF), byteCount: 3, to: &w)
        }
        if let v = playoutDelay, let id = map.id(for: .playoutDelay) {
            let packed = UInt64(v.minimum & 0x0FFF) << 12 | UInt64(v.maximum & 0x0FFF)
            try x.append(id: id, integer: packed, byteCount: 3, to: &w)
        }
        if let v = absCaptureTime, let id = map.id(for: .absCaptureTime) {
            try x.append(id: id, integer: v, byteCount: 8, to: &w)
        }
        if let v = videoContentType, let id = map.id(for: .videoContentType) {
            try x.append(id: id, integer: UInt64(v), byteCount: 1, to: &w)
        }
    }

    public static func == (a: RTPExtensionValues, b: RTPExtensionValues) -> Bool {
        a.mid == b.mid && a.rid == b.rid && a.repairedRid == b.repairedRid
            && a.absSendTime == b.absSendTime && a.transportSequence == b.transportSequence
            && a.audioLevel?.voiceActivity == b.audioLevel?.voiceActivity
            && a.audioLevel?.level == b.audioLevel?.level
            && a.hasDependencyDescriptor == b.hasDependencyDescriptor
            && a.dependencyDescriptor == b.dependencyDescriptor
            && a.videoOrientation == b.videoOrientation
            && a.transmissionOffset == b.transmissionOffset
            && a.playoutDelay?.minimum == b.playoutDelay?.minimum
            && a.playoutDelay?.maximum == b.playoutDelay?.maximum
            && a.absCaptureTime == b.absCaptureTime && a.videoContentType == b.videoContentType
            && a.elementCount == b.elementCount
    }
}
