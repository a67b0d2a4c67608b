import CRMCore

/// Which fields `list` shows for an entity: picked for one command (`list customer columns
/// name, grade`), for the session (`columns customer name, grade`), or else the entity's
/// default (`list = { … }` in its plugin; all fields when none is declared).
public enum ColumnChoice: Equatable, Sendable {
    /// Every field (`*` or `all`).
    case all
    /// These fields, in this order; `id` comes first unless it is among them.
    case fields([String])

    /// The field names to select for `e`.
    public func names(for e: EntityDefinition) -> [String] {
        switch self {
        case .all: return e.allFieldNames
        case .fields(let names): return names.contains("id") ? names : ["id"] + names
        }
    }

    /// `name, grade, group_code`, `*` or `all`: a field that `e` does not have is an
    /// error pointing at it, with the closest name.
    static func parse(_ args: inout TokenCursor, entity e: EntityDefinition) throws -> ColumnChoice {
        let first = try args.word("field names after 'columns' (name, city, … or * for all)")
        if first.kind == .word, first.text == "*" || first.text.lowercased() == "all" { return .all }
        var names: [String] = []
        var t = first
        while true {
            guard e.type(of: t.text) != nil else {
                throw Located(StoreError.unknownField(entity: e.name, field: t.text,
                                                      suggestion: NameSuggestion.closest(to: t.text, in: e.allFieldNames)),
                              position: t.position)
            }
            if !names.contains(t.text) { names.append(t.text) }
            guard let comma = args.peek, comma.kind == .symbol, comma.text == "," else { break }
            _ = args.next()
            t = try args.word("a field name after ','")
        }
        return .fields(names)
    }

    /// `name, grade` (or `*`), as `columns` shows it.
    public var text: String {
        switch self {
        case .all: return "*"
        case .fields(let names): return names.joined(separator: ", ")
        }
    }
}

extension Session {
    /// The columns `list` shows for `e`: the command's own choice, else the session's,
    /// else the entity's default.
    func listColumns(_ e: EntityDefinition, chosen: ColumnChoice?) -> [String] {
        (chosen ?? columns[e.name])?.names(for: e) ?? e.listFields ?? e.allFieldNames
    }
}
