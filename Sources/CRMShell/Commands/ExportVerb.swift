import CRMCore
import Foundation

/// `export <entity> [where …] to FILE`: writes records to a CSV or JSON file.
struct ExportVerb: Verb {
    let name = "export"
    let summary = "write records to a .csv, .json or .ndjson file"
    let usage = ["export <entity> [where <filter>] [order by …] [limit N] to <file> [--raw]",
                 "export contact [where …] to <file.vcf>", "export task|deal [where …] to <file.ics>"]
    let details = """
        The format follows the file's extension: .csv (header of field names), .json (an
        array of objects) or .ndjson/.jsonl (one object per line). All fields are written,
        never cut; money keeps its exact digits. Rows stream to the file, so exports of any
        size use little memory; the file appears only when complete. The file is private
        to you (mode 0600).

        In a .csv, text that starts with = + - @, a tab or a carriage return gets a
        leading ' so that a spreadsheet shows it instead of running it as a formula;
        numbers and money are written as they are. --raw writes every cell exactly
        (for a file you will import again).

        Contacts export as vCard 4 (.vcf: FN, N, ORG = the customer, TITLE, TEL, EMAIL,
        NOTE), tasks as iCalendar to-dos (.ics: DUE, SUMMARY, STATUS) and deals' expected
        closes as all-day calendar events (.ics), each with a UID that stays the same.

        Examples:
          export customer where city = 上海 to shanghai.csv
          export deal where stage = won order by closed to won.json
          export customer to backup.csv --raw
          export contact where customer = 14 to 14.vcf
          export task where status = open and due <= +7d to week.ics
        """
    let completion = CompletionShape.entityAndQuery

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let e = try session.entity(&args)
        let q = try QueryClauses.parse(&args)
        try args.expectKeyword("to", after: "the entity or filter (export <entity> … to <file>)")
        let file = try args.word("the file to write")
        let raw = args.peek.map { $0.kind == .word && $0.text == "--raw" } ?? false
        if raw { args.index += 1 }
        try args.expectEnd(usageLine)
        let ext = (file.text as NSString).pathExtension.lowercased()
        // vCard and iCalendar (issue 15, reports people pass around): see Files/Interchange.swift.
        if let written = try InterchangeExport.run(ext, entity: e, query: q, file: file, session) { return written }
        let format: OutputFormat
        switch ext {
        case "csv": format = .csv
        case "json": format = .json
        case "ndjson", "jsonl": format = .ndjson
        default:
            throw SyntaxError(message: "cannot tell the format of '\(file.text)': use a .csv, .json or .ndjson file", position: file.position)
        }
        if session.dryRun {
            var rows = 0
            _ = try session.store.scan(Query(entity: e.name, filter: q.filter, order: q.order, limit: q.limit, offset: q.offset,
                                             fields: e.allFieldNames)) { _ in rows += 1 }
            return .message("dry run: would write \(rows) \(e.name) to \(file.text)")
        }
        let temporary = file.text + ".partial"
        var count = 0
        do {
            let sink: TextSink
            do { sink = try TextSink(path: temporary) } catch let e as ScriptError {
                // Name the file the user asked for, not the temporary one beside it.
                throw ScriptError(e.description.replacingOccurrences(of: temporary + ":", with: file.text + ":"))
            }
            var writer = makeRowWriter(format, sink, neutraliseFormulas: !raw)
            let query = Query(entity: e.name, filter: q.filter, order: q.order, limit: q.limit, offset: q.offset,
                              fields: e.allFieldNames)
            var begun = false
            let columns = try session.store.scan(query) { row in
                if !begun {
                    writer.begin(columns: e.allFieldNames.map { Column($0, numeric: e.type(of: $0)?.isNumeric ?? false) })
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
}
