extension VP8Depacketizer {
    /// Fuzz entry point for the VP8 depacketizer (a parser and a stateful buffer): pushes
    /// the input as one RTP packet, then as a run of copies with consecutive sequence numbers
    /// and the marker on the last (so that reassembly and the loss policy run on it), then as
    /// a sequence of records `| length (16 bits, big-endian) | packet |`, draining every
    /// output. Must never trap.
    ///
    /// - Returns: true when at least one packet was accepted.
    public static func fuzz(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var d = VP8Depacketizer(maxBufferedPackets: 32)
        var ok = false
        if (try? d.push(bytes)) != nil { ok = true }
        drainForFuzz(&d)

        // Copies 1…4 with increasing sequence numbers; marker only on the last copy.
        if bytes.count >= RTPHeader.fixedLength {
            var copy = [UInt8](bytes)
            let seq = UInt16(copy[2]) << 8 | UInt16(copy[3])
            let count = Int(copy[copy.count - 1] & 0x03) + 1
            for i in 0..<count {
                let s = seq &+ UInt16(i) &+ 1
                copy[2] = UInt8(truncatingIfNeeded: s >> 8)
                copy[3] = UInt8(truncatingIfNeeded: s)
                copy[1] = i == count - 1 ? copy[1] | 0x80 : copy[1] & 0x7F
                if (try? d.push(copy)) != nil { ok = true }
                drainForFuzz(&d)
            }
        }

        var o = 0
        let n = bytes.count
        while n - o >= 2 {
            let length = Int(bytes[o]) << 8 | Int(bytes[o + 1])
            o += 2
            let take = min(length, n - o)
            if (try? d.push(UnsafeRawBufferPointer(rebasing: bytes[o..<(o + take)]))) != nil { ok = true }
            drainForFuzz(&d)
            o += take
        }
        _ = d.stats.framesDropped
        _ = d.isWaitingForKeyframe
        return ok
    }

    /// Reads every pending output and touches its fields.
    static func drainForFuzz(_ d: inout VP8Depacketizer) {
        while let o = d.pollOutput() {
            switch o {
            case .frame(let f):
                _ = f.bytes.count &+ f.packetCount &+ Int(f.width ?? 0) &+ Int(f.height ?? 0)
            case .dropped(let reason, let timestamp, let pictureID):
                _ = (reason.description, timestamp, pictureID)
            case .keyframeNeeded:
                break
            }
        }
    }
}
