import CRMCore
import CRMLua

/// `import <entity> FILE.csv|FILE.xlsx [map col=field …]`: loads records from a CSV file or a workbook.
struct ImportVerb: Verb {
    let name = "import"
    let summary = "load records from a CSV, .xlsx or .vcf file (bad rows reported by line)"
    let usage = ["import <entity> <file.csv|file.xlsx> [map column=field …] [encoding=NAME] [from-line N] [on conflict skip|update]",
                 "import contact <file.vcf>"]
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

        A CSV may be UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order
        mark, or GB18030/GBK as Excel saves it on a Chinese Windows: that is detected when
        the text is not UTF-8, or named with encoding=gb18030.

        An .xlsx is read from its first sheet, whose first row names the columns; line
        numbers are the sheet's row numbers, date cells are read as dates, and bad rows go
        to a CSV beside it (leads.xlsx → leads.rejects.csv).

        import <series> FILE.csv loads readings into a series a plugin declares (the
        utilities plugin's load_reading): key, time and values per row, checked in memory,
        the import audited once. map, encoding=, from-line and on conflict work as above; a
        reading already stored is a bad row unless on conflict skip or update says otherwise.

        import contact FILE.vcf reads vCards (3 or 4): FN is the name, ORG names the customer
        (by name; a card naming no customer is rejected with its line), TITLE, TEL, EMAIL
        and NOTE fill the rest. Bad cards are copied to FILE.rejects.vcf.

        Examples:
          import customer customers.csv
          import customer leads.csv map 姓名=name 手机=phone 备注=-
          import customer big.csv from-line 150001
          import customer crm-export.csv on conflict update
          import customer 客户.csv encoding=gb18030
          import customer 名单.xlsx map 姓名=name 手机=phone
          import contact cards.vcf
        """
    let completion = CompletionShape.entityAndFile

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        // A series (readings declared with crm.series) has its own importer: SeriesImport.swift.
        if let store = session.store as? SeriesStore, let word = args.peek?.text, let series = try store.series(named: word) {
            return try SeriesImport.run(&args, session, store: store, series: series)
        }
        let e = try session.entity(&args)
        // Refused before the file is read.
        try (session.store as? AccessControlled)?.requireRight(.import, e.name)
        let file = try args.word("the CSV file to import")
        // vCard (issue 15, reports people pass around): see Files/Interchange.swift.
        if let imported = try InterchangeImport.run(entity: e, file: file, &args, session) { return imported }
        let options = try ImportOptions.parse(&args, usage: usageLine)
        let (mapping, fromLine, onConflict, encoding) = (options.mapping, options.fromLine, options.onConflict, options.encoding)
        if encoding != nil, Importer.isSpreadsheet(file.text) {
            throw SyntaxError(message: "encoding= applies to CSV files (an .xlsx names its own)", position: file.position)
        }
        var importer = Importer(store: session.store, entity: e.name, path: file.text, mapping: mapping, atomic: session.atomic)
        importer.fromLine = fromLine
        importer.onConflict = onConflict
        importer.writeRejects = !session.dryRun
        importer.encoding = encoding
        importer.shouldStop = { LuaInterrupt.takeRequest() }
        let note = session.note
        var shown = 0
        importer.onReject = { line, message in
            shown += 1
            if shown <= 1000 { note(CellText.terminalSafe("\(file.text):\(line): \(message)", keepingLines: true)) }
        }
        let result = try importer.run()
        if shown > 1000 { note("… \(shown - 1000) more rejected rows not shown") }
        var summary = "imported \(result.imported) \(e.name)"
        if onConflict == .update { summary += ", updated \(result.updated)" }
        if result.skipped > 0 {
            summary += onConflict == .skip ? ", skipped \(result.skipped) already there" : ", \(result.skipped) already up to date"
        }
        if result.rejected > 0 {
            let rejects = session.dryRun && !session.atomic
                ? "dry run: would write \(result.rejected) row\(result.rejected == 1 ? "" : "s") to \(Importer.rejectPath(for: file.text))"
                : "written to \(result.rejectPath ?? "-")"
            throw ImportError(path: file.text, line: 0, message: "\(summary), rejected \(result.rejected) (\(rejects))")
        }
        return .message(summary)
    }

    /// The NAME of `encoding=NAME` (the keyword already read).
    static func encoding(_ args: inout TokenCursor, accepting names: String) throws -> TextEncoding {
        if let eq = args.peek, eq.kind == .symbol, eq.text == "=" { _ = args.next() }
        let value = args.gluedValue()
        guard !value.text.isEmpty else {
            throw SyntaxError(message: "expected an encoding after 'encoding=' (\(names))", position: value.position)
        }
        guard let e = TextEncoding(name: value.text) else {
            throw SyntaxError(message: "unknown encoding '\(value.text)' (use \(names))", position: value.position)
        }
        return e
    }
}
