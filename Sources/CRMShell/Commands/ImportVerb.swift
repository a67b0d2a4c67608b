import CRMCore
import CRMLua

/// `import <entity> FILE.csv [map col=field …]`: loads records from a CSV file.
struct ImportVerb: Verb {
    let name = "import"
    let summary = "load records from a CSV file (bad rows reported by line)"
    let usage = ["import <entity> <file.csv> [map column=field …] [from-line N] [on conflict skip|update]"]
    let details = """
        The first line names the columns. A column goes to the field of the same name (or
        label); map renames (map 手机=phone) or skips (map memo=-) columns. id, created and
        updated columns (as in an export) are ignored: new records get their own.

        Every row is checked like an add. Bad rows are reported as FILE:LINE: reason. Without
        --atomic, good rows go in and bad rows are copied beside the input (leads.csv → leads.rejects.csv),
        and the command fails so a script notices. With --atomic, one bad row cancels the whole
        import.

        A line that cannot be read as CSV (an unterminated quote) stops the import: the rows
        before it are kept, and the message says which lines went in and the from-line to
        continue with once the file is fixed. on conflict skip leaves out rows whose unique
        value (a phone, a code) an existing record already has; on conflict update writes the
        row's values into that record instead. Either makes importing the same file twice safe.

        Examples:
          import customer customers.csv
          import customer leads.csv map 姓名=name 手机=phone 备注=-
          import customer big.csv from-line 150001
          import customer crm-export.csv on conflict update
        """
    let completion = CompletionShape.entityAndFile

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        // A series (readings declared with crm.series) has its own importer: SeriesImport.swift.
        if let store = session.store as? SQLiteStore, let word = args.peek?.text, let series = try store.series(named: word) {
            return try SeriesImport.run(&args, session, store: store, series: series)
        }
        let e = try session.entity(&args)
        let file = try args.word("the CSV file to import")
        var mapping: [String: String] = [:]
        var fromLine = 0
        var onConflict = Importer.ConflictPolicy.reject
        while !args.atEnd {
            if args.consumeKeyword("map") {
                let before = mapping.count
                while let t = args.peek, t.kind != .symbol, !args.isKeyword("from-line"), !args.isKeyword("on") {
                    let column = args.next()!
                    guard let eq = args.peek, eq.kind == .symbol, eq.text == "=" else {
                        throw SyntaxError(message: "expected '=' after '\(column.text)' (write map column=field)", position: args.position)
                    }
                    _ = args.next()
                    let field = (args.atEnd || args.peek!.spaceBefore) ? "" : args.gluedValue().text
                    mapping[column.text] = field.isEmpty ? "-" : field
                }
                if mapping.count == before { throw SyntaxError(message: "expected column=field after 'map'", position: args.position) }
            } else if args.consumeKeyword("from-line") {
                let position = args.position
                fromLine = try args.count("from-line")
                if fromLine < 2 { throw SyntaxError(message: "from-line is a line of the file after the header (2 or more)", position: position) }
            } else if args.consumeKeyword("on") {
                try args.expectKeyword("conflict", after: "'on'")
                let t = try args.word("skip or update after 'on conflict'")
                guard let policy = Importer.ConflictPolicy(rawValue: t.text.lowercased()), policy != .reject else {
                    throw SyntaxError(message: "expected skip or update after 'on conflict', got '\(t.text)'", position: t.position)
                }
                onConflict = policy
            } else {
                try args.expectEnd(usageLine)
            }
        }
        var importer = Importer(store: session.store, entity: e.name, path: file.text, mapping: mapping, atomic: session.atomic)
        importer.fromLine = fromLine
        importer.onConflict = onConflict
        importer.shouldStop = { LuaInterrupt.takeRequest() }
        let note = session.note
        var shown = 0
        importer.onReject = { line, message in
            shown += 1
            if shown <= 1000 { note("\(file.text):\(line): \(message)") }
        }
        let result = try importer.run()
        if shown > 1000 { note("… \(shown - 1000) more rejected rows not shown") }
        var summary = "imported \(result.imported) \(e.name)"
        if onConflict == .update { summary += ", updated \(result.updated)" }
        if result.skipped > 0 {
            summary += onConflict == .skip ? ", skipped \(result.skipped) already there" : ", \(result.skipped) already up to date"
        }
        if result.rejected > 0 {
            throw ImportError(path: file.text, line: 0,
                              message: "\(summary), rejected \(result.rejected) (written to \(result.rejectPath ?? "-"))")
        }
        return .message(summary)
    }
}
