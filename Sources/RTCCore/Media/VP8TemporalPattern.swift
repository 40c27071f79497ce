/// The temporal-layer structure of a VP8 stream (L1T1, L1T2, L1T3) as Chromium sends it with
/// simulcast: which layer each frame belongs to, which reference buffers it may read and
/// write, and the RFC 7741 §4.2 bits that follow (TID, Y, N). A pure table; the encoder
/// turns an entry into libvpx reference/update flags.
///
/// ```
/// L1T3, period 4:              frame:    0     1     2     3     4 ...
///                              TID:      0     2     1     2     0
///   TL2     .     o     .     o          refs: LAST  LAST  LAST  LAST+GOLDEN
///          /     /     /     /           updates: LAST  -   GOLDEN  -
///   TL1   /     /     o     /            Y (sync): -    1     1     0
///        /     /     /     /             N (non-reference): 0  1  0  1
///   TL0  o-----+-----+-----o
/// ```
/// TL0 frames chain through the LAST buffer only, so dropping TL1 and TL2 keeps the base layer
/// decodable; TL1 writes GOLDEN, which only the following TL2 frame reads; TL2 frames write
/// nothing. A keyframe restarts the period.
public struct VP8TemporalPattern: Hashable, Sendable {
    /// What one frame of the period does.
    public struct Entry: Hashable, Sendable {
        /// TID: the temporal layer (0 is the base).
        public var temporalLayer: UInt8
        /// Y: the frame references only the base layer, so a receiver can start the layer here.
        public var layerSync: Bool
        /// N: no later frame references this one.
        public var isNonReference: Bool
        public var referencesLast: Bool
        public var referencesGolden: Bool
        public var updatesLast: Bool
        public var updatesGolden: Bool
    }

    /// 1, 2 or 3.
    public let layerCount: Int
    /// The entries of one period, in frame order.
    public let entries: [Entry]

    /// The pattern for `layerCount` temporal layers (1...3), or nil.
    public init?(layerCount: Int) {
        let base = Entry(temporalLayer: 0, layerSync: false, isNonReference: false, referencesLast: true,
                         referencesGolden: false, updatesLast: true, updatesGolden: false)
        switch layerCount {
        case 1:
            entries = [base]
        case 2:
            entries = [
                base,
                Entry(temporalLayer: 1, layerSync: true, isNonReference: true, referencesLast: true,
                      referencesGolden: false, updatesLast: false, updatesGolden: false),
            ]
        case 3:
            entries = [
                base,
                Entry(temporalLayer: 2, layerSync: true, isNonReference: true, referencesLast: true,
                      referencesGolden: false, updatesLast: false, updatesGolden: false),
                Entry(temporalLayer: 1, layerSync: true, isNonReference: false, referencesLast: true,
                      referencesGolden: false, updatesLast: false, updatesGolden: true),
                Entry(temporalLayer: 2, layerSync: false, isNonReference: true, referencesLast: true,
                      referencesGolden: true, updatesLast: false, updatesGolden: false),
            ]
        default:
            return nil
        }
        self.layerCount = layerCount
    }

    /// Frames in one period (1, 2 or 4).
    public var periodicity: Int { entries.count }

    /// The entry for the frame `position` frames after the last keyframe (position 0 is the
    /// keyframe itself).
    public func entry(at position: Int) -> Entry {
        // entries is never empty (init returns nil otherwise) and the index is reduced
        // modulo its count into 0..<count.
        let n = entries.count
        return entries[((position % n) + n) % n]
    }

    /// The share of the stream bitrate each layer adds, cumulative (the last is 1): libvpx's
    /// `ts_target_bitrate` is cumulative too.
    public var cumulativeRateFractions: [Double] {
        switch layerCount {
        case 2: return [0.6, 1.0]
        case 3: return [0.4, 0.6, 1.0]
        default: return [1.0]
        }
    }

    /// How much each layer's frame rate is divided, for libvpx's `ts_rate_decimator`.
    public var rateDecimators: [UInt32] {
        switch layerCount {
        case 2: return [2, 1]
        case 3: return [4, 2, 1]
        default: return [1]
        }
    }
}
