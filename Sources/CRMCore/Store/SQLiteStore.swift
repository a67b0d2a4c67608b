import Foundation
import GRDB

/// The store on an embedded SQLite database file (or `:memory:`), through GRDB.
///
/// WAL mode, foreign keys on, and a busy timeout so that two `crm` processes on one file
/// wait for each other instead of failing.
public final class SQLiteStore: CRMStore, WarningSink {
    public internal(set) var schema = Schema() {
        didSet {  // what they were made for changed
            checkedSelects = [:]; policyViewScripts = nil; recordSQLCache = [:]
            maskedAmountTypes = policy?.maskedAmountTypes(schema) ?? [:]
        }
    }
    /// `select(sql:…)` statements already checked, by SQL and reader (see `CheckedSelect`).
    var checkedSelects: [String: CheckedSelect] = [:]
    /// Who the audit history names; the access identity settles it (`resolveIdentity`).
    public internal(set) var user: String
    /// What writes on the user's behalf, for the audit trail (`realestate rule 'protection
    /// expiry'`, `banking job 'classify'`); nil for the user's own commands.
    public var via: String?
    public var clock: Clock { didSet { parser = ValueParser(clock: clock) } }
    public let displayName: String
    public let path: String
    let queue: DatabaseQueue
    public internal(set) var parser: ValueParser
    public internal(set) var transactionDepth = 0
    /// The rules that run around every write (the plugin runtime sets them).
    public weak var rules: WriteRules?
    /// The core modules' rules, which run before the plugins' (also with plugins off).
    public var coreRules: [CoreRule] = CoreRules.all {
        didSet { coreRulesByEntity = Dictionary(grouping: coreRules, by: \.entity) }
    }
    /// `coreRules` by entity (a write looks its entity's up; most entities have none).
    var coreRulesByEntity = Dictionary(grouping: CoreRules.all, by: \.entity)
    /// Where the core rules' warnings go (`WarningSink`); nil drops them.
    public var warn: ((String) -> Void)?
    /// Ids seen to exist during the current transaction, by entity: a bulk import checks
    /// each owner once, not once per row. Only valid while the write lock is held, so it
    /// is dropped at every commit, rollback and delete.
    var knownReferences: [String: Set<Int64>] = [:]
    /// Savepoints owed to writes inside rules, innermost last.
    var lazySavepoints: [LazySavepoint] = []
    /// INSERT statements' SQL by entity (built once: imports insert millions of rows).
    var insertSQLCache: [String: String] = [:]
    /// The SELECT of one record by id, by entity (rules fetch records per imported row).
    var recordSQLCache: [String: (fields: [String], sql: String)] = [:]
    /// The background writer of bulk loads (`writeBehind`), and how deep in them we are.
    let writes = WriteBehind()
    var writeBehindDepth = 0
    /// How many `atomically` blocks are open (a transaction is, when more than 0).
    var atomicDepth = 0
    /// The id the next record handed to the writer gets, by entity. Dropped at every other
    /// database access: anything else may insert.
    var nextIDs: [String: Int64] = [:]
    /// The current second as stored text, reused while the clock stays on it.
    var nowText: (seconds: Int, text: DatabaseValue) = (Int.min, .null)
    /// Parsed default values by entity and field position (nil: no default, or one that
    /// depends on the clock and is parsed for each record).
    var defaultValues: [String: [Value?]] = [:]
    /// The statements records handed to the writer use, by entity.
    var behindStatements: [String: BehindStatements] = [:]
    /// How many of the `begin` levels have been opened in SQLite (at their first write).
    var openedLevels = 0
    /// The `begin` level that opened SQLite's transaction (0: none of them did).
    var outermostLevel = 0
    /// Whether crm opened a transaction in SQLite that is still open, as far as it knows.
    var transactionOpen = false
    /// Set when SQLite rolled back a transaction on its own; see `AbortedTransaction`.
    var aborted: AbortedTransaction?
    /// Why SQLite last rolled back a transaction on its own (`the disk is full`).
    public internal(set) var lastAbortCause: String?
    /// Records whose computed fields wait to be recomputed at the end of the command, and
    /// how deep in compute functions we are (`ComputedFieldStore`).
    public let computeState = ComputeState()
    /// The caller's access policy; nil while access control is off (every caller is an
    /// admin, as before roles existed). See `SQLiteStore+Access`.
    public internal(set) var policy: AccessPolicy? {
        didSet { policyViewScripts = nil; checkedSelects = [:]; maskedAmountTypes = policy?.maskedAmountTypes(schema) ?? [:] }
    }
    /// The amount fields the policy's views mask, by name (see `AccessPolicy.maskedAmountTypes`).
    var maskedAmountTypes: [String: FieldType] = [:]
    /// The policy's views as one script creating them and one dropping them, made once
    /// per policy and schema (building them costs more than a small read).
    var policyViewScripts: (create: String, drop: String)?
    /// How deep in reads the policy's views are installed for.
    var policedDepth = 0
    /// What the current command is (`show`, `export`…), for the access log.
    public var accessPurpose = "read"
    /// Access-log rows noted while a transaction was open, written once it ends either way
    /// (`SQLiteStore+Grants`): a display happened even if the user rolls back.
    var pendingAccessLog: [[DatabaseValue]] = []
    /// The policy's SQL functions installed on the connection (`installPolicyFunctions`).
    var policyFunctions: Set<String> = []
    /// The series declared (`allSeries`), until one is installed.
    var seriesCache: [SeriesDefinition]? {
        didSet { policyViewScripts = nil }  // the policy views series too
    }
    /// Roles the loaded plugins declare (`crm.role`), beside `Role.core`.
    public internal(set) var pluginRoles: [Role] = []
    /// The OS user running crm (set by `resolveIdentity`); `access on` makes them admin too.
    public internal(set) var osUser: String?

