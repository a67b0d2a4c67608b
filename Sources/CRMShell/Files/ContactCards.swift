import CRMCore
import Foundation

/// Contacts to and from vCard 4 files (`export contact … to x.vcf`, `import contact x.vcf`):
/// FN and N from the name, ORG from the customer's name, TITLE, TEL, EMAIL and NOTE.
enum ContactCards {
    /// Writes the contacts a query selects as one .vcf file (private, all or nothing);
    /// returns how many. `dryRun` counts them and writes nothing.
    static func export(_ query: Query, store: CRMStore, to path: String, dryRun: Bool = false) throws -> Int {
        var query = query
        query.fields = ["id", "customer", "name", "title", "phone", "email", "notes", "created"]
        var rows: [[String: Value]] = []
        let fields = query.fields!
        try store.scan(query) { row in rows.append(Dictionary(zip(fields, row), uniquingKeysWith: { a, _ in a })) }
        var names = ReferenceNames(store: store)
        var text = ""
        for row in rows {
            let id = row["id"].map(\.displayText) ?? ""
            var card = VCard(formattedName: row["name"]?.displayText ?? "")
            card.organisation = try names.title(of: "customer", row["customer"] ?? .null)
            card.title = row["title"]?.displayText
            card.phone = row["phone"]?.displayText
            card.email = row["email"]?.displayText
            card.note = row["notes"]?.displayText
            card.uid = "urn:uuid:" + StableID.uuid("crm/contact/\(id)/\(row["created"]?.displayText ?? "")")
            text += card.text
        }
        if !dryRun { try write(text, to: path) }
        return rows.count
    }

    /// What an import of cards did.
    struct Result {
        var imported = 0
        var rejected = 0
        var rejectPath: String?
    }

    /// Adds a contact for each card, through the store's normal create path (validated,
    /// audited, rules run). A card whose ORG names no customer, or that fails a check, is
    /// reported with its line; with `atomic` one bad card cancels the import, otherwise the
    /// bad cards are copied to FILE.rejects.vcf (unless `writeRejects` is false: a dry run).
    static func importCards(from path: String, store: CRMStore, atomic: Bool, writeRejects: Bool = true,
                            onReject: (Int, String) -> Void) throws -> Result {
        let text = try read(path)
        let cards: [VCard]
        do { cards = try VCard.parse(text) } catch let e as ContentLineError {
            throw ImportError(path: path, line: e.line, message: e.message + "; nothing was imported")
        }
        guard !cards.isEmpty else { throw ImportError(path: path, line: 0, message: "no cards in the file (expected BEGIN:VCARD … END:VCARD)") }
        let sourceLines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        var result = Result()
        var rejects = ""
        var customers: [String: Int64] = [:]
        try store.atomically {
            for card in cards {
                let problem: CardProblem
                do {
                    let values = try contactValues(card, store: store, customers: &customers)
                    _ = try store.create("contact", values: values)
                    result.imported += 1
                    continue
                } catch let p as CardProblem {
                    problem = p
                } catch let error as StoreError where error.isDatabaseFailure {
                    throw error
                } catch let error as StoreError {
                    // A check on one field: point at that property's line.
                    let property = fieldOf(error).flatMap { field in properties.first { $0.field == field }?.property }
                    problem = CardProblem(line: property.flatMap { card.lines[$0] } ?? card.line,
                                          message: "\(property.map { "\($0) of " } ?? "")the card for \(card.name): \(error)")
                } catch {
                    // Refused by a check or a plugin's rule: a bad card, not a failed import.
                    problem = CardProblem(line: card.line, message: "the card for \(card.name): \(error)")
                }
                result.rejected += 1
                onReject(problem.line, problem.message)
                if atomic { throw ImportError(path: path, line: problem.line, message: problem.message + "; nothing was imported (--atomic)") }
                rejects += sourceLines[(card.line - 1)..<min(card.endLine, sourceLines.count)]
                    .filter { !$0.isEmpty }.joined(separator: "\r\n") + "\r\n"
            }
        }
        if result.rejected > 0, writeRejects {
            let rejectPath = Importer.rejectPath(for: path)
            do { try write(rejects, to: rejectPath) } catch {
                throw ImportError(path: rejectPath, line: 0, message: "cannot write the reject file: \(error)")
            }
            result.rejectPath = rejectPath
        }
        return result
    }

