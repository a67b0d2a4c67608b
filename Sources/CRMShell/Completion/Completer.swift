import CRMCore

/// Tab completion for the command language: verbs, entity names, field names (after
/// `where`, `set`, `order by`, in `add`), enum values, and recent ids.
public struct Completer {
    let session: Session

    public init(session: Session) {
        self.session = session
    }

    /// The start of the word being completed and its candidates, for the text before the cursor.
    public func complete(_ text: String) -> (wordStart: Int, candidates: [String]) {
        let chars = Array(text)
        var start = chars.count
        while start > 0, !chars[start - 1].isWhitespace, !"=(,<>~!".contains(chars[start - 1]) { start -= 1 }
        let word = String(chars[start...])
        let before = String(chars[..<start])
        guard let tokens = try? Lexer.tokenize(before) else { return (start, []) }
        let words = tokens.map(\.text)
        let candidates = self.candidates(words, tokens: tokens, before: before)
        let lowered = word.lowercased()
        let matching = candidates.filter { $0.lowercased().hasPrefix(lowered) }
        var seen = Set<String>()
        return (start, matching.filter { seen.insert($0).inserted })
    }

    func candidates(_ words: [String], tokens: [Token], before: String) -> [String] {
        guard let first = words.first else { return session.verbs.names }
        guard let verb = session.verbs.verb(named: first) else { return [] }
        let schema = session.store.schema
        let entities = schema.names
        switch verb.completion {
        case .nothing:
            return []
        case .verb:
            return words.count == 1 ? session.verbs.names : []
        case .format:
            return words.count == 1 ? OutputFormat.allCases.map(\.rawValue) : []
        case .entity:
            return words.count == 1 ? entities : []
        case .entityAndID:
            if words.count == 1 { return entities }
            if words.count == 2, let e = schema.entity(named: words[1]) { return recentIDs(e) }
            return []
        case .entityAndFile:
            if words.count == 1 { return entities }
            if words.count >= 3, let e = schema.entity(named: words[1]) {
                if words.last == "=" && words.count >= 4 { return e.fields.map(\.name) + ["-"] }
                return ["map", "from-line", "on"].filter { !words.contains($0) } + (words.last == "on" ? ["conflict"] : [])
                    + (words.last == "conflict" ? ["skip", "update"] : [])
            }
            return []
        case .keywordThenFile(let keywords):
            return words.count == 1 ? keywords : []
        case .entityAndAssignments:
            if words.count == 1 { return entities }
            guard let e = schema.entity(named: words[1]) else { return [] }
            return assignmentCandidates(e, tokens)
        case .entityAndQuery:
            if words.count == 1 { return entities }
            guard let e = schema.entity(named: words[1]) else { return [] }
            if verb.name == "update" || verb.name == "delete", words.count == 2 { return ["where"] + recentIDs(e) }
            return queryCandidates(e, tokens, verb: verb.name)
        case .parameters(let parameters):
            if let last = tokens.last, last.kind == .symbol, last.text == "=", tokens.count >= 2,
               let p = parameters.first(where: { $0.name == tokens[tokens.count - 2].text }) {
                return p.choices + (p.entity.flatMap { schema.entity(named: $0) }.map(recentIDs) ?? [])
            }
            let given = Set(words)
            let position = words.count - 1 - tokens.filter { $0.kind == .symbol }.count * 2
            var out = parameters.filter { !given.contains($0.name) }.map { $0.name + "=" }
            if position >= 0, position < parameters.count { out = parameters[position].choices + out }
            return out
        case .report:
            guard let host = session.plugins else { return [] }
            if words.count == 1 { return host.reports.map(\.name) }
            guard let r = host.report(named: words[1]) else { return [] }
            if let last = tokens.last, last.kind == .symbol, last.text == "=", tokens.count >= 2,
               let p = r.parameters.first(where: { $0.name == tokens[tokens.count - 2].text }) {
                if case .enumeration(let values) = p.type { return values }
                if case .date = p.type { return ["today", "-7d", "-30d"] }
                return []
            }
            if let last = tokens.last, last.kind == .word, last.text == "to", tokens.count >= 3 { return [] }  // a file name follows
            return r.parameters.map { $0.name + "=" } + ["to"]
        }
    }

