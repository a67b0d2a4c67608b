import Foundation

/// Streams a CSV file (or the first sheet of an .xlsx workbook) into an entity through the
/// store's normal create path, so every row is validated and audited like a typed `add`.
///
/// Rows are written in batched transactions with memory flat however large the file.
/// Bad rows are reported with their line number; when `atomic`, one bad row cancels the
/// whole import, otherwise good rows go in and bad rows are copied to a reject file
/// beside the input (same header, so it can be fixed and imported again).
public struct Importer {
    public var store: CRMStore
    public var entity: String
    public var path: String
    /// CSV column name → field name; a field name of `-` skips the column.
    public var mapping: [String: String]
    public var atomic: Bool
    /// Rows per transaction. Each commit writes every page the batch touched, and random
    /// inserts into the indexes touch most of their pages: at a million rows, batches of
    /// 100,000 imported 1.6× faster than batches of 10,000 (and no slower than one batch).
    public var batchSize = 100_000
    /// Called for each rejected row: (line, message).
    public var onReject: (Int, String) -> Void = { _, _ in }
    /// Asked before each row; true stops the import (Ctrl-C at the prompt). The batch in
    /// progress is rolled back; batches already committed stay.
    public var shouldStop: () -> Bool = { false }
    /// Rows that start before this line of the file are skipped (to continue an import
    /// that stopped, from the line its message names).
    public var fromLine = 0
    /// What a row whose unique field matches an existing record does.
    public var onConflict = ConflictPolicy.reject
    /// False for a dry run: bad rows are counted and reported, no reject file is written.
    public var writeRejects = true
    /// The CSV file's encoding; nil detects it (UTF-8, a byte-order mark, else GB18030).
    public var encoding: TextEncoding?

    /// What `on conflict …` asks for when a row's unique value is already taken.
    public enum ConflictPolicy: String, CaseIterable {
        /// The row is a bad row (the default).
        case reject
        /// The row is left out, the existing record kept as it is.
        case skip
        /// The existing record takes the row's values.
        case update
    }

    public init(store: CRMStore, entity: String, path: String, mapping: [String: String] = [:], atomic: Bool) {
        self.store = store
        self.entity = entity
        self.path = path
        self.mapping = mapping
        self.atomic = atomic
    }

    /// What an import did.
    public struct Result: Equatable {
        public var imported: Int
        public var rejected: Int
        /// Rows left out by `on conflict skip`, or matching a record that already had their values.
        public var skipped = 0
        /// Existing records changed by `on conflict update`.
        public var updated = 0
        /// The reject file, when rows were rejected and the import was not atomic.
        public var rejectPath: String?
    }

    /// The reject file for an input: `customers.csv` → `customers.rejects.csv`; a workbook's
    /// rejected rows go to CSV too (`leads.xlsx` → `leads.rejects.csv`).
    public static func rejectPath(for path: String) -> String {
        let ns = path as NSString
        let ext = ns.pathExtension.isEmpty || isSpreadsheet(path) ? "csv" : ns.pathExtension
        return ns.deletingPathExtension + ".rejects." + ext
    }

