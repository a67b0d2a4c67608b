import CRMCore
import Foundation

/// `care`: greetings due today (birthdays, anniversaries, tier upgrades, contract
/// anniversaries), their templates, an export for an SMS/WeChat tool, and marking them sent.
struct CareVerb: Verb {
    let name = "care"
    let summary = "care messages (关怀/祝福): care [today] | care templates | care template OCCASION TEXT | care export to FILE.csv | care sent [ID…]"
    let usage = ["care [today]", "care templates", "care template <occasion> <text>|default", "care export to <file.csv>",
                 "care sent [all | <customer id> …]"]
    let details = """
        Occasions: birthday (customer.birthday; a Feb 29 birthday is greeted on Feb 28 in
        other years), anniversary (the day the customer was registered, each full year),
        upgrade (the tier went up today, see tiers), contract (each full year since a won
        deal closed: the contract anniversary, from deals until core contracts exist).

        Templates have placeholders: {name}, {tier}, {owner} in every occasion, {years} in
        anniversary and contract, {deal} in contract, {old_tier} in upgrade. An unknown
        placeholder is refused when the template is saved, with the closest name.

        `care today` lists whom to greet today with the message filled in; those marked
        sent today are not listed again. `care export to FILE.csv` writes phone,name,message
        (mode 0600, cells that a spreadsheet would run as formulas neutralised) for an SMS
        or WeChat tool; customers without a phone are left out and counted. `care sent`
        records an interaction (kind message, outcome sent) for each greeting listed today,
        or for the customers named. Nothing is sent from here.

        Example:
          care template birthday "{name}您好，{owner}祝您生日快乐！"
          care today
          care export to greetings.csv
          care sent
        """
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        guard let store = session.store as? ModuleStore else { throw ScriptError("care needs a SQLite or PostgreSQL database") }
        let sub = args.atEnd ? "today" : try args.word("today, templates, template, export or sent").text
        switch sub {
        case "today":
            try args.expectEnd(usageLine)
            let greetings = try CareToday.greetings(store)
            return .table(table(greetings, title: "Care messages for \(DateCodec.dateText(days: store.clock.today))"))
        case "templates":
            try args.expectEnd(usageLine)
            let rows: [[Value]] = try CareOccasion.allCases.map { o in
                [.text(o.rawValue), .text(try CareTemplates.template(store, o)),
                 .bool(try store.meta("care.template.\(o.rawValue)") == nil),
                 .text(o.placeholders.map { "{\($0)}" }.joined(separator: " "))]
            }
            return .table(ResultTable(title: "Care templates", columns: [Column("occasion"), Column("template"), Column("default"),
                                                                          Column("placeholders")], rows: rows))
        case "template":
            let o = try args.word("an occasion: " + CareOccasion.allCases.map(\.rawValue).joined(separator: ", "))
            guard let occasion = CareOccasion(rawValue: o.text) else {
                let hint = NameSuggestion.hint(for: o.text, in: CareOccasion.allCases.map(\.rawValue))
                throw SyntaxError(message: "no occasion '\(o.text)'\(hint); occasions: "
                                  + CareOccasion.allCases.map(\.rawValue).joined(separator: ", "), position: o.position)
            }
            let text = try args.word("the template text (quoted) or default")
            try args.expectEnd(usageLine)
            let reset = text.text == "default" && text.kind != .quoted
            if session.dryRun { return .message("dry run: would save the \(occasion.rawValue) template") }
            try CareTemplates.save(store, occasion, reset ? nil : text.text)
            return .message(reset ? "care template \(occasion.rawValue) reset to its default" : "care template \(occasion.rawValue) saved")
        case "export":
            try args.expectKeyword("to", after: "care export")
            let file = try args.word("the .csv file to write")
            try args.expectEnd(usageLine)
            guard file.text.lowercased().hasSuffix(".csv") else {
                throw SyntaxError(message: "care export writes a .csv file (phone,name,message), not '\(file.text)'", position: file.position)
            }
            let greetings = try CareToday.greetings(store)
            let withPhone = greetings.filter { $0.phone != nil }
            let skipped = greetings.count - withPhone.count
            let note = skipped == 0 ? "" : " (\(skipped) without a phone left out)"
            if FileWrites.suppressed(session) { return .message("dry run: would write \(withPhone.count) care messages to \(file.text)\(note)") }
            try write(withPhone, to: file.text)
            return .message("exported \(withPhone.count) care messages to \(file.text)\(note)")
        case "sent":
            var ids: Set<Int64>?
            if args.consumeKeyword("all") { ids = nil } else if !args.atEnd {
                var chosen: Set<Int64> = []
                while !args.atEnd { chosen.insert(try args.id(of: "customer")) }
                ids = chosen
            }
            try args.expectEnd(usageLine)
            let due = try CareToday.greetings(store).filter { ids?.contains($0.customer) ?? true }
            if let ids, let missing = ids.subtracting(due.map(\.customer)).sorted().first {
                throw ScriptError("care sent: customer \(missing) has no care message due today (see: care today)")
            }
            if session.dryRun { return .message("dry run: would record \(due.count) care messages as sent") }
            let by = try userID(named: store.user, store)
            try store.atomically {
                for g in due {
                    var values: [String: Value] = ["customer": .integer(g.customer), "kind": .text("message"),
                                                   "summary": .text(CareToday.summary(g)), "outcome": .text("sent")]
                    if let by { values["by"] = .integer(by) }
                    _ = try store.create("interaction", values: values)
                }
            }
            return .message("recorded \(due.count) care message\(due.count == 1 ? "" : "s") as sent")
        default:
            throw SyntaxError(message: "expected today, templates, template, export or sent after care, got '\(sub)'", position: 5)
        }
    }

    func table(_ greetings: [CareGreeting], title: String) -> ResultTable {
        ResultTable(title: title, columns: [Column("customer", numeric: true), Column("name"), Column("phone"), Column("occasion"), Column("message")],
                    rows: greetings.map { [.integer($0.customer), .text($0.name), $0.phone.map(Value.text) ?? .null,
                                           .text($0.occasion.rawValue), .text($0.message)] })
    }

    /// phone,name,message through a `.partial` file renamed into place.
    func write(_ greetings: [CareGreeting], to path: String) throws {
        let temporary = path + ".partial"
        do {
            let sink: TextSink
            do { sink = try TextSink(path: temporary) } catch let e as ScriptError {
                throw ScriptError(e.description.replacingOccurrences(of: temporary + ":", with: path + ":"))
            }
            var writer = CSVRowWriter(sink: sink, neutraliseFormulas: true)
            writer.begin(columns: [Column("phone"), Column("name"), Column("message")])
            for g in greetings { writer.write(row: [.text(g.phone ?? ""), .text(g.name), .text(g.message)]) }
            writer.finish()
            try sink.close()
            if rename(temporary, path) != 0 {
                throw StoreError.database("cannot write \(path): \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    func userID(named name: String, _ store: CRMStore) throws -> Int64? {
        let rows = try store.list(Query(entity: "user", filter: .compare(FieldRef("name"), .eq, Literal(name, quoted: true)), limit: 1, fields: ["id"]))
        if case .integer(let id)? = rows.rows.first?.first { return id }
        return nil
    }
}
