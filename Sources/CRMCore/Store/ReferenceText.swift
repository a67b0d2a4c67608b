/// How a reference typed as text (`group=G001`, `customer=12`, `owner=张伟`) is read.
///
/// One rule for `add`, `update`, filters and imports:
/// - `#3` or `id:3` is always the record with id 3;
/// - a whole number written without sign or leading zeros (`3`) is an id only when the
///   target entity has no lookup keys;
/// - anything else (`G001`, `00465`, and `3` when the target has lookup keys) is a value
///   of the target's lookup keys or of its title field, and must name exactly one record:
///   none, or different records by different fields, is an error saying what was tried.
public enum ReferenceText: Equatable, Sendable {
    case id(Int64)
    case key(String)

    /// How `text` reads as a reference to `target`; nil for `#` or `id:` without an id.
    public static func read(_ text: String, target: EntityDefinition) -> ReferenceText? {
        for prefix in ["#", "id:"] where text.lowercased().hasPrefix(prefix) {
            return canonicalID(String(text.dropFirst(prefix.count))).map(ReferenceText.id)
        }
        if target.lookupKeys.isEmpty, let id = canonicalID(text) { return .id(id) }
        return .key(text)
    }

    /// A positive whole number without sign or leading zeros: `00465` is a code, not 465.
    public static func canonicalID(_ s: String) -> Int64? {
        guard let first = s.first, first != "0", s.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int64(s)
    }
}

/// The records a reference key matched, by the field that matched.
public struct ReferenceMatches {
    var target: EntityDefinition
    var key: String
    /// Every field tried (lookup keys, then the title), with the ids that have the key.
    var byField: [(field: String, ids: [Int64])]

    /// Tries `key` as a value of each lookup key of `target`, then of its title (fields the
    /// key cannot be a value of, and reference fields, are skipped); `ids(field, value)`
    /// asks the store for the ids of the records with that value. One rule for both stores.
    public static func find(_ target: EntityDefinition, _ key: String, parser: ValueParser,
                            ids: (FieldDefinition, Value) throws -> [Int64]) throws -> ReferenceMatches {
        var names = target.lookupKeys
        if let title = target.titleField, !names.contains(title) { names.append(title) }
        var byField: [(field: String, ids: [Int64])] = []
        for name in names {
            guard let f = target.field(name), !f.type.isReference,
                  let value = try? parser.parse(key, as: f.type), !value.isNull else { continue }
            byField.append((f.name, try ids(f, value)))
        }
        return ReferenceMatches(target: target, key: key, byField: byField)
    }

    /// True when no field could hold the key (the text is not a value of any of them).
    public var triedNothing: Bool { byField.isEmpty }

    public var ids: [Int64] {
        var seen: [Int64] = []
        for m in byField { for id in m.ids where !seen.contains(id) { seen.append(id) } }
        return seen
    }

    /// `no group with group_code 'G9' or name 'G9'`, with how to write an id when the
    /// key looks like one.
    public var notFound: String {
        let tried = byField.map { "\($0.field) '\(key)'" }.joined(separator: " or ")
        var text = "no \(target.name) with \(tried.isEmpty ? "that id" : tried)"
        let digits = !key.isEmpty && key.utf8.allSatisfy { (48...57).contains($0) }
        if digits, let n = Int64(key), n > 0 {
            text += key.first == "0"
                ? " (a number with leading zeros is never an id; #\(n) is the record with id \(n))"
                : " (#\(n) is the record with id \(n))"
        }
        return text
    }

    /// `'G1' matches group 4 by name and group 7 by group_code; write #4 or #7`.
    public var ambiguous: String {
        var parts: [String] = []
        for m in byField { for id in m.ids.prefix(3) { parts.append("\(target.name) \(id) by \(m.field)") } }
        let ids = self.ids.prefix(4).map { "#\($0)" }
        return "'\(key)' matches " + parts.joined(separator: ", ") + "; write " + ids.joined(separator: " or ")
    }

    /// True when the fields that matched do not all name the same records.
    var isAmbiguousForFilter: Bool {
        let hits = byField.filter { !$0.ids.isEmpty }
        return hits.count > 1 && hits.contains { Set($0.ids) != Set(hits[0].ids) }
    }
}
