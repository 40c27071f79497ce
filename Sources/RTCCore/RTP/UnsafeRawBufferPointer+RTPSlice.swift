extension UnsafeRawBufferPointer {
    /// A sub-buffer of `length` bytes from `offset`, or an empty buffer when that range is not
    /// inside `self` (never traps).
    @inlinable
    func rtcSlice(_ offset: Int, _ length: Int) -> UnsafeRawBufferPointer {
        guard offset >= 0, length >= 0, offset <= count, length <= count &- offset else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        return UnsafeRawBufferPointer(rebasing: self[offset..<(offset &+ length)])
    }
}
