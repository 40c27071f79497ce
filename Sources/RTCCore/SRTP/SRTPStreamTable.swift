/// The per-SSRC state of one SRTP session (RFC 3711 §3.2.3 "cryptographic context" minus the
/// keys, which every stream of a DTLS-SRTP session shares): the RTP packet index with its
/// replay window, and the SRTCP index with its own.
///
/// An open-addressing hash table (linear probing, SSRC keyed, never shrinks: streams are not
/// removed, as in libsrtp2). It starts with room for ``initialCapacity`` streams and doubles
/// when half full, up to `maximumStreams`; a new SSRC beyond that is refused with
/// ``SRTPError/Kind/tooManyStreams``. Growing is the only allocation, and it happens only on a
/// packet of a new SSRC; every other packet reads and writes the preallocated slots.
///
/// RTP replay window (RFC 3711 §3.3.2), per stream, `windowBits` bits (the configured window
/// rounded up to a multiple of 32, as libsrtp2 does): bit `i mod windowBits` says whether index
/// `i` of the last `windowBits` indices up to the highest one (`rtpIndex`) was received.
///
/// ```
/// rtpIndex = ROC << 16 | highest SEQ        window: indices rtpIndex-windowBits+1 ... rtpIndex
/// bits:  | i mod W ... |  (circular: advancing by d clears the d positions the new indices take)
/// ```
///
/// SRTCP (RFC 3711 §3.4): outbound, `rtcpIndex` is the last SRTCP index sent (the first packet
/// carries 1). Inbound, it is the start of a fixed 128-index window and `rtcpMask` has bit
/// `k` for index `rtcpIndex + k` (libsrtp2's `srtp_rdb_t` semantics).
final class SRTPStreamTable {
    struct Stream {
        var ssrc: UInt32 = 0
        var used: Bool = false
        /// ROC << 16 | highest sequence number seen (RFC 3711 §3.3.1 `ROC || s_l`).
        var rtpIndex: UInt64 = 0
        /// Outbound: last SRTCP index sent. Inbound: start of the SRTCP replay window.
        var rtcpIndex: UInt32 = 0
        var rtcpMaskLow: UInt64 = 0
        var rtcpMaskHigh: UInt64 = 0
    }

    /// Streams the table has room for before it first grows.
    static let initialCapacity = 8
    /// Bits in the SRTCP replay window (libsrtp2's fixed 128).
    static let rtcpWindowBits: UInt32 = 128

    let maximumStreams: Int
    /// RTP replay window size in bits: a multiple of 32, at least 64.
    let windowBits: Int
    private let wordsPerWindow: Int
    private(set) var count = 0
    /// Slots: a power of two, at least twice `count` (load factor ≤ 1/2 keeps probes short).
    private var slotCount: Int
    private var streams: UnsafeMutablePointer<Stream>
    private var windows: UnsafeMutablePointer<UInt64>

    init(windowSize: Int, maximumStreams: Int) {
        precondition(windowSize > 0 && maximumStreams > 0)  // validated by SRTPSession.init
        self.windowBits = (windowSize &+ 31) & ~31
        self.wordsPerWindow = (windowBits &+ 63) / 64
        self.maximumStreams = maximumStreams
        var slots = 16
        while slots < 2 &* min(maximumStreams, Self.initialCapacity) { slots &*= 2 }
        self.slotCount = slots
        self.streams = .allocate(capacity: slots)
        self.streams.initialize(repeating: Stream(), count: slots)
        self.windows = .allocate(capacity: slots &* wordsPerWindow)
        self.windows.initialize(repeating: 0, count: slots &* wordsPerWindow)
    }

    deinit {
        streams.deinitialize(count: slotCount)
        streams.deallocate()
        windows.deallocate()
    }

    @inline(__always)
    private static func hash(_ ssrc: UInt32) -> Int {
        // Fibonacci hashing: SSRCs are random, but tests and some clients use small ones.
        Int(truncatingIfNeeded: (UInt64(ssrc) &* 0x9E37_79B9_7F4A_7C15) >> 32)
    }

    /// The slot of `ssrc`, or -1.
    @inline(__always)
    func find(_ ssrc: UInt32) -> Int {
        let mask = slotCount &- 1
        var i = Self.hash(ssrc) & mask
        while true {
            let s = streams[i]
            if !s.used { return -1 }
            if s.ssrc == ssrc { return i }
            i = (i &+ 1) & mask
        }
    }