    public func run() throws -> Result {
        let e = try store.schema.require(entity)
        let reader: RowSource
        do {
            reader = Importer.isSpreadsheet(path) ? try XlsxReader(path: path) : try CSVReader(path: path, encoding: encoding)
        } catch let error as CSVError {
            throw ImportError(path: path, line: error.line, message: error.message)
        } catch let error as SpreadsheetError {
            throw ImportError(path: path, line: error.row, message: error.message)
        }
        guard let (header, headerLine) = try next(reader) else {
            throw ImportError(path: path, line: 0, message: "the file is empty (expected a header line of field names)")
        }
        let columns = try plan(header, e, line: headerLine)
        if onConflict != .reject && !e.fields.contains(where: \.unique) && !e.indexes.contains(where: \.unique) {
            throw ImportError(path: path, line: 0, message: "on conflict \(onConflict.rawValue): \(e.name) has no unique field, so no row can match an existing record")
        }
        var rejects: RejectWriter?
        var imported = 0, rejected = 0
        // Values of references by title, by column: each distinct title is looked up once.
        var referenceCache = [[String: Value]](repeating: [:], count: columns.count)
        let isTitleReference: [Bool] = columns.map { name in
            if let name, case .reference? = e.field(name)?.type { return true }
            return false
        }
        // The position in `e.fields` each column goes to (nil: skipped, or `created`).
        let positions: [Int?] = columns.map { name in name.flatMap { n in e.fields.firstIndex { $0.name == n } } }
        let definitions: [FieldDefinition?] = positions.map { $0.map { e.fields[$0] } }
        // A reference to an entity with lookup keys reads even `3` as a key (ReferenceText).
        let idsAreKeys: [Bool] = definitions.map { f in
            guard case .reference(let target)? = f?.type else { return false }
            return !(store.schema.entity(named: target)?.lookupKeys.isEmpty ?? true)
        }

        var skipped = 0, updated = 0
        /// The first line that could not be read, with why: rows before it are kept.
        var unreadable: ImportError?
        // A store that writes rows faster together gets them a batch at a time; each row's
        // outcome is then settled in line order, exactly as when it is created alone.
        let batching = store as? BatchCreatingStore
        let chunk = max(1, batching?.createBatchSize ?? 1)
        var pending: [(line: Int, fields: [String], row: Swift.Result<OrderedRow, Error>)] = []

        /// What a row's outcome does: counts it, updates the record it matches, or rejects it.
        func settle(_ line: Int, _ fields: [String], _ row: Swift.Result<OrderedRow, Error>, _ outcome: Swift.Result<Int64, Error>) throws {
            do {
                do {
                    _ = try outcome.get()
                    imported += 1
                } catch StoreError.uniqueTaken(_, _, _, let existing?) where onConflict != .reject {
                    let given = try row.get()
                    var values: [String: Value] = [:]
                    for i in e.fields.indices where !given.values[i].isNull { values[e.fields[i].name] = given.values[i] }
                    if onConflict == .update, try store.update(e.name, id: existing, values: values) {
                        updated += 1
                    } else {
                        skipped += 1
                    }
                }
            } catch let error as StoreError {
                // The database failing (disk full, I/O) is not a bad row: stop, keep nothing of the batch.
                if error.isDatabaseFailure { throw Failed(line: line, message: error.description) }
                try reject(line, fields, error.description)
            } catch let refusal as WriteRefusal where refusal.refusesTheRecord {
                // A rule's refusal is a bad row too (its line, the rule's message).
                try reject(line, fields, refusal.description)
            } catch let error as ImportError {
                try reject(line, fields, error.message)
            } catch let failure as DatabaseFailure {
                throw Failed(line: line, message: failure.description)
            }
        }
        func reject(_ line: Int, _ fields: [String], _ message: String) throws {
            rejected += 1
            onReject(line, message)
            if !atomic && writeRejects { try writeReject(&rejects, header, fields) }
        }
        /// Creates the gathered rows together and settles each in line order.
        func flush() throws {
            guard let batching, !pending.isEmpty else { return }
            let rows = pending.compactMap { try? $0.row.get() }
            var outcomes = rows.isEmpty ? [] : try batching.create(e.name, batch: rows)[...]
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            for item in batch {
                switch item.row {
                case .failure(let error):
                    try settle(item.line, item.fields, item.row, .failure(error))
                case .success:
                    guard let outcome = outcomes.popFirst() else {
                        throw Failed(line: item.line, message: "the store returned fewer outcomes than rows")
                    }
                    try settle(item.line, item.fields, item.row, outcome)
                }
            }
        }
        /// One line's values by field position, or why the line is a bad row.
        func parse(_ fields: [String], line: Int) -> Swift.Result<OrderedRow, Error> {
            Swift.Result {
                guard fields.count == header.count else {
                    throw ImportError(path: path, line: line, message: "expected \(header.count) columns, found \(fields.count)")
                }
                // The row's values by field position: no dictionary per row.
                var values = [Value](repeating: .null, count: e.fields.count)
                var created: Int?
                for i in columns.indices {
                    guard let position = positions[i] else {
                        guard columns[i] == "created" else { continue }
                        let text = fields[i]
                        if text.isEmpty { continue }
                        guard let t = DateCodec.epochSeconds(utc: text) ?? (try? ValueParser(clock: store.clock).instant(text)) else {
                            throw ImportError(path: path, line: line, message: "created: '\(text)' is not a date or date and time")
                        }
                        created = t
                        continue
                    }
                    let text = fields[i]
                    if text.isEmpty { continue }
                    if isTitleReference[i], idsAreKeys[i] || ReferenceText.canonicalID(text) == nil {
                        // A reference by title (owner=张伟): looked up once per distinct title.
                        if let cached = referenceCache[i][text] { values[position] = cached; continue }
                        let value = try store.parseValue(text, field: e.fields[position], of: e)
                        referenceCache[i][text] = value
                        values[position] = value
                        continue
                    }
                    values[position] = try store.parseValue(text, field: e.fields[position], of: e)
                }
                return OrderedRow(values: values, created: created)
            }
        }
        func importRows(limit: Int) throws -> Bool {
            var n = 0
            while n < limit {
                let next: ([String], Int)?
                do { next = try self.next(reader) } catch let error as ImportError {
                    unreadable = error
                    break
                }
                guard let (fields, line) = next else { break }
                if line < fromLine { continue }
                if shouldStop() { throw Interrupted(line: line) }
                n += 1
                let row = parse(fields, line: line)
                if batching != nil {
                    pending.append((line, fields, row))
                    if pending.count >= chunk { try flush() }
                    continue
                }
                try settle(line, fields, row, row.flatMap { given in
                    Swift.Result { try store.create(e.name, ordered: given.values, created: given.created) }
                })
            }
            try flush()
            return n == limit && unreadable == nil
        }

        // Rows a transaction will hold, about: a record's CSV line is rarely under 32 bytes.
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
        let expected = atomic ? size / 32 : min(batchSize, size / 32)
        // What is in for good: rows of committed batches, and the line the next batch starts on.
        var committed = 0, resumeLine = max(headerLine + 1, fromLine)
        do {
            try store.writeBehind {
                if atomic {
                    try store.atomically {
                        _ = try store.buildingIndexesAfter(e.name, rows: expected) { try importRows(limit: Int.max) }
                        if let unreadable { throw unreadable }
                        if rejected > 0 { throw ImportError.rejected(path: path, rejected: rejected, atomic: true) }
                    }
                } else {
                    var more = true
                    while more {
                        more = try store.atomically {
                            try store.buildingIndexesAfter(e.name, rows: expected) { try importRows(limit: batchSize) }
                        }
                        committed = imported
                        resumeLine = unreadable?.line ?? reader.line
                    }
                }
            }
        } catch let stop as Interrupted {
            try? rejects?.close()
            throw stopped(at: stop.line, "interrupted", committed: committed, resumeLine: resumeLine, firstLine: headerLine + 1)
        } catch let failure as Failed {
            try? rejects?.close()
            throw stopped(at: failure.line, failure.message, committed: committed, resumeLine: resumeLine, firstLine: headerLine + 1)
        } catch let error as StoreError where error.isDatabaseFailure {
            // Storing or committing a batch failed (the background writer, or COMMIT): which
            // row is not known, only the batch.
            try? rejects?.close()
            throw stopped(at: 0, error.description, committed: committed, resumeLine: resumeLine, firstLine: headerLine + 1)
        } catch let failure as DatabaseFailure {
            // The server or the connection failed storing or committing a batch.
            try? rejects?.close()
            throw stopped(at: 0, failure.description, committed: committed, resumeLine: resumeLine, firstLine: headerLine + 1)
        } catch let error as ImportError where error.line > 0 && atomic {
            throw ImportError(path: path, line: error.line, message: error.message + "; nothing was imported (--atomic)")
        }
        try rejects?.close()
        if let unreadable {
            // Everything before the line that cannot be read went in.
            throw stopped(at: unreadable.line, unreadable.message, committed: committed, resumeLine: unreadable.line, firstLine: headerLine + 1)
        }
        return Result(imported: imported, rejected: rejected, skipped: skipped, updated: updated, rejectPath: rejects?.path)
    }

