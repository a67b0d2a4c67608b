import CRMCore

/// `list`, `count` and `describe` of a series (readings declared with `crm.series`, such as
/// 15-minute load readings): ListVerb, CountVerb and DescribeVerb hand a series name here.
/// The filter language is the one records use; the key takes the key record's title (an
/// account number) or its id, as an import file does.
enum SeriesCommands {
    /// The series the next word names, if it names one (the word is left for the caller).
    static func named(_ args: TokenCursor, _ session: Session) throws -> (SeriesStore, SeriesDefinition)? {
        guard let store = session.store as? SeriesStore, let word = args.peek?.text, store.schema.entity(named: word) == nil,
              let series = try store.series(named: word) else { return nil }
        return (store, series)
    }

    /// `list <series> [where …] [order by …] [limit N] [offset N]`: in key and time order.
    static func list(_ args: inout TokenCursor, _ session: Session, _ store: SeriesStore, _ series: SeriesDefinition,
                     usage: String) throws -> Output {
        _ = args.next()
        let q = try QueryClauses.parse(&args)
        try args.expectEnd(usage)
        var table = try store.listSeries(series.name, filter: q.filter, order: q.order, limit: q.limit, offset: q.offset)
        if session.format.isData { return .table(table) }
        // The key as "12 3300000001", as list shows a reference.
        let titles = ReferenceTitles(store: store)
        table.columns[0].numeric = false
        for r in table.rows.indices {
            if case .integer(let id) = table.rows[r][0] { table.rows[r][0] = .text(try titles.text(target: series.keyEntity, id: id)) }
        }
        return .table(table)
    }

    /// `count <series> [where …]`.
    static func count(_ args: inout TokenCursor, _ session: Session, _ store: SeriesStore, _ series: SeriesDefinition,
                      usage: String) throws -> Output {
        _ = args.next()
        let q = try QueryClauses.parse(&args, allowOrder: false, allowLimit: false)
        try args.expectEnd(usage)
        return .message(String(try store.countSeries(series.name, filter: q.filter)))
    }

    /// `describe <series>`: its columns and checks, its key, how many readings it holds and
    /// the time they cover.
    static func describe(_ args: inout TokenCursor, _ session: Session, _ store: SeriesStore, _ series: SeriesDefinition,
                         usage: String) throws -> Output {
        _ = args.next()
        try args.expectEnd(usage)
        let keyTitle = store.schema.entity(named: series.keyEntity)?.titleField
        var grid = "any time"
        if series.step > 0 { grid = "on the \(series.periodName) grid" }
        var rows: [[Value]] = [
            [.text(series.key), .text(series.key), .text(FieldType.reference(series.keyEntity).name),
             .text("required; key, with \(series.time); in files by \(keyTitle.map { "\($0) or " } ?? "")id")],
            [.text(series.time), .text(series.time), .text("datetime"), .text("required; key, with \(series.key); \(grid)")],
        ]
        for f in series.fields {
            var rules: [String] = []
            if f.required { rules.append("required") }
            if let m = f.min { rules.append("min \(m)") }
            if let m = f.max { rules.append("max \(m)") }
            for l in series.limits where l.field == f.name {
                rules.append("at most \(l.timesText) × the \(series.keyEntity)'s \(l.per)")
            }
            if let h = f.help { rules.append(h) }
            rows.append([.text(f.name), .text(f.label), .text(f.type.name), .text(rules.joined(separator: "; "))])
        }
        let s = try store.seriesSummary(series.name)
        var title = "\(series.name) — \(series.label); a series from \(series.owner): one reading per \(series.key) and \(series.time), "
            + "a second one refused unless imported with on conflict skip or update; \(s.readings) reading\(s.readings == 1 ? "" : "s")"
        if let first = s.first, let last = s.last {
            title += " of \(s.keys) \(series.keyEntity)\(s.keys == 1 ? "" : "s"), \(DateCodec.localDisplay(utc: first)) … \(DateCodec.localDisplay(utc: last))"
        }
        return .table(ResultTable(title: title, columns: [Column("field"), Column("label"), Column("type"), Column("rules")], rows: rows))
    }
}
