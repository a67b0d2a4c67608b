/// UUID-shaped identifiers that are the same for the same text every time: the `UID` of
/// exported cards and calendar entries, so re-importing updates instead of duplicating.
public enum StableID {
    /// A version-8 (custom) UUID from a 128-bit FNV-1a hash of `text`.
    ///
    ///     StableID.uuid("crm/task/12/2026-11-22T10:00:00Z")   // always the same
    public static func uuid(_ text: String) -> String {
        let high = fnv1a(text, seed: 0xcbf2_9ce4_8422_2325), low = fnv1a(text, seed: 0x6c62_272e_07bb_0142)
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        bytes[6] = bytes[6] & 0x0F | 0x80   // version 8
        bytes[8] = bytes[8] & 0x3F | 0x80   // RFC 9562 variant
        let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
    }

    static func fnv1a(_ text: String, seed: UInt64) -> UInt64 {
        var h = seed
        for b in text.utf8 {
            h ^= UInt64(b)
            h &*= 0x0000_0100_0000_01B3
        }
        return h
    }
}