    /// The error of an import that stopped at `line`, saying exactly what went in and how
    /// to continue once the cause is fixed.
    func stopped(at line: Int, _ cause: String, committed: Int, resumeLine: Int, firstLine: Int) -> ImportError {
        if committed == 0 {
            return ImportError(path: path, line: line, message: "\(cause); nothing was imported")
        }
        let rows = committed == 1 ? "1 row was" : "\(committed) rows were"
        let first = max(fromLine, firstLine), last = resumeLine - 1
        let lines = first == last ? "line \(first)" : "lines \(first)–\(last)"
        return ImportError(path: path, line: line, message: """
            \(cause); \(rows) imported (\(lines)), none after; \
            continue with: import \(entity) \(path) from-line \(resumeLine)
            """)
    }

    func next(_ reader: RowSource) throws -> ([String], Int)? {
        do {
            guard let r = try reader.next() else { return nil }
            return (r.fields, r.line)
        } catch let error as CSVError {
            throw ImportError(path: path, line: error.line, message: error.message)
        } catch let error as SpreadsheetError {
            throw ImportError(path: path, line: error.row, message: error.message)
        }
    }

    /// True for a file read as a workbook (`.xlsx`) rather than CSV.
    public static func isSpreadsheet(_ path: String) -> Bool { (path as NSString).pathExtension.lowercased() == "xlsx" }