    /// Adds a fresh stream for `ssrc` (which must not be present) and returns its slot.
    func insert(_ ssrc: UInt32) throws(SRTPError) -> Int {
        guard count < maximumStreams else { throw SRTPError(.tooManyStreams, status: 3) }
        if 2 &* (count &+ 1) > slotCount { grow() }
        let mask = slotCount &- 1
        var i = Self.hash(ssrc) & mask
        while streams[i].used { i = (i &+ 1) & mask }
        streams[i] = Stream(ssrc: ssrc, used: true)
        clearWindow(i)
        count &+= 1
        return i
    }

    private func grow() {
        let oldSlots = slotCount
        let oldStreams = streams
        let oldWindows = windows
        slotCount = oldSlots &* 2
        streams = .allocate(capacity: slotCount)
        streams.initialize(repeating: Stream(), count: slotCount)
        windows = .allocate(capacity: slotCount &* wordsPerWindow)
        windows.initialize(repeating: 0, count: slotCount &* wordsPerWindow)
        let mask = slotCount &- 1
        for j in 0..<oldSlots where oldStreams[j].used {
            var i = Self.hash(oldStreams[j].ssrc) & mask
            while streams[i].used { i = (i &+ 1) & mask }
            streams[i] = oldStreams[j]
            (windows + i &* wordsPerWindow).update(from: oldWindows + j &* wordsPerWindow, count: wordsPerWindow)
        }
        oldStreams.deinitialize(count: oldSlots)
        oldStreams.deallocate()
        oldWindows.deallocate()
    }

    private func clearWindow(_ slot: Int) {
        (windows + slot &* wordsPerWindow).update(repeating: 0, count: wordsPerWindow)
    }

    // MARK: - RTP index (RFC 3711 §3.3.1, Appendix A) and replay window (§3.3.2)

    /// The estimated packet index `ROC << 16 | seq` of sequence number `seq` and its distance
    /// `delta` from the highest index seen (positive: newer).
    ///
    /// RFC 3711 Appendix A: with `s_l` the highest sequence number, a packet whose `seq` is more
    /// than 2^15 behind (ahead of) `s_l` belongs to the next (previous) ROC. As in libsrtp2, while
    /// the index is still at most 2^15 (ROC 0, the first half of the first cycle), the guess is
    /// always ROC 0: "ROC - 1" does not exist yet.
    @inline(__always)
    static func estimate(index: UInt64, seq: UInt16) -> (index: UInt64, delta: Int) {
        if index <= 0x8000 {
            return (UInt64(seq), Int(seq) &- Int(UInt16(truncatingIfNeeded: index)))
        }
        let roc = UInt32(truncatingIfNeeded: index >> 16)
        let high = Int(UInt16(truncatingIfNeeded: index))
        let s = Int(seq)
        var guessROC = roc
        var delta: Int
        if high < 0x8000 {
            if s &- high > 0x8000 {
                guessROC = roc &- 1
                delta = s &- high &- 0x10000
            } else {
                delta = s &- high
            }
        } else {
            if high &- 0x8000 > s {
                guessROC = roc &+ 1
                delta = s &- high &+ 0x10000
            } else {
                delta = s &- high
            }
        }
        return (UInt64(guessROC) << 16 | UInt64(seq), delta)
    }

    @inline(__always)
    func rtpIndex(_ slot: Int) -> UInt64 { streams[slot].rtpIndex }

    /// Replay check (RFC 3711 §3.3.2) of the index `delta` away from the highest one:
    /// 0 when new, 9 (libsrtp2 `replay_fail`) when already received, 10 (`replay_old`) when
    /// older than the window.
    @inline(__always)
    func checkRTP(_ slot: Int, delta: Int) -> UInt32 {
        if delta > 0 { return 0 }
        let age = 0 &- delta
        if age >= windowBits { return 10 }
        let position = Int((streams[slot].rtpIndex &+ UInt64(windowBits) &- UInt64(age)) % UInt64(windowBits))
        let word = windows[slot &* wordsPerWindow &+ position >> 6]
        return word & (1 << UInt64(position & 63)) != 0 ? 9 : 0
    }

