import CRMCore
import CRMLua

/// `import <entity> FILE.csv [map col=field …]`: loads records from a CSV file.
struct ImportVerb: Verb {
    let name = "import"
    let summary = "load records from a CSV file (bad rows reported by line)"
    let usage = ["import <entity> <file.csv> [map column=field …]"]
    let details = """
        The first line names the columns. A column goes to the field of the same name (or
        label); map renames (map 手机=phone) or skips (map memo=-) columns. id, created and
        updated columns (as in an export) are ignored: new records get their own.

        Every row is checked like an add. Bad rows are reported as FILE:LINE: reason. Without
        --atomic, good rows go in and bad rows are copied beside the input (leads.csv → leads.rejects.csv),
        and the command fails so a script notices. With --atomic, one bad row cancels the whole
        import.

        Examples:
          import customer customers.csv
          import customer leads.csv map 姓名=name 手机=phone 备注=-
        """
    let completion = CompletionShape.entityAndFile

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let e = try session.entity(&args)
        let file = try args.word("the CSV file to import")
        var mapping: [String: String] = [:]
        if args.consumeKeyword("map") {
            for (column, field, _) in try args.assignments() {
                mapping[column.text] = field.isEmpty ? "-" : field
            }
            if mapping.isEmpty { throw SyntaxError(message: "expected column=field after 'map'", position: args.position) }
        }
        try args.expectEnd(usageLine)
        var importer = Importer(store: session.store, entity: e.name, path: file.text, mapping: mapping, atomic: session.atomic)
        importer.shouldStop = { LuaInterrupt.takeRequest() }
        let note = session.note
        var shown = 0
        importer.onReject = { line, message in
            shown += 1
            if shown <= 1000 { note(CellText.terminalSafe("\(file.text):\(line): \(message)", keepingLines: true)) }
        }
        let result = try importer.run()
        if shown > 1000 { note("… \(shown - 1000) more rejected rows not shown") }
        if result.rejected > 0 {
            throw ImportError(path: file.text, line: 0,
                              message: "imported \(result.imported) \(e.name), rejected \(result.rejected) (written to \(result.rejectPath ?? "-"))")
        }
        return .message("imported \(result.imported) \(e.name)")
    }
}
