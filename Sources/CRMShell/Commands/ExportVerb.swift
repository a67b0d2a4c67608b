import CRMCore
import Foundation

/// `export <entity> [where …] to FILE`: writes records to a CSV, JSON or .xlsx file.
struct ExportVerb: Verb {
    let name = "export"
    let summary = "write records to a .csv, .xlsx, .json, .ndjson, .vcf or .ics file"
    let usage = ["export <entity> [columns <field>, …] [in <segment>] [where <filter>] [order by …] [limit N] to <file> [--raw] [encoding=NAME]",
                 "export contact [where …] to <file.vcf>", "export task|deal [where …] to <file.ics>"]
    let details = """
        The format follows the file's extension: .csv (header of field names), .xlsx (a
        spreadsheet: one sheet, a header row of field names, numbers, money and dates as
        number and date cells), .json (an array of objects) or .ndjson/.jsonl (one object
        per line). All fields are written (or those after columns), never cut; money keeps its exact digits. Rows
        stream to the file, so exports of any size use little memory; the file appears
        only when complete. The file is private to you (mode 0600).

        In a .csv, text that starts with = + - @, a tab or a carriage return gets a
        leading ' so that a spreadsheet shows it instead of running it as a formula;
        numbers and money are written as they are. --raw writes every cell exactly
        (for a file you will import again). An .xlsx needs neither: its cells are never
        formulas.

        A .csv is UTF-8; encoding=utf-8-bom starts it with the byte-order mark Excel needs
        to show Chinese right, and encoding=gb18030 writes it as Excel on a Chinese Windows
        saves CSV (GBK-compatible).

        Contacts export as vCard 4 (.vcf: FN, N, ORG = the customer, TITLE, TEL, EMAIL,
        NOTE), tasks as iCalendar to-dos (.ics: DUE, SUMMARY, STATUS) and deals' expected
        closes as all-day calendar events (.ics), each with a UID that stays the same.

        Examples:
          export customer where city = 上海 to shanghai.csv
          export deal where stage = won order by closed to won.json
          export customer to backup.csv --raw
          export customer to 客户.csv encoding=gb18030
          export deal where stage = won to won.xlsx
          export contact where customer = 14 to 14.vcf
          export task where status = open and due <= +7d to week.ics
        """
    let completion = CompletionShape.entityAndQuery

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let e = try session.entity(&args)
        let fields = args.consumeKeyword("columns") ? try ColumnChoice.parse(&args, entity: e).names(for: e) : e.allFieldNames
        let q = try QueryClauses.parse(&args)
        try args.expectKeyword("to", after: "the entity or filter (export <entity> … to <file>)")
        let file = try args.word("the file to write")
        var raw = false
        var encoding = TextEncoding.utf8
        var encodingPosition: Int?
        while !args.atEnd {
            if let t = args.peek, t.kind == .word, t.text == "--raw" {
                raw = true
                args.index += 1
            } else if args.consumeKeyword("encoding") {
                encodingPosition = args.position
                encoding = try ImportVerb.encoding(&args, accepting: TextEncoding.exportNames)
                guard encoding.isExportable else {
                    throw SyntaxError(message: "export writes \(TextEncoding.exportNames), not \(encoding.rawValue)", position: encodingPosition!)
                }
            } else {
                try args.expectEnd(usageLine)
            }
        }
        // Refused before the file is created.
        try (session.store as? AccessControlled)?.requireRight(.export, e.name)
        let ext = (file.text as NSString).pathExtension.lowercased()
        // vCard and iCalendar (issue 15, reports people pass around): see Files/Interchange.swift.
        if let written = try InterchangeExport.run(ext, entity: e, query: q, file: file, session) { return written }
        let format: OutputFormat
        switch ext {
        case "csv": format = .csv
        case "json": format = .json
        case "ndjson", "jsonl": format = .ndjson
        case "xlsx": format = .table  // a spreadsheet: written by XlsxWriter below
        default:
            throw SyntaxError(message: "cannot tell the format of '\(file.text)': use a .csv, .xlsx, .json or .ndjson file", position: file.position)
        }
        if let encodingPosition, format != .csv, encoding != .utf8 {
            throw SyntaxError(message: "encoding= applies to .csv files (.\(ext) is always UTF-8)", position: encodingPosition)
        }
        let query = Query(entity: e.name, filter: q.filter, order: q.order, limit: q.limit, offset: q.offset,
                          fields: fields)
        if session.dryRun {
            var rows = 0
            _ = try session.store.scan(query) { _ in rows += 1 }
            return .message("dry run: would write \(rows) \(e.name) to \(file.text)")
        }
        if ext == "xlsx" {
            let count = try Self.exportSpreadsheet(query, fields: fields, sheet: e.name, to: file.text, session)
            return .message("exported \(count) \(e.name) to \(file.text)")
        }
        let temporary = file.text + ".partial"
        var count = 0
        do {
            let sink: TextSink
            do { sink = try TextSink(path: temporary, encoding: encoding) } catch let e as ScriptError {
                // Name the file the user asked for, not the temporary one beside it.
                throw ScriptError(e.description.replacingOccurrences(of: temporary + ":", with: file.text + ":"))
            }
            var writer = makeRowWriter(format, sink, neutraliseFormulas: !raw)
            var begun = false
            let columns = try session.store.scan(query) { row in
                if !begun {
                    writer.begin(columns: fields.map { Column($0, numeric: e.type(of: $0)?.isNumeric ?? false) })
                    begun = true
                }
                writer.write(row: row)
                count += 1
            }
            if !begun { writer.begin(columns: columns) }
            writer.finish()
            try sink.close()
            if rename(temporary, file.text) != 0 {
                throw StoreError.database("cannot write \(file.text): \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            throw error
        }
        return .message("exported \(count) \(e.name) to \(file.text)")
    }

    /// Streams the query's rows into an .xlsx at `path` (through a `.partial` file renamed
    /// into place); returns how many rows were written.
    static func exportSpreadsheet(_ query: Query, fields: [String], sheet: String, to path: String, _ session: Session) throws -> Int {
        let temporary = path + ".partial"
        let writer: XlsxWriter
        do { writer = try XlsxWriter(path: temporary, sheetName: sheet) } catch let e as SpreadsheetError {
            throw ScriptError(e.message.replacingOccurrences(of: temporary + ":", with: path + ":"))
        }
        var count = 0
        do {
            try writer.begin(header: fields)
            _ = try session.store.scan(query) { row in
                // A row over a sheet's limits stops the scan with the error.
                try writer.write(row: row)
                count += 1
            }
            try writer.finish()
            if rename(temporary, path) != 0 {
                throw StoreError.database("cannot write \(path): \(String(cString: strerror(errno)))")
            }
        } catch let e as SpreadsheetError {
            writer.cancel()
            unlink(temporary)
            let message = e.message.replacingOccurrences(of: temporary + ":", with: path + ":")
            throw ScriptError(e.row > 0 ? "\(path): sheet row \(e.row): \(message)" : message)
        } catch {
            writer.cancel()
            unlink(temporary)
            throw error
        }
        return count
    }
}
