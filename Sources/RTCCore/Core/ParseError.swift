/// The wire format a ``ParseError`` or ``WriteError`` comes from.
public enum WireFormat: String, Sendable, Hashable {
    case demux, stun, rtp, rtpExtension, rtcp, sdp, vp8, vp9, h264, av1, opus, dtls, srtp, pcap
}

/// A typed, allocation-free error for malformed input.
///
/// Every parser in RTCCore returns a value or throws this; none traps. `reason` is a static
/// string so that creating the error never touches the heap (the hot path may throw it).
public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Fewer bytes than the structure needs.
        case truncated
        /// A length field that overflows or points past the end.
        case invalidLength
        /// A version field other than the one supported.
        case unsupportedVersion
        /// A field value that the format forbids.
        case invalidValue
        /// Padding that is longer than the packet, or zero where not allowed.
        case invalidPadding
        /// A checksum or integrity value that does not match.
        case integrityMismatch
        /// A line or token that does not follow the grammar (text formats).
        case syntax
    }

    public var format: WireFormat
    public var kind: Kind
    /// Byte offset (binary formats) or 1-based line number (SDP) where the problem was found.
    public var offset: Int
    public var reason: StaticString

    public init(_ format: WireFormat, _ kind: Kind, at offset: Int = 0, _ reason: StaticString = "") {
        self.format = format
        self.kind = kind
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        "\(format) \(kind) at \(offset): \(reason)"
    }

    public static func == (a: ParseError, b: ParseError) -> Bool {
        a.format == b.format && a.kind == b.kind && a.offset == b.offset
            && a.reason.description == b.reason.description
    }

    public func hash(into h: inout Hasher) {
        h.combine(format)
        h.combine(kind)
        h.combine(offset)
    }
}

/// A writer was given a destination buffer that is too small, or a value it cannot encode.
public struct WriteError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case bufferTooSmall
        case valueOutOfRange
    }
    public var format: WireFormat
    public var kind: Kind
    /// Bytes needed (for `.bufferTooSmall`), or 0.
    public var needed: Int

    public init(_ format: WireFormat, _ kind: Kind, needed: Int = 0) {
        self.format = format
        self.kind = kind
        self.needed = needed
    }

    public var description: String { "\(format) \(kind) (needed \(needed))" }
}