    /// The field each column goes to (nil: skipped), from `map` and then by name or label.
    func plan(_ header: [String], _ e: EntityDefinition, line: Int) throws -> [String?] {
        var used = Set<String>()
        var result: [String?] = []
        for (key, target) in mapping where target != "-" && e.field(target) == nil {
            throw ImportError(path: path, line: 0, message: "map \(key)=\(target): \(e.name) has no field '\(target)'\(NameSuggestion.hint(for: target, in: e.fields.map(\.name)))")
        }
        for key in mapping.keys where !header.contains(where: { $0.trimmingCharacters(in: .whitespaces) == key }) {
            throw ImportError(path: path, line: line, message: "map \(key)=…: the file has no column '\(key)'\(NameSuggestion.hint(for: key, in: header))")
        }
        for raw in header {
            let column = raw.trimmingCharacters(in: .whitespaces)
            var field: String?
            if let m = mapping[column] {
                field = m == "-" ? nil : m
            } else if column.lowercased() == "created" {
                field = "created"  // kept: records moved from another system keep their age
            } else if EntityDefinition.systemFields.contains(column.lowercased()) {
                field = nil  // an exported id/updated column: new records get their own
            } else if let f = e.fields.first(where: { $0.name == column.lowercased() || $0.label == column }) {
                field = f.name
            } else {
                throw ImportError(path: path, line: line, message: "column '\(column)' matches no field of \(e.name)\(NameSuggestion.hint(for: column, in: e.fields.map(\.name))); add map \(column)=<field> or map \(column)=- to skip it")
            }
            if let f = field, let how = e.field(f)?.computed {
                throw ImportError(path: path, line: line, message: "column '\(column)' goes to \(e.name).\(f), which is computed (\(how)) and cannot be imported; leave the column out or add map \(column)=-")
            }
            if let f = field, !used.insert(f).inserted {
                throw ImportError(path: path, line: line, message: "two columns go to \(e.name).\(f)")
            }
            result.append(field)
        }
        return result
    }

    func writeReject(_ writer: inout RejectWriter?, _ header: [String], _ fields: [String]) throws {
        if writer == nil { writer = try RejectWriter(path: Importer.rejectPath(for: path), header: header) }
        try writer!.write(fields)
    }
}

/// Ctrl-C while importing, at a line of the file.
struct Interrupted: Error {
    var line: Int
}

/// The database failing while importing a line (a full disk): the batch is lost, the import stops.
struct Failed: Error {
    var line: Int
    var message: String
}

/// A problem with an import as a whole or with one line of its file.
public struct ImportError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var message: String

    public init(path: String, line: Int, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    static func rejected(path: String, rejected: Int, atomic: Bool) -> ImportError {
        ImportError(path: path, line: 0, message: atomic
            ? "\(rejected) row\(rejected == 1 ? "" : "s") rejected; nothing was imported"
            : "\(rejected) row\(rejected == 1 ? "" : "s") rejected")
    }

    public var description: String { line > 0 ? "\(path):\(line): \(message)" : "\(path): \(message)" }
}

/// Writes rejected rows, RFC 4180 quoted, to the reject file.
struct RejectWriter {
    let path: String
    let handle: FileHandle

    /// Creates (or replaces) the reject file, mode 0600: it holds rows of personal data.
    init(path: String, header: [String]) throws {
        let fd: Int32
        do { fd = try PrivateFile.create(path) } catch let e as PrivateFileError {
            throw ImportError(path: path, line: 0, message: "cannot write the reject file: \(e.reason)")
        }
        self.path = path
        self.handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        try write(header)
    }

    func write(_ fields: [String]) throws {
        let line = fields.map { f -> String in
            f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
        }.joined(separator: ",") + "\n"
        try handle.write(contentsOf: Data(line.utf8))
    }

    func close() throws { try handle.close() }
}