    func assignmentCandidates(_ e: EntityDefinition, _ tokens: [Token]) -> [String] {
        if let last = tokens.last, last.kind == .symbol, last.text == "=", tokens.count >= 2 {
            return values(e, tokens[tokens.count - 2].text)
        }
        let given = Set(tokens.map(\.text))
        return e.fields.filter { !given.contains($0.name) }.map { $0.name + "=" }
    }

    func queryCandidates(_ e: EntityDefinition, _ tokens: [Token], verb: String) -> [String] {
        let lower = tokens.map { $0.kind == .word ? $0.text.lowercased() : $0.text }
        if let setIndex = lower.lastIndex(of: "set"), verb == "update" {
            return assignmentCandidates(e, Array(tokens[(setIndex + 1)...]))
        }
        guard let last = lower.last else { return [] }
        let fields = e.allFieldNames
        switch last {
        case "where", "and", "or", "not", "(", "by", ",":
            return fields
        case "order":
            return ["by"]
        case "=", "!=", "<", "<=", ">", ">=", "~":
            return tokens.count >= 2 ? values(e, tokens[tokens.count - 2].text) : []
        case "in":
            // `field in (…)` takes values; `in` alone takes a segment.
            return lower.count >= 2 && fields.contains(lower[lower.count - 2]) ? [] : segmentNames()
        default:
            break
        }
        if lower.count >= 2, lower[lower.count - 2] == "in", lower.count < 3 || !fields.contains(lower[lower.count - 3]) {
            var next = lower.contains("where") ? ["and", "or", "order", "limit"] : ["where", "order", "limit"]
            if verb == "update" { next.append("set") }
            if verb == "export" { next.append("to") }
            return next
        }
        if lower.count >= 2, ["=", "!=", "<", "<=", ">", ">=", "~"].contains(lower[lower.count - 2]) || last == ")" {
            var next = ["and", "or", "order", "limit"]
            if verb == "update" { next.append("set") }
            if verb == "export" { next.append("to") }
            return next
        }
        if fields.contains(last) {
            return ["=", "!=", "<", ">", "~", "in", "is"]
        }
        if !lower.contains("where") && lower.count == 2 {
            var next = ["in", "where", "order", "limit"]
            if verb == "export" { next.append("to") }
            return next
        }
        return []
    }

    /// Enum values, yes/no, or relative dates for a field.
    func values(_ e: EntityDefinition, _ field: String) -> [String] {
        switch e.type(of: field) {
        case .enumeration(let values)?: return values
        case .bool?: return ["yes", "no"]
        case .date?, .datetime?: return ["today", "yesterday", "tomorrow", "-7d", "+7d"]
        case .month?: return ["this-month", "last-month", "next-month", "-1m", "+1m"]
        case .reference(let target)?:
            guard let t = session.store.schema.entity(named: target) else { return [] }
            return recentIDs(t)
        default: return []
        }
    }

    /// The saved segments' names, for `in …`.
    func segmentNames() -> [String] {
        guard session.store.schema.entity(named: "segment") != nil,
              let rows = try? session.store.select(sql: "SELECT name FROM segment ORDER BY name LIMIT 200", arguments: []) else { return [] }
        return rows.rows.map { $0[0].displayText }
    }

    /// The newest ids of an entity: cheap (an index scan), and usually what is wanted.
    func recentIDs(_ e: EntityDefinition) -> [String] {
        let rows = (try? session.store.list(Query(entity: e.name, order: [SortKey(FieldRef("id"), descending: true)],
                                                 limit: 20, fields: ["id"]))) ?? ResultTable(columns: [], rows: [])
        return rows.rows.map { $0[0].displayText }
    }
}
