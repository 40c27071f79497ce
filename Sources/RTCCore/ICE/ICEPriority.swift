/// ICE priority formulas.
public enum ICEPriority {
    /// Candidate priority (RFC 8445 §5.1.2.1):
    ///
    /// ```
    /// priority = (2^24) * (type preference) + (2^8) * (local preference) + (256 - component ID)
    /// ```
    public static func candidate(type: ICECandidateType, localPreference: UInt16,
                                 component: UInt16 = 1) -> UInt32 {
        let c = UInt32(min(max(component, 1), 256))
        return type.typePreference << 24 | UInt32(localPreference) << 8 | (256 - c)
    }

    /// Candidate-pair priority (RFC 8445 §6.1.2.3), G the controlling agent's candidate
    /// priority and D the controlled agent's:
    ///
    /// ```
    /// pair priority = 2^32 * MIN(G,D) + 2 * MAX(G,D) + (G > D ? 1 : 0)
    /// ```
    public static func pair(controlling g: UInt32, controlled d: UInt32) -> UInt64 {
        UInt64(min(g, d)) << 32 | UInt64(max(g, d)) << 1 | (g > d ? 1 : 0)
    }

    /// Local preference for the `index`-th host address (RFC 8445 §5.1.2.1 and RFC 8421 §4):
    /// IPv6 above IPv4, earlier addresses above later ones, unique per address.
    public static func hostLocalPreference(isIPv6: Bool, index: Int) -> UInt16 {
        let top = isIPv6 ? 65535 : 32767
        return UInt16(max(top - min(index, 30000), 1))
    }
}
