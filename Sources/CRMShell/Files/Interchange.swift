import CRMCore
import Foundation

/// The `export … to x.vcf|x.ics` branch of `export`: contacts as vCards, tasks and deals'
/// expected closes as iCalendar. Returns nil for other extensions (CSV, JSON, …).
enum InterchangeExport {
    static func run(_ ext: String, entity e: EntityDefinition, query q: QueryClauses, file: Token,
                    _ session: Session) throws -> Output? {
        let query = Query(entity: e.name, filter: q.filter, order: q.order, limit: q.limit, offset: q.offset)
        let dryRun = FileWrites.suppressed(session)
        let done = dryRun ? "dry run: would write" : "exported"
        switch ext {
        case "vcf", "vcard":
            guard e.name == "contact" else {
                throw SyntaxError(message: "a .vcf file holds contacts, not \(e.name) records (export contact … to \(file.text))", position: file.position)
            }
            let n = try ContactCards.export(query, store: session.store, to: file.text, dryRun: dryRun)
            return .message("\(done) \(n) contact to \(file.text)")
        case "ics", "ical":
            switch e.name {
            case "task":
                let n = try TaskCalendar.exportTasks(query, store: session.store, to: file.text, dryRun: dryRun)
                return .message("\(done) \(n) task to \(file.text)")
            case "deal":
                let (n, leftOut) = try TaskCalendar.exportDeals(query, store: session.store, to: file.text, dryRun: dryRun)
                return .message("\(done) \(n) deal to \(file.text)" + (leftOut > 0 ? " (\(leftOut) without an expected close left out)" : ""))
            default:
                throw SyntaxError(message: "a .ics file holds tasks and deals' expected closes, not \(e.name) records (export task … to \(file.text))",
                                  position: file.position)
            }
        default:
            return nil
        }
    }
}

/// The `import contact x.vcf` branch of `import`. Returns nil for other extensions.
enum InterchangeImport {
    static func run(entity e: EntityDefinition, file: Token, _ args: inout TokenCursor, _ session: Session) throws -> Output? {
        switch (file.text as NSString).pathExtension.lowercased() {
        case "vcf", "vcard":
            guard e.name == "contact" else {
                throw SyntaxError(message: "a .vcf file holds contacts: import contact \(file.text)", position: file.position)
            }
            try args.expectEnd("import contact <file.vcf>")
            let note = session.note
            var shown = 0
            let dryRun = FileWrites.suppressed(session)
            let result = try ContactCards.importCards(from: file.text, store: session.store, atomic: session.atomic,
                                                      writeRejects: !dryRun) { line, message in
                shown += 1
                if shown <= 1000 { note(CellText.terminalSafe("\(file.text):\(line): \(message)", keepingLines: true)) }
            }
            if shown > 1000 { note("… \(shown - 1000) more rejected cards not shown") }
            let summary = "imported \(result.imported) contact"
            if result.rejected > 0 {
                let rejects = dryRun && !session.atomic
                    ? "dry run: would write \(result.rejected) card\(result.rejected == 1 ? "" : "s") to \(Importer.rejectPath(for: file.text))"
                    : "written to \(result.rejectPath ?? "-")"
                throw ImportError(path: file.text, line: 0, message: "\(summary), rejected \(result.rejected) (\(rejects))")
            }
            return .message(summary)
        case "ics", "ical":
            throw SyntaxError(message: "crm writes .ics files (export task … to \(file.text)) but does not read them", position: file.position)
        default:
            return nil
        }
    }
}
