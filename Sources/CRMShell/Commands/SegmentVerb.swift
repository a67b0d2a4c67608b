import CRMCore
import Foundation

/// `segment …`: named saved filters and static lists of customers, used by every verb
/// that takes a filter as `in NAME`.
struct SegmentVerb: Verb {
    let name = "segment"
    let summary = "saved filters and lists of customers, used as 'list customer in NAME'"
    let usage = ["segment [list]", "segment add <name> where <filter>", "segment add <name> from list <#id|phone|email>, …",
                 "segment add <name> from file <path>", "segment change <name> where <filter>",
                 "segment show <name>", "segment history <name>", "segment remove <name>"]
    let details = """
        A segment is a named group of customers. A filter segment is saved as written and
        evaluated each time it is used, so it follows the data; a list segment holds the
        customers it was made with. Every verb that takes a filter takes 'in NAME' before
        or inside its 'where': list, count, export, update, recompute. For an entity with
        a customer field (deal, interaction, ticket, quote…) 'in NAME' means records whose
        customer is in the segment. A filter that does not parse is refused with its
        position; changes of a definition are in the segment's history.

        In a list, #12 is a customer id; anything else is a phone (or an email, with @).
        A file holds one value per line (the first column of a CSV; a header is skipped).

        Examples:
          segment add vip-shanghai where value_class = A and city = 上海
          segment add fair-2026 from list #12, 13800000001, li@example.com
          list customer in vip-shanghai where stage = growth
          count deal in vip-shanghai where stage = won
          export customer in fair-2026 to fair.csv
        """
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let store = session.store
        guard let sub = args.next() else { return try listing(store) }
        switch sub.text.lowercased() {
        case "list":
            try args.expectEnd(usageLine)
            return try listing(store)
        case "add":
            let name = try args.word("a segment name")
            if args.consumeKeyword("where") { return try define(name, &args, store, existing: nil) }
            try args.expectKeyword("from", after: "the segment name (where … or from list … / from file …)")
            let values: [(String, Int)]
            let source: String
            if args.consumeKeyword("list") {
                values = try listValues(&args)
                source = "list: " + values.map(\.0).joined(separator: ", ")
            } else if args.consumeKeyword("file") {
                let path = try args.word("a file of customer ids or phones")
                try args.expectEnd(usageLine)
                values = try fileValues(path.text).map { ($0, path.position) }
                source = "file: " + path.text
            } else {
                throw SyntaxError(message: "expected 'list' or 'file' after 'from'", position: args.position)
            }
            return try makeList(name, values, source: source, store)
        case "change":
            let name = try args.word("a segment name")
            let record = try segment(name, store)
            guard record["kind"] == .text("filter") else {
                throw SyntaxError(message: "segment '\(name.text)' is a list: remove it and add it again to change it", position: name.position)
            }
            try args.expectKeyword("where", after: "the segment name")
            return try define(name, &args, store, existing: record.id)
        case "show":
            let name = try args.word("a segment name")
            try args.expectEnd(usageLine)
            let record = try segment(name, store)
            let size = try store.count("customer", where: .segment(record["name"].displayText, position: name.position))
            return .record(RecordView(title: "segment \(record["name"].displayText)", fields: [
                ("name", "Name", record["name"]), ("kind", "Kind", record["kind"]), ("size", "Customers", .integer(Int64(size))),
                ("definition", "Definition", record["definition"]), ("description", "Description", record["description"]),
                ("updated", "Changed", record["updated"]),
            ]))
        case "history":
            let name = try args.word("a segment name")
            try args.expectEnd(usageLine)
            return .table(try store.history("segment", id: try segment(name, store).id))
        case "remove":
            let name = try args.word("a segment name")
            try args.expectEnd(usageLine)
            let record = try segment(name, store)
            if let c = try store.select(sql: "SELECT id FROM campaign WHERE segment = ? LIMIT 1", arguments: [.integer(record.id)]).rows.first {
                throw SyntaxError(message: "segment '\(name.text)' is the audience of campaign #\(c[0].displayText): it is kept", position: name.position)
            }
            let members = try store.atomically { () -> Int in
                let n = try store.count("segment_member", where: .compare(FieldRef("segment"), .eq, Literal("#\(record.id)")))
                for row in try store.select(sql: "SELECT id FROM segment_member WHERE segment = ?", arguments: [.integer(record.id)]).rows {
                    if case .integer(let id) = row[0] { try store.delete("segment_member", id: id) }
                }
                try store.delete("segment", id: record.id)
                return n
            }
            return .message("removed segment \(name.text)" + (members > 0 ? " and its \(members) members" : ""))
        default:
            throw SyntaxError(message: "expected list, add, change, show, history or remove after 'segment'", position: sub.position)
        }
    }

    func listing(_ store: CRMStore) throws -> Output {
        var rows: [[Value]] = []
        for row in try store.select(sql: "SELECT name, kind, definition FROM segment ORDER BY name", arguments: []).rows {
            let size = try store.count("customer", where: .segment(row[0].displayText, position: 0))
            rows.append([row[0], row[1], .integer(Int64(size)), row[2]])
        }
        return .table(ResultTable(title: "segments", columns: [Column("name"), Column("kind"), Column("size", numeric: true), Column("definition")], rows: rows))
    }

    func segment(_ name: Token, _ store: CRMStore) throws -> Record {
        guard let row = try store.select(sql: "SELECT id FROM segment WHERE name = ?", arguments: [.text(name.text)]).rows.first,
              case .integer(let id) = row[0], let record = try store.record("segment", id: id) else {
            throw SyntaxError(message: "no segment '\(name.text)' (see: segment list)", position: name.position)
        }
        return record
    }

    /// Saves `where …` as a new filter segment or a changed definition of one.
    func define(_ name: Token, _ args: inout TokenCursor, _ store: CRMStore, existing: Int64?) throws -> Output {
        let start = args.index
        let (filter, next) = try FilterParser.parse(args.tokens, from: args.index)
        args.index = next
        try args.expectEnd(usageLine)
        let text = args.tokens[start..<next].map(SegmentVerb.source).joined(separator: " ")
        // Compiling checks every field and value now, with positions on this line.
        let size = try store.count("customer", where: filter)
        if case .segment(let inner, let at) = filter, inner == name.text {
            throw SyntaxError(message: "segment '\(inner)' cannot be defined by itself", position: at)
        }
        let values: [String: Value] = ["definition": .text(text), "compiled": .text(SegmentFilterText.encode(filter))]
        try store.atomically {
            if let existing {
                _ = try store.update("segment", id: existing, values: values)
                // A change that makes the segment use itself is refused before it is kept.
                _ = try store.count("customer", where: .segment(name.text, position: name.position))
            } else {
                _ = try store.create("segment", values: values.merging(["name": .text(name.text), "kind": .text("filter")]) { a, _ in a })
            }
        }
        return .message("segment \(name.text): \(size) customer\(size == 1 ? "" : "s")\(existing == nil ? "" : " (definition changed)")")
    }

    /// A token as it would be typed again (quoted text re-quoted).
    static func source(_ t: Token) -> String {
        guard t.kind == .quoted else { return t.text }
        return "'" + t.text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    func listValues(_ args: inout TokenCursor) throws -> [(String, Int)] {
        var values: [(String, Int)] = []
        while let t = args.next() {
            if t.kind == .symbol && t.text == "," { continue }
            if t.kind == .symbol { throw SyntaxError(message: "unexpected '\(t.text)' in the list", position: t.position) }
            values.append((t.text, t.position))
        }
        guard !values.isEmpty else { throw SyntaxError(message: "expected customer ids (#12) or phones after 'list'", position: args.position) }
        return values
    }

    func fileValues(_ path: String) throws -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SyntaxError(message: "cannot read \(path) as UTF-8 text", position: 0)
        }
        var out: [String] = []
        for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let first = line.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let value = first.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\"")))
            if value.isEmpty { continue }
            if n == 0, ["id", "phone", "email", "customer", "手机", "电话"].contains(value.lowercased()) { continue }
            out.append(value)
        }
        return out
    }

    /// Saves a list segment: every value must name one customer, or nothing is written.
    func makeList(_ name: Token, _ values: [(String, Int)], source: String, _ store: CRMStore) throws -> Output {
        var ids: [Int64] = []
        var seen = Set<Int64>()
        for (text, position) in values {
            let id = try customer(text, position: position, store)
            if seen.insert(id).inserted { ids.append(id) }
        }
        let clipped = source.count > 3900 ? String(source.prefix(3900)) + " …" : source
        try store.atomically {
            let segment = try store.create("segment", values: ["name": .text(name.text), "kind": .text("list"), "definition": .text(clipped)])
            for id in ids { _ = try store.create("segment_member", values: ["segment": .integer(segment), "customer": .integer(id)]) }
        }
        return .message("segment \(name.text): \(ids.count) customer\(ids.count == 1 ? "" : "s")")
    }

    func customer(_ text: String, position: Int, _ store: CRMStore) throws -> Int64 {
        if text.hasPrefix("#"), let id = Int64(text.dropFirst()) {
            guard try store.record("customer", id: id) != nil else { throw SyntaxError(message: "no customer #\(id)", position: position) }
            return id
        }
        let field = text.contains("@") ? "email" : "phone"
        let rows = try store.select(sql: "SELECT id FROM customer WHERE \(field) = ? ORDER BY id LIMIT 2", arguments: [.text(text)]).rows
        guard let first = rows.first?[0], case .integer(let id) = first else {
            throw SyntaxError(message: "no customer with \(field) \(text) (a customer id is written #12)", position: position)
        }
        guard rows.count == 1 else {
            throw SyntaxError(message: "two customers have \(field) \(text): name one by its id (#\(id)…)", position: position)
        }
        return id
    }
}