    /// Records the index `delta` away from the highest one (after authentication), advancing
    /// the highest index when `delta > 0`.
    @inline(__always)
    func addRTP(_ slot: Int, delta: Int) {
        let base = windows + slot &* wordsPerWindow
        let w = UInt64(windowBits)
        if delta > 0 {
            let old = streams[slot].rtpIndex
            if delta >= windowBits {
                base.update(repeating: 0, count: wordsPerWindow)
            } else {
                // The positions of indices old+1 ... old+delta held indices now out of the window.
                var p = Int((old &+ 1) % w)
                for _ in 0..<delta {
                    base[p >> 6] &= ~(1 << UInt64(p & 63))
                    p &+= 1
                    if p == windowBits { p = 0 }
                }
            }
            streams[slot].rtpIndex = old &+ UInt64(delta)
            let p = Int(streams[slot].rtpIndex % w)
            base[p >> 6] |= 1 << UInt64(p & 63)
        } else {
            let age = 0 &- delta
            guard age < windowBits else { return }  // checked before; never reached
            let p = Int((streams[slot].rtpIndex &+ w &- UInt64(age)) % w)
            base[p >> 6] |= 1 << UInt64(p & 63)
        }
    }

    // MARK: - SRTCP index (RFC 3711 §3.4) and replay window

    /// The next SRTCP index to send, or nil when the 31-bit index is exhausted (the key must
    /// be renegotiated, RFC 3711 §9.2).
    @inline(__always)
    func nextRTCPIndex(_ slot: Int) -> UInt32? {
        let current = streams[slot].rtcpIndex
        guard current < 0x7FFF_FFFF else { return nil }
        streams[slot].rtcpIndex = current &+ 1
        return current &+ 1
    }

    /// Replay check of a received SRTCP index: 0, 9 (already received) or 10 (too old).
    @inline(__always)
    static func checkRTCP(start: UInt32, low: UInt64, high: UInt64, index: UInt32) -> UInt32 {
        // `start` ≤ 2^31 and `index` < 2^31: no overflow.
        if UInt64(index) >= UInt64(start) &+ UInt64(rtcpWindowBits) { return 0 }
        if index < start { return 10 }
        let k = index &- start
        let bit = k < 64 ? (low >> UInt64(k)) & 1 : (high >> UInt64(k &- 64)) & 1
        return bit == 1 ? 9 : 0
    }

    /// Replay check of a received SRTCP index for the stream in `slot`, or (slot -1) a stream
    /// not created yet.
    @inline(__always)
    func checkRTCP(_ slot: Int, index: UInt32) -> UInt32 {
        guard slot >= 0 else { return Self.checkRTCP(start: 0, low: 0, high: 0, index: index) }
        let s = streams[slot]
        return Self.checkRTCP(start: s.rtcpIndex, low: s.rtcpMaskLow, high: s.rtcpMaskHigh, index: index)
    }

    /// Records a received (authenticated) SRTCP index, sliding the window forward if needed.
    @inline(__always)
    func addRTCP(_ slot: Int, index: UInt32) {
        var s = streams[slot]
        guard index >= s.rtcpIndex else { return }  // refused by checkRTCP; never reached
        var k = index &- s.rtcpIndex
        if k >= Self.rtcpWindowBits {
            // Slide so that `index` is the last bit: bit j moves to j - shift.
            let shift = k &- (Self.rtcpWindowBits &- 1)
            if shift >= 128 {
                s.rtcpMaskLow = 0
                s.rtcpMaskHigh = 0
            } else if shift >= 64 {
                s.rtcpMaskLow = s.rtcpMaskHigh >> UInt64(shift &- 64)
                s.rtcpMaskHigh = 0
            } else if shift > 0 {
                s.rtcpMaskLow = (s.rtcpMaskLow >> UInt64(shift)) | (s.rtcpMaskHigh << UInt64(64 &- shift))
                s.rtcpMaskHigh >>= UInt64(shift)
            }
            s.rtcpIndex &+= shift
            k = Self.rtcpWindowBits &- 1
        }
        if k < 64 { s.rtcpMaskLow |= 1 << UInt64(k) } else { s.rtcpMaskHigh |= 1 << UInt64(k &- 64) }
        streams[slot] = s
    }
}