    /// Opens (creating if needed) the database at `path` and installs the core entities.
    ///
    /// A new file is created with mode 0600 in a folder created with mode 0700. With
    /// `installingCore` false the caller installs them (`installCore`) unless it knows the
    /// stored schema already holds them (see `PluginHost.startStampMatches`).
    public init(path: String, user: String, clock: Clock = .system, busyTimeout: TimeInterval = 10,
                installingCore: Bool = true) throws {
        self.user = user
        self.clock = clock
        self.path = path
        self.parser = ValueParser(clock: clock)
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(busyTimeout)
        // Transactions span commands (`begin` … `commit`), so they outlive one access.
        config.allowsUnsafeTransactions = true
        config.label = "crm"
        do {
            if path == ":memory:" {
                displayName = "memory"
                queue = try DatabaseQueue(configuration: config)
            } else {
                displayName = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
                try SQLiteStore.prepareFile(path)
                queue = try DatabaseQueue(path: path, configuration: config)
                try queue.inDatabase { db in
                    _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                    try db.execute(sql: "PRAGMA synchronous = NORMAL")
                    // (temp_store stays the default: in memory, GROUP BY's temporary
                    // b-tree made a report over 5M rows a quarter slower.)
                    try db.execute(sql: "PRAGMA cache_size = -32768")
                    // After a checkpoint the WAL file shrinks back to this (imports grow it).
                    try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
                }
            }
            try SQLiteStore.migrator.migrate(queue)
            try loadSchema()
            if installingCore { try install(CoreEntities.all) }
        } catch let error as DatabaseError {
            throw StoreError.database("cannot open \(path): \(error.message ?? "\(error)")")
        }
    }

