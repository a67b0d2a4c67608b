import CRMCore

/// `entities`: what the database holds.
struct EntitiesVerb: Verb {
    let name = "entities"
    let summary = "list the entities and how many records each has"
    let usage = ["entities"]
    let details = "Lists every entity with its label, who defined it (core or a plugin) and its record count."
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        try args.expectEnd(usageLine)
        let rows = try session.store.schema.entities.map { e -> [Value] in
            [.text(e.name), .text(e.label), .text(e.owner), .integer(Int64(try session.store.count(e.name, where: nil)))]
        }
        return .table(ResultTable(columns: [Column("entity"), Column("label"), Column("from"), Column("records", numeric: true)],
                                  rows: rows))
    }
}

/// `describe <entity>`: the fields of an entity, their types and constraints.
struct DescribeVerb: Verb {
    let name = "describe"
    let summary = "show the fields of an entity, their types and constraints"
    let usage = ["describe <entity>"]
    let details = """
        describe <series> shows a series' key, time and values with their checks, and how
        many readings it holds for how many keys, from when to when.

        Examples:
          describe customer
          describe load_reading
        """
    let completion = CompletionShape.entity

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        if let (store, series) = try SeriesCommands.named(args, session) {
            return try SeriesCommands.describe(&args, session, store, series, usage: usageLine)
        }
        let e = try session.entity(&args)
        try args.expectEnd(usageLine)
        var rows: [[Value]] = [[.text("id"), .text("ID"), .text("integer"), .text("set by the system")]]
        for f in e.fields {
            var rules: [String] = []
            if f.required { rules.append("required") }
            if let p = f.plugin, p != e.owner { rules.append("plugin \(p)") }
            if f.unique { rules.append("unique") }
            if e.lookupKeys.contains(f.name) { rules.append("lookup key") }
            if let d = f.defaultText { rules.append("default \(d)") }
            if let m = f.min { rules.append("min \(m)") }
            if let m = f.max { rules.append("max \(m)") }
            if let m = f.maxLength { rules.append("max length \(m)") }
            if let p = f.pattern { rules.append("pattern \(p)") }
            if let c = f.computed { rules.append("computed: \(c)") }
            if let h = f.help { rules.append(h) }
            rows.append([.text(f.name), .text(f.label), .text(f.type.name), .text(rules.joined(separator: "; "))])
        }
        rows.append([.text("created"), .text("Created"), .text("datetime"), .text("set by the system")])
        rows.append([.text("updated"), .text("Updated"), .text("datetime"), .text("set by the system")])
        let indexes = e.indexes.map { ($0.unique ? "unique " : "") + "(" + $0.fields.joined(separator: ", ") + ")" }
        var title = "\(e.name) — \(e.label)"
        if !indexes.isEmpty { title += "; indexes: " + indexes.joined(separator: ", ") }
        if !e.searchFields.isEmpty { title += "; find searches: " + e.searchFields.joined(separator: ", ") }
        return .table(ResultTable(title: title, columns: [Column("field"), Column("label"), Column("type"), Column("rules")],
                                  rows: rows))
    }
}
