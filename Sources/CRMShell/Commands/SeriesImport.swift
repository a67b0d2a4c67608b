import CRMCore
import CRMLua

/// `import <series> FILE.csv [map …] [from-line N] [encoding=NAME] [on conflict skip|update]`:
/// readings into a series declared with `crm.series` (such as 15-minute load readings),
/// with the options of an entity import. The file's columns are the series' key, time and
/// values; bad rows are reported as FILE:LINE and copied to the reject file, duplicates
/// refused unless `on conflict` says otherwise.
enum SeriesImport {
    static func run(_ args: inout TokenCursor, _ session: Session, store: SeriesStore, series: SeriesDefinition) throws -> Output {
        _ = args.next()
        let file = try args.word("the CSV file to import")
        let usage = "import \(series.name) <file.csv> [map column=\(series.key)|\(series.time)|… …] [encoding=NAME] [from-line N] [on conflict skip|update] "
            + "(a series: its columns are \(series.columns.joined(separator: ",")))"
        let options = try ImportOptions.parse(&args, usage: usage)
        if Importer.isSpreadsheet(file.text) {
            throw SyntaxError(message: "\(series.name) is a series: its readings are imported from CSV (save the sheet as CSV)", position: file.position)
        }
        var importer = SeriesImporter(store: store, series: series, path: file.text, atomic: session.atomic)
        importer.mapping = options.mapping
        importer.fromLine = options.fromLine
        importer.onConflict = options.onConflict
        importer.encoding = options.encoding
        importer.writeRejects = !session.dryRun
        importer.shouldStop = { LuaInterrupt.takeRequest() }
        let note = session.note
        var shown = 0
        importer.onReject = { line, message in
            shown += 1
            if shown <= 1000 { note(CellText.terminalSafe("\(file.text):\(line): \(message)", keepingLines: true)) }
        }
        let result = try importer.run()
        if shown > 1000 { note("… \(shown - 1000) more rejected rows not shown") }
        var summary = "imported \(result.imported) \(series.name)"
        if let from = result.from, let to = result.to {
            summary += " (\(DateCodec.localDisplay(utc: from)) … \(DateCodec.localDisplay(utc: to)))"
        }
        if options.onConflict == .update { summary += ", updated \(result.updated)" }
        if result.skipped > 0 { summary += ", skipped \(result.skipped) already there" }
        if result.rejected > 0 {
            let rejects = session.dryRun && !session.atomic
                ? "dry run: would write \(result.rejected) row\(result.rejected == 1 ? "" : "s") to \(Importer.rejectPath(for: file.text))"
                : "written to \(result.rejectPath ?? "-")"
            throw ImportError(path: file.text, line: 0, message: "\(summary), rejected \(result.rejected) (\(rejects))")
        }
        return .message(summary)
    }
}