    /// A card that cannot become a contact, and the line to look at.
    struct CardProblem: Error {
        var line: Int
        var message: String
    }

    static func contactValues(_ card: VCard, store: CRMStore, customers: inout [String: Int64]) throws -> [String: Value] {
        let name = card.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw CardProblem(line: card.line, message: "the card has no name (FN or N)") }
        let who = "the card for \(name)"
        let org = (card.organisation ?? "").trimmingCharacters(in: .whitespaces)
        guard !org.isEmpty else {
            throw CardProblem(line: card.line, message: "\(who) has no ORG: it names the customer the contact belongs to")
        }
        let orgLine = card.lines["ORG"] ?? card.line
        if customers[org] == nil {
            let matches = try store.list(Query(entity: "customer", filter: .compare(FieldRef("name"), .eq, Literal(org, quoted: true)),
                                               limit: 2, fields: ["id"]))
            guard let first = matches.rows.first, case .integer(let id) = first[0] else {
                throw CardProblem(line: orgLine, message: "no customer named '\(org)' (ORG of \(who)); add the customer first")
            }
            if matches.rows.count > 1 {
                throw CardProblem(line: orgLine, message: "more than one customer is named '\(org)' (ORG of \(who)); rename one so the card names one customer")
            }
            customers[org] = id
        }
        var values: [String: Value] = ["customer": .integer(customers[org]!)]
        let texts = [name, card.title, card.phone, card.email, card.note]
        for ((field, property), text) in zip(properties, texts) {
            guard let text, !text.isEmpty else { continue }
            do {
                values[field] = try store.parseValue(entity: "contact", field: field, text: text)
            } catch let error as StoreError {
                throw CardProblem(line: card.lines[property] ?? card.line, message: "\(property) of \(who): \(error)")
            }
        }
        return values
    }

    /// Each contact field and the vCard property it comes from.
    static let properties: [(field: String, property: String)] = [("name", "FN"), ("title", "TITLE"), ("phone", "TEL"),
                                                                   ("email", "EMAIL"), ("notes", "NOTE")]

    /// The field a store error is about, when it names one.
    static func fieldOf(_ error: StoreError) -> String? {
        switch error {
        case .invalidValue(_, let f, _, _), .unknownEnumValue(_, let f, _, _), .requiredMissing(_, let f),
             .outOfRange(_, let f, _, _), .patternMismatch(_, let f, _, _), .tooLong(_, let f, _), .tooLarge(_, let f, _, _):
            return f
        case .uniqueTaken(_, let fields, _, _): return fields.first
        default: return nil
        }
    }

    /// The largest card file read (cards are read whole; a phone's address book is a few MB).
    static let maximumFileBytes = 64 << 20

    static func read(_ path: String) throws -> String {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
           size.intValue > maximumFileBytes {
            throw ImportError(path: path, line: 0, message: "the file is over \(maximumFileBytes >> 20) MiB; split it into smaller .vcf files")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file"
            throw ImportError(path: path, line: 0, message: reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ImportError(path: path, line: 0, message: "the text is not valid UTF-8 (vCard 4 files are UTF-8)")
        }
        return text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
    }

    static func write(_ text: String, to path: String) throws {
        do { try PrivateFile.replace(path, with: Array(text.utf8)) } catch let e as PrivateFileError {
            throw ScriptError(e.description)
        }
    }
}

/// Looks up the title of referenced records (a contact's customer), once per record.
struct ReferenceNames {
    let store: CRMStore
    var cache: [String: String?] = [:]

    init(store: CRMStore) { self.store = store }

    /// The title of the record a reference points to, nil when it is empty or gone.
    mutating func title(of entity: String, _ reference: Value) throws -> String? {
        guard case .integer(let id) = reference else { return nil }
        let key = "\(entity)/\(id)"
        if let cached = cache[key] { return cached }
        let titleField = store.schema.entity(named: entity)?.titleField ?? "name"
        let title = try store.record(entity, id: id).map { $0[titleField].displayText }
        cache[key] = title
        return title
    }
}
