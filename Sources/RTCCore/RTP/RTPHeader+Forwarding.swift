extension RTPHeader {
    /// The forwarding hot path's parse: the RTP header and the typed header-extension values
    /// in one call, with no heap allocation (both results are inline values).
    ///
    /// `bytes` is the unprotected packet; `map` holds the extension IDs negotiated on the
    /// transport it arrived on.
    ///
    /// - Throws: ``ParseError`` with format `.rtp` (header, CSRCs, padding, extension length)
    ///   or `.rtpExtension` (an element past the end of the block).
    @inlinable
    public static func parseForForwarding(
        _ bytes: UnsafeRawBufferPointer, map: RTPExtensionMap
    ) throws(ParseError) -> (RTPHeader, RTPExtensionValues) {
        let header = try RTPHeader.parse(bytes)
        let values = try RTPExtensionValues.parse(packet: bytes, header: header, map: map)
        return (header, values)
    }
}
