/// The customer store as the shell, the importer and (later) plugins see it.
///
/// `SQLiteStore` is the implementation; a PostgreSQL one can come later behind the same
/// protocol. Every write runs in its own savepoint, so a failing command leaves nothing
/// behind, and writes its audit rows in the same transaction.
public protocol CRMStore: AnyObject {
    /// The entities this database holds.
    var schema: Schema { get }
    /// Who the audit history names for writes.
    var user: String { get }
    /// The plugin rule, job or command writing on the user's behalf, which the audit
    /// history names beside the user (`realestate rule 'protection expiry'`); nil otherwise.
    var via: String? { get set }
    /// The store's clock; tests and plugin tests set it to pin "today".
    var clock: Clock { get set }
    /// A short name for the prompt (the file name without extension, or `memory`).
    var displayName: String { get }

    /// Creates or migrates the tables of these entities, keeping existing data.
    func install(_ entities: [EntityDefinition]) throws

    /// Converts typed text to a value of a field, resolving references by id or title.
    func parseValue(entity: String, field: String, text: String) throws -> Value
    /// The same, for a field already looked up (imports parse every cell of a file).
    func parseValue(_ text: String, field: FieldDefinition, of entity: EntityDefinition) throws -> Value

    /// Creates a record; `created` (epoch seconds) backdates it, for imports from other systems.
    func create(_ entity: String, values: [String: Value], created: Int?) throws -> Int64
    /// The same with the values by field position (`fields` of the entity, `.null` where a
    /// field is not given): bulk imports build one array per row instead of a dictionary.
    func create(_ entity: String, ordered: [Value], created: Int?) throws -> Int64
    /// Changes some fields of one record; returns whether anything changed.
    @discardableResult
    func update(_ entity: String, id: Int64, values: [String: Value]) throws -> Bool
    /// Changes the records matching a filter; returns how many changed (a record that
    /// already had the values is not counted).
    func update(_ entity: String, where filter: Filter?, values: [String: Value]) throws -> Int
    func delete(_ entity: String, id: Int64) throws
    /// Computes the computed fields of the matching records again (after a compute
    /// function changed, or for values that move with the date).
    func recompute(_ entity: String, where filter: Filter?) throws -> RecomputeSummary
    /// Recomputes every record with a computed field that reads this setting (`plugin.name`).
    func recompute(readingSetting key: String) throws -> RecomputeSummary

    func record(_ entity: String, id: Int64) throws -> Record?
    func list(_ query: Query) throws -> ResultTable
    /// Streams the rows of a query to `body` without holding them; returns the columns.
    @discardableResult
    func scan(_ query: Query, _ body: ([Value]) throws -> Void) throws -> [Column]
    func count(_ entity: String, where filter: Filter?) throws -> Int
    /// Substring search over every searchable entity (customers and contacts in the core).
    func find(_ text: String, limit: Int) throws -> ResultTable
    func history(_ entity: String, id: Int64) throws -> ResultTable
    /// `count`, `sum`, `avg`, `min` or `max` of a field, optionally grouped by another.
    func aggregate(_ entity: String, function: AggregateFunction, field: String?, groupBy: String?,
                   where filter: Filter?) throws -> ResultTable
    /// One read-only SQL statement with bound arguments (reports); writes are refused.
    func select(sql: String, arguments: [Value]) throws -> ResultTable
    /// The same for plugin code: only tables in `scope` (nil: any) may be read, and
    /// `shouldStop`, asked while SQLite works, can end the statement.
    func select(sql: String, arguments: [Value], scope: ReadScope?, shouldStop: (() -> Bool)?) throws -> ResultTable

    /// Small per-database key/values: enabled plugins, settings, job runs.
    func meta(_ key: String) throws -> String?
    func setMeta(_ key: String, _ value: String?) throws
    func metaKeys(prefix: String) throws -> [String: String]
    /// The rules that run around every write.
    var rules: WriteRules? { get set }

    /// Runs `body` with the records it creates stored by a background writer while it
    /// prepares the next ones (bulk loads); everything else reads and writes as usual.
    func writeBehind<T>(_ body: () throws -> T) throws -> T
    /// Runs `body`, a load of about `rows` records into `entity` inside a transaction, with
    /// indexes built after the rows are in where the store can (else just runs it).
    func buildingIndexesAfter<T>(_ entity: String, rows: Int, _ body: () throws -> T) throws -> T
    /// Runs `body` atomically: everything it writes is kept, or nothing if it throws.
    func atomically<T>(_ body: () throws -> T) throws -> T
    /// Opens a transaction that spans commands until `commit` or `rollback`; they nest.
    func begin() throws
    func commit() throws
    func rollback() throws
    /// How many `begin`s are open.
    var transactionDepth: Int { get }

    /// A consistent copy of the whole database in `path`, made while others write.
    func backup(to path: String) throws -> BackupSummary
    /// Replaces everything with the contents of a backup, in one step.
    func restore(from path: String) throws -> BackupSummary
    /// Checks a backup as `restore` would, changing nothing; what it holds.
    func checkBackup(at path: String) throws -> BackupSummary
    /// The records a backup taken now would hold.
    func recordTotal() throws -> Int
    /// Ends the connection cleanly (the database file alone then holds everything).
    func close()
}

extension CRMStore {
    public func buildingIndexesAfter<T>(_ entity: String, rows: Int, _ body: () throws -> T) throws -> T {
        try body()
    }

    public func create(_ entity: String, values: [String: Value]) throws -> Int64 {
        try create(entity, values: values, created: nil)
    }
}

extension CRMStore {
    /// A store with no bulk path of its own creates the record from its given (non-null) fields.
    public func create(_ entity: String, ordered given: [Value], created: Int?) throws -> Int64 {
        let e = try schema.require(entity)
        var values: [String: Value] = [:]
        for (i, f) in e.fields.enumerated() where i < given.count && !given[i].isNull { values[f.name] = given[i] }
        return try create(entity, values: values, created: created)
    }
}