    /// Creates the folder (0700) and an empty file (0600) so SQLite never makes a
    /// world-readable one.
    static func prepareFile(_ path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError.database("cannot create folder \(folder): \(error.localizedDescription)")
            }
        }
        if !FileManager.default.fileExists(atPath: path) {
            let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw StoreError.database("cannot create \(path): \(String(cString: strerror(errno)))")
            }
            Glibc.close(fd)
        }
    }

    /// The store's own tables, versioned. Entity tables are migrated from their definitions.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: schema, audit, meta") { db in
            try db.execute(sql: """
                CREATE TABLE _crm_schema (
                    entity TEXT PRIMARY KEY,
                    definition TEXT NOT NULL,
                    position INTEGER NOT NULL);
                CREATE TABLE _crm_audit (
                    id INTEGER PRIMARY KEY,
                    at TEXT NOT NULL,
                    user TEXT NOT NULL,
                    action TEXT NOT NULL,
                    entity TEXT NOT NULL,
                    record_id INTEGER,
                    field TEXT,
                    old TEXT,
                    new TEXT);
                CREATE INDEX _crm_audit_record ON _crm_audit(entity, record_id);
                CREATE TABLE _crm_meta (key TEXT PRIMARY KEY, value TEXT);
                """)
        }
        m.registerMigration("v2: find index without positions") { db in
            // The layout of FindIndex.options as of v2, rebuilt from the stored grams.
            let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM _crm_meta WHERE key LIKE 'find:%'")
            for row in rows {
                let key: String = row[0], value: String = row[1]
                let table = FindIndex.table(String(key.dropFirst("find:".count)))
                guard try db.tableExists(table), !value.hasSuffix(";v2") else { continue }
                try db.execute(sql: "ALTER TABLE \(quoted(table)) RENAME TO \(quoted(table + "_v1"))")
                try db.execute(sql: "CREATE VIRTUAL TABLE \(quoted(table)) USING fts5(grams, tokenize = 'unicode61 remove_diacritics 0', detail = none, columnsize = 0)")
                try db.execute(sql: "INSERT INTO \(quoted(table)) (rowid, grams) SELECT rowid, grams FROM \(quoted(table + "_v1"))")
                try db.execute(sql: "DROP TABLE \(quoted(table + "_v1"))")
                try db.execute(sql: "UPDATE _crm_meta SET value = ? WHERE key = ?", arguments: [value + ";v2", key])
            }
        }
        m.registerMigration("v3: audit names the rule or job") { db in
            // Older rows stay null: they were written before the trail could tell.
            try db.execute(sql: "ALTER TABLE _crm_audit ADD COLUMN via TEXT")
        }
        m.registerMigration("v4: access grants and log") { db in
            try SQLiteStore.createAccessTables(db)
        }
        return m
    }

    deinit {
        writes.stop()
        behindStatements = [:]  // finalized while the connection is still open
    }

    /// Creates or migrates the core entities' tables (`init` does unless told not to).
    public func installCore() throws {
        try install(CoreEntities.all)
    }

    /// Reads the stored definitions; each is decoded when first used (see `Schema`).
    func loadSchema() throws {
        let rows = try queue.inDatabase { db in
            try Row.fetchAll(db, sql: "SELECT entity, definition FROM _crm_schema ORDER BY position")
                .map { (name: $0[0] as String, json: $0[1] as String) }
        }
        schema = Schema(stored: rows)
    }

    /// Runs a database access, turning SQLite errors into store errors.
    /// Inserts handed to the background writer are written first (and then seen).
    func access<T>(_ body: (Database) throws -> T) throws -> T {
        if let aborted { throw StoreError.transaction(aborted.refusal) }
        do {
            if writeBehindDepth > 0 {
                try writes.drain()
                nextIDs = [:]
            }
            return try queue.inDatabase(body)
        } catch let error as DatabaseError {
            let message = SQLiteStore.describe(error)
            if noteAbortedTransaction(cause: message) {
                throw StoreError.transaction(aborted!.report)
            }
            throw StoreError.database(message)
        }
    }

    static func describe(_ error: DatabaseError) -> String {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return "the database is busy (another crm is writing); try again"
        case .SQLITE_READONLY:
            return "the database is read-only"
        case .SQLITE_FULL:
            return "the disk is full"
        default:
            return error.message ?? "\(error)"
        }
    }

    // MARK: Transactions

    /// A transaction SQLite ended on its own after an error (a full disk, an I/O error):
    /// everything since it began is undone, and until every open `begin` is rolled back
    /// nothing else runs, so no later command can write outside the transaction the user
    /// opened.
    struct AbortedTransaction {
        /// What SQLite reported (`the disk is full`).
        var cause: String
        /// Whether a `begin` of the user's was open (rather than one command's own transaction).
        var inBegin: Bool

        /// The error of the command that hit it.
        var report: String {
            inBegin ? "\(cause); SQLite rolled back the whole transaction (everything since begin is undone); type rollback to end it"
                    : "\(cause); the command was rolled back"
        }
        /// The error of every later command until `rollback`.
        var refusal: String {
            "the transaction was rolled back by SQLite (\(cause)); nothing since begin was kept and nothing runs until rollback ends it"
        }
    }

    /// After a failed statement: if SQLite left the transaction crm believes open, remember
    /// it (returns true). SQLite rolls back on its own after SQLITE_FULL, SQLITE_IOERR,
    /// SQLITE_NOMEM and some SQLITE_BUSY cases, statement by statement at its discretion.
    func noteAbortedTransaction(cause: String) -> Bool {
        guard transactionOpen, aborted == nil,
              !queue.inDatabase({ $0.isInsideTransaction }) else { return false }
        transactionOpen = false
        lastAbortCause = cause
        aborted = AbortedTransaction(cause: cause, inBegin: transactionDepth > 0)
        writes.abandon()
        knownReferences = [:]
        return true
    }

    /// Ends the bookkeeping of a transaction SQLite has already rolled back, once no
    /// `begin` of the user's is left open.
    func clearAbortIfNothingOpen() {
        if transactionDepth == 0 && atomicDepth == 0 {
            aborted = nil
            openedLevels = 0
        }
    }

    public func atomically<T>(_ body: () throws -> T) throws -> T {
        try willWrite()
        // Outside any transaction the write takes the database's write lock at once
        // (BEGIN IMMEDIATE): a second crm waits its turn (busy timeout) and then reads what
        // the first wrote, instead of failing on a stale snapshot. Inside one, a savepoint.
        // One savepoint name for every level: SQLite matches RELEASE and ROLLBACK TO with
        // the innermost of that name, and the statements stay cached (imports run one per
        // row when rules watch).
        let outermost = try access { !$0.isInsideTransaction }
        try access { try $0.cachedStatement(sql: outermost ? "BEGIN IMMEDIATE" : "SAVEPOINT crm_cmd").execute() }
        if outermost { transactionOpen = true }
        atomicDepth += 1
        let queued = computeState.recomputes.mark
        defer {
            atomicDepth -= 1
            if aborted != nil { clearAbortIfNothingOpen() }
        }
        do {
            let result = try body()
            // The command's (or import batch's) records computed from what it wrote, once each.
            if atomicDepth == 1 {
                try flushRecomputes()
                computeState.recomputes.clear()
            }
            if outermost { knownReferences = [:] }
            try access { try $0.cachedStatement(sql: outermost ? "COMMIT" : "RELEASE crm_cmd").execute() }
            if outermost { transactionOpen = false; try flushAccessLog() }
            return result
        } catch {
            knownReferences = [:]
            computeState.recomputes.rollback(to: queued)
            writes.abandon()  // all of it was queued inside this transaction or savepoint
            if aborted == nil {
                try? access { db in
                    if outermost {
                        if db.isInsideTransaction { try db.execute(sql: "ROLLBACK") }
                    } else {
                        try db.execute(sql: "ROLLBACK TO crm_cmd")
                        try db.execute(sql: "RELEASE crm_cmd")
                    }
                }
            }
            if outermost { transactionOpen = false; try? flushAccessLog() }
            throw error
        }
    }

    /// True while a transaction is open (a `begin`, an import batch, a command).
    var insideTransaction: Bool { (try? access { $0.isInsideTransaction }) ?? false }

    /// A savepoint opened only if something inside writes (`willWrite`): a create whose
    /// before-rules only look at the record then costs no savepoint (one per row in imports).
    final class LazySavepoint { var opened = false }

    func lazily<T>(_ body: () throws -> T) throws -> T {
        let level = LazySavepoint()
        lazySavepoints.append(level)
        let queued = computeState.recomputes.mark
        defer { lazySavepoints.removeLast() }
        do {
            let result = try body()
            if level.opened { try access { try $0.cachedStatement(sql: "RELEASE crm_cmd").execute() } }
            return result
        } catch {
            knownReferences = [:]
            computeState.recomputes.rollback(to: queued)
            if level.opened && aborted == nil {
                writes.abandon()
                try? access { db in
                    try db.execute(sql: "ROLLBACK TO crm_cmd")
                    try db.execute(sql: "RELEASE crm_cmd")
                }
            }
            throw error
        }
    }

    /// Opens what a write about to happen needs: the `begin` levels not opened yet (the
    /// outermost with BEGIN IMMEDIATE, which waits for other writers and reads what they
    /// wrote), then the lazy savepoints of rules.
    func willWrite() throws {
        // A transaction SQLite ended without an error crm saw (not in bulk loads: this
        // runs for every row and the writer thread reports its own failures).
        if transactionOpen && writeBehindDepth == 0, try !access({ $0.isInsideTransaction }) {
            _ = noteAbortedTransaction(cause: "the transaction ended unexpectedly")
            throw StoreError.transaction(aborted!.report)
        }
        while openedLevels < transactionDepth {
            let level = openedLevels + 1
            let outermost = try access { !$0.isInsideTransaction }
            try access { try $0.execute(sql: outermost ? "BEGIN IMMEDIATE" : "SAVEPOINT crm_tx_\(level)") }
            if outermost { transactionOpen = true; outermostLevel = level }
            openedLevels = level
        }
        for level in lazySavepoints where !level.opened {
            try access { try $0.cachedStatement(sql: "SAVEPOINT crm_cmd").execute() }
            level.opened = true
        }
    }

    /// `begin` opens nothing in SQLite yet: reads before the block's first write see what
    /// others committed, and the first write takes the write lock (waiting for another
    /// writer rather than failing on a stale snapshot).
    public func begin() throws {
        if let aborted { throw StoreError.transaction(aborted.refusal) }
        transactionDepth += 1
    }

    public func commit() throws {
        guard transactionDepth > 0 else { throw StoreError.transaction("no transaction is open (use begin first)") }
        if let aborted {
            throw StoreError.transaction("cannot commit: the transaction was rolled back by SQLite (\(aborted.cause)); type rollback to end it")
        }
        let level = transactionDepth
        if openedLevels >= level {
            let outermost = level == outermostLevel
            try access { try $0.execute(sql: outermost ? "COMMIT" : "RELEASE crm_tx_\(level)") }
            if outermost { transactionOpen = false; outermostLevel = 0; try flushAccessLog() }
            openedLevels = level - 1
        }
        transactionDepth -= 1
        knownReferences = [:]
    }

    /// Ends the innermost `begin`, undoing its writes. Always ends it, even when SQLite
    /// reports an error doing so (the transaction is then gone on SQLite's side too).
    public func rollback() throws {
        guard transactionDepth > 0 else { throw StoreError.transaction("no transaction is open (use begin first)") }
        let level = transactionDepth
        defer {
            transactionDepth -= 1
            openedLevels = min(openedLevels, transactionDepth)
            knownReferences = [:]
            if aborted != nil { clearAbortIfNothingOpen() }
            // What was shown before the rollback stays shown: its log rows are kept.
            if !insideTransaction { try? flushAccessLog() }
        }
        writes.abandon()
        guard aborted == nil, openedLevels >= level else { return }
        let outermost = level == outermostLevel
        if outermost { transactionOpen = false; outermostLevel = 0 }
        try access { db in
            if outermost {
                if db.isInsideTransaction { try db.execute(sql: "ROLLBACK") }
            } else {
                try db.execute(sql: "ROLLBACK TO crm_tx_\(level)")
                try db.execute(sql: "RELEASE crm_tx_\(level)")
            }
        }
    }

    /// The id of the newest audit row, to summarise what a run changed.
    public func lastAuditID() throws -> Int64 {
        try access { try Int64.fetchOne($0, sql: "SELECT max(id) FROM _crm_audit") ?? 0 }
    }

    /// What was written since an audit id: (action, entity, count), for dry runs.
    public func changes(since auditID: Int64) throws -> [(action: String, entity: String, count: Int)] {
        try access { db in
            try Row.fetchAll(db, sql: """
                SELECT action, entity, count(DISTINCT record_id) FROM _crm_audit
                WHERE id > ? GROUP BY action, entity ORDER BY min(id)
                """, arguments: [auditID]).map { ($0[0], $0[1], $0[2]) }
        }
    }
}

/// SQL identifier quoting; names are also checked to be plain identifiers on install.
func quoted(_ name: String) -> String {
    guard name.utf8.contains(34) else { return "\"" + name + "\"" }
    return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
