import CRMCore
import CRMLua

/// `import <series> FILE.csv`: readings into a series declared with `crm.series` (such as
/// 15-minute load readings). The file's columns are the series' key, time and values;
/// bad rows are reported as FILE:LINE and copied to the reject file, duplicates refused.
enum SeriesImport {
    static func run(_ args: inout TokenCursor, _ session: Session, store: SQLiteStore, series: SeriesDefinition) throws -> Output {
        _ = args.next()
        let file = try args.word("the CSV file to import")
        try args.expectEnd("import \(series.name) <file.csv> (a series: its columns are \(series.columns.joined(separator: ",")))")
        var importer = SeriesImporter(store: store, series: series, path: file.text, atomic: session.atomic)
        importer.shouldStop = { LuaInterrupt.takeRequest() }
        let note = session.note
        var shown = 0
        importer.onReject = { line, message in
            shown += 1
            if shown <= 1000 { note("\(file.text):\(line): \(message)") }
        }
        let result = try importer.run()
        if shown > 1000 { note("… \(shown - 1000) more rejected rows not shown") }
        var summary = "imported \(result.imported) \(series.name)"
        if let from = result.from, let to = result.to {
            summary += " (\(DateCodec.localDisplay(utc: from)) … \(DateCodec.localDisplay(utc: to)))"
        }
        if result.rejected > 0 {
            throw ImportError(path: file.text, line: 0,
                              message: "\(summary), rejected \(result.rejected) (written to \(result.rejectPath ?? "-"))")
        }
        return .message(summary)
    }
}
