/// One row of a streamed statement, read column by column (from 0) without building values.
public protocol StreamRow {
    /// The column as an integer (0 for null).
    func int(_ column: Int32) -> Int64
    /// Whether the column is null.
    func isNull(_ column: Int32) -> Bool
    /// The column as text; nil for null.
    func text(_ column: Int32) -> String?
    /// The day number of a column holding `YYYY-MM-DD…` text (a date, or a datetime's UTC
    /// day); nil for null or anything else.
    func day(_ column: Int32) -> Int?
}

/// What the analyses and modules (abc, rfm, lifecycle, tiers, loyalty, satisfaction, agenda)
/// need of a store beyond `CRMStore`. SQLiteStore and PostgresStore both implement it, so
/// these features are written once: the SQL they stream runs on both engines (`dialect`
/// says the few things spelled differently).
public protocol ModuleStore: CRMStore {
    /// How this store spells the SQL it runs.
    var moduleDialect: SQLDialect { get }

    /// The caller's access policy; nil when every record is visible.
    var modulePolicy: AccessPolicy? { get }

    /// Runs one read-only statement (`?` placeholders) and hands each row to `row` as it
    /// arrives, holding none: analyses read millions of purchases without keeping them.
    /// With `customer` (the column holding a row's customer id) a caller who sees only
    /// some customers gets only their rows; without one, the statement reads through the
    /// caller's access policy like any read.
    func stream(sql: String, arguments: [Value], customer: Int32?, row: (StreamRow) throws -> Void) throws

    /// Refuses writing a computed choice on every customer (ABC classes, stages) to a
    /// caller who does not see them all.
    func requireAllCustomers(_ what: String) throws

    /// Writes one field of the given records in one transaction, each change with its audit
    /// row and `updated` time like `update`, through the plugin rules and computed fields.
    func writeField(_ e: EntityDefinition, field: String, changes: [FieldChange]) throws
}

/// One record's new value of a field, and the one it replaces.
public struct FieldChange: Sendable {
    public var id: Int64
    public var new: String
    public var old: String?
    public init(id: Int64, new: String, old: String?) {
        self.id = id
        self.new = new
        self.old = old
    }
}

extension ModuleStore {
    /// `stream` of every row, read through the caller's access policy.
    public func stream(sql: String, arguments: [Value] = [], row: (StreamRow) throws -> Void) throws {
        try stream(sql: sql, arguments: arguments, customer: nil, row: row)
    }

    /// Each row's first column as a customer id and its second as text (nil for null),
    /// streamed: the small per-customer maps analyses build (source channel by customer).
    public func idTexts(sql: String, _ body: (Int64, String?) throws -> Void) throws {
        try stream(sql: sql, arguments: [], customer: 0) { r in try body(r.int(0), r.text(1)) }
    }

    /// Writes one choice field on every record of an entity from a computed value (ABC
    /// classes, lifecycle stages), as one all-or-nothing change: only records whose value
    /// changes are written, each with its audit row and `updated` time, like `update`.
    ///
    /// `value` gets each record's id and returns the new choice, or nil to leave it.
    /// Returns the number of records changed.
    @discardableResult
    public func writeChoice(_ entity: String, field: String, value: (Int64) -> String?) throws -> Int {
        let e = try schema.require(entity)
        try requireAllCustomers("\(entity).\(field)")
        guard let f = e.field(field), case .enumeration(let choices) = f.type else {
            throw StoreError.unknownField(entity: entity, field: field, suggestion: nil)
        }
        var changes: [FieldChange] = []
        try stream(sql: "SELECT id, \(quoted(field)) FROM \(quoted(e.name)) ORDER BY id") { r in
            let id = r.int(0)
            guard let new = value(id) else { return }
            let old = r.text(1)
            if old != new { changes.append(FieldChange(id: id, new: new, old: old)) }
        }
        if let bad = changes.first(where: { !choices.contains($0.new) }) {
            throw ValueSourceError("\(entity).\(field): '\(bad.new)' is not one of \(choices.joined(separator: ", "))")
        }
        guard !changes.isEmpty else { return 0 }
        try writeField(e, field: field, changes: changes)
        return changes.count
    }

    /// `substr(column, 1, n)` of a date or datetime column as text: SQLite stores the text,
    /// PostgreSQL casts its `date` / `timestamptz` (the session is in UTC, as SQLite's text).
    public func textPrefix(_ column: String, _ n: Int) -> String {
        moduleDialect == .sqlite ? "substr(\(column), 1, \(n))" : "substr(CAST(\(column) AS text), 1, \(n))"
    }

    /// ` NOT INDEXED` after a table the analyses scan whole (SQLite would otherwise walk an
    /// index of a condition's column); PostgreSQL's planner chooses its own scan.
    public var notIndexed: String { moduleDialect == .sqlite ? " NOT INDEXED" : "" }
}

/// The day of `YYYY-MM-DD…` text: what both stores hand out for dates and datetimes.
public func dayOfText(_ p: UnsafePointer<UInt8>, count: Int) -> Int? {
    guard count >= 10 else { return nil }
    func d(_ k: Int) -> Int? {
        let c = Int(p[k]) - 48
        return (0...9).contains(c) ? c : nil
    }
    guard let y0 = d(0), let y1 = d(1), let y2 = d(2), let y3 = d(3), p[4] == 45,
          let m0 = d(5), let m1 = d(6), p[7] == 45, let d0 = d(8), let d1 = d(9) else { return nil }
    let m = m0 * 10 + m1, day = d0 * 10 + d1
    guard (1...12).contains(m), (1...31).contains(day) else { return nil }
    return DateCodec.daysFromCivil(y0 * 1000 + y1 * 100 + y2 * 10 + y3, m, day)
}
