import Foundation
import CRMCore

/// The store on a PostgreSQL server, behind the same `CRMStore` protocol as `SQLiteStore`.
///
/// Entities are real tables (`PostgresDDL`: native types, foreign keys, enum CHECKs, a
/// two-character gram table for `find`); definitions live in `_crm_schema`, the audit
/// history in `_crm_audit` (written in the same transaction as the record), settings in
/// `_crm_meta`, as on SQLite. The filter grammar, value checks and rule chain are
/// CRMCore's (`StoreParts`), so rules — the core modules' and the plugins' — run around
/// these writes as around SQLite's. Not thread-safe: one store per thread or process.
public final class PostgresStore: ValueParsingStore, WarningSink {
    public internal(set) var schema = Schema() { didSet { policyQueries = nil } }
    /// The caller as the audit history names them (the OS user once access control is on,
    /// unless an admin allowed overrides: `resolveIdentity`).
    public internal(set) var user: String
    public var via: String?
    public var clock: Clock { didSet { parser = ValueParser(clock: clock) } }
    /// `host:port/database`, never the password.
    public let displayName: String
    public weak var rules: WriteRules?
    /// The core modules' rules, which run before the plugins' (also with plugins off).
    public var coreRules: [CoreRule] = CoreRules.all
    /// Where the core rules' warnings go (`WarningSink`); nil drops them.
    public var warn: ((String) -> Void)?
    let connection: PGConnection
    public internal(set) var parser: ValueParser
    /// How many `begin`s are open; each is a transaction (the first) or a savepoint.
    public internal(set) var transactionDepth = 0
    /// How many `atomically` blocks are open inside the current transaction.
    var atomicDepth = 0
    /// How many `writeBehind` loads are open: their transactions read on from a file, so
    /// they cannot be run again after a deadlock (`atomically` then reports it instead).
    var bulkDepth = 0
    /// Rows an import sends per COPY (`create(_:batch:)`).
    public var copyBatchRows = 2_000
    /// Records whose computed fields wait to be recomputed at the end of the command, and
    /// how deep in compute functions we are (`ComputedFieldStore`).
    public let computeState = ComputeState()
    /// The schema the store's tables live in (the connection's current schema).
    public private(set) var storeSchema = "public"

    // Access control (`PostgresStore+Access`).
    /// The caller's access policy; nil while access control is off.
    public internal(set) var policy: AccessPolicy? {
        didSet { policyQueries = nil; maskedAmountTypes = policy?.maskedAmountTypes(schema) ?? [:] }
    }
    /// The amount fields the policy masks, by name (`AccessPolicy.maskedAmountTypes`).
    var maskedAmountTypes: [String: FieldType] = [:]
    /// The policy's WITH queries, made once per policy and schema (nil: not made yet).
    var policyQueries: String?
    /// The roles the loaded plugins declare (`crm.role`).
    public internal(set) var pluginRoles: [Role] = []
    /// Who runs crm, as the operating system says.
    public internal(set) var osUser: String?
    /// What the current command is (`show`, `export`), named by the access log.
    public var accessPurpose = "read"
    /// Access-log rows waiting for the transaction they were noted in to end.
    var pendingAccessLog: [[String?]] = []

    /// Connects to `url` (any libpq connection string), installs the store's own tables
    /// and the core entities.
    public init(url: String, user: String, clock: Clock = .system) throws {
        self.user = user
        self.clock = clock
        self.parser = ValueParser(clock: clock)
        connection = try PGConnection(url)
        displayName = connection.location
        try connection.execute("SET TimeZone = 'UTC'")
        try connection.execute("SET DateStyle = 'ISO, YMD'")
        storeSchema = try connection.execute("SELECT current_schema()").value(0, 0) ?? "public"
        try connection.transaction {
            // Two clients starting on a new database at once install one set of tables.
            try connection.execute("SELECT pg_advisory_xact_lock(1129466182)")
            for statement in PostgresDDL.storeTables { try connection.execute(statement) }
            if try connection.execute(PostgresDDL.maskedAggregatesInstalled).value(0, 0) != "t" {
                for statement in PostgresDDL.maskedAggregates { try connection.execute(statement) }
            }
        }
        try loadSchema()
        try install(CoreEntities.all)
    }

    /// Reads the stored definitions (another client may have installed some).
    func loadSchema() throws {
        let result = try connection.execute("SELECT definition::text FROM _crm_schema ORDER BY position")
        let decoder = JSONDecoder()
        var loaded = Schema()
        for row in result.rows {
            if let text = row[0], let e = try? decoder.decode(EntityDefinition.self, from: Data(text.utf8)) {
                loaded.put(e)
            }
        }
        schema = loaded
    }

    /// Runs one statement; `?` placeholders are numbered for the server.
    @discardableResult
    func run(_ sql: String, _ arguments: [String?] = []) throws -> PGResult {
        do {
            return try connection.execute(PostgresSQL.numbered(sql), arguments)
        } catch let error as PGError where error.kind == .connectionLost {
            // The server ended the transaction with the connection: nothing of it is kept.
            transactionDepth = 0
            atomicDepth = 0
            throw error
        }
    }

    // MARK: Transactions

    public func atomically<T>(_ body: () throws -> T) throws -> T {
        if !connection.inTransaction {
            // A command's own transaction: a deadlock or serialization failure runs it
            // again, so an ordinary command never reports one (starting from the queue of
            // records to recompute as it was). A bulk load's body reads on from its file
            // and cannot be run twice; it retries its own batches instead
            // (`create(_:batch:)`) and stops with what was committed when that fails.
            // The access log's rows wait for the transaction to end (a retry notes its own).
            let logged = pendingAccessLog.count
            defer { try? flushAccessLog() }
            return try connection.transaction(attempts: bulkDepth > 0 ? 1 : 20) {
                if pendingAccessLog.count > logged { pendingAccessLog.removeSubrange(logged...) }
                atomicDepth += 1
                defer { atomicDepth -= 1 }
                let queued = computeState.recomputes.mark
                do {
                    let result = try body()
                    try flushRecomputes()
                    computeState.recomputes.clear()
                    return result
                } catch {
                    computeState.recomputes.rollback(to: queued)
                    throw error
                }
            }
        }
        try run("SAVEPOINT crm_cmd")
        atomicDepth += 1
        let queued = computeState.recomputes.mark
        defer { atomicDepth -= 1 }
        do {
            let result = try body()
            // The command's records computed from what it wrote, once each, in its
            // transaction (inside a `begin`, at the end of each command).
            if atomicDepth == 1 {
                try flushRecomputes()
                computeState.recomputes.clear()
            }
            try run("RELEASE SAVEPOINT crm_cmd")
            return result
        } catch {
            computeState.recomputes.rollback(to: queued)
            if connection.inTransaction {
                _ = try? run("ROLLBACK TO SAVEPOINT crm_cmd")
                _ = try? run("RELEASE SAVEPOINT crm_cmd")
            }
            throw error
        }
    }

    /// A read inside an open transaction runs in a savepoint: a failed statement would
    /// otherwise leave the whole transaction unusable until rollback.
    func reading<T>(_ body: () throws -> T) throws -> T {
        guard connection.inTransaction else { return try body() }
        try run("SAVEPOINT crm_read")
        do {
            let result = try body()
            try run("RELEASE SAVEPOINT crm_read")
            return result
        } catch {
            if connection.inTransaction {
                _ = try? run("ROLLBACK TO SAVEPOINT crm_read")
                _ = try? run("RELEASE SAVEPOINT crm_read")
            }
            throw error
        }
    }

    public func begin() throws {
        if transactionDepth == 0 && !connection.inTransaction {
            try run("BEGIN")
        } else {
            try run("SAVEPOINT crm_tx_\(transactionDepth + 1)")
        }
        transactionDepth += 1
    }

    public func commit() throws {
        guard transactionDepth > 0 else { throw StoreError.transaction("no transaction is open (use begin first)") }
        let level = transactionDepth
        defer {
            transactionDepth = min(transactionDepth, level - 1)
            try? flushAccessLog()
        }
        try run(level == 1 ? "COMMIT" : "RELEASE SAVEPOINT crm_tx_\(level)")
    }

    public func rollback() throws {
        guard transactionDepth > 0 else { throw StoreError.transaction("no transaction is open (use begin first)") }
        let level = transactionDepth
        defer {
            transactionDepth = min(transactionDepth, level - 1)
            try? flushAccessLog()  // what was shown before the rollback stays logged
        }
        guard connection.inTransaction else { return }
        if level == 1 {
            try run("ROLLBACK")
        } else {
            try run("ROLLBACK TO SAVEPOINT crm_tx_\(level)")
            try run("RELEASE SAVEPOINT crm_tx_\(level)")
        }
    }

    // MARK: Meta

    public func meta(_ key: String) throws -> String? {
        try reading { try run("SELECT value FROM _crm_meta WHERE key = ?", [key]).rows.first?[0] ?? nil }
    }

    public func setMeta(_ key: String, _ value: String?) throws {
        try atomically {
            if let value {
                try run("INSERT INTO _crm_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        [key, value])
            } else {
                try run("DELETE FROM _crm_meta WHERE key = ?", [key])
            }
        }
    }

    public func metaKeys(prefix: String) throws -> [String: String] {
        try reading {
            var out: [String: String] = [:]
            let rows = try run("SELECT key, value FROM _crm_meta WHERE starts_with(key, ?)", [prefix]).rows
            for row in rows { if let key = row[0] { out[key] = row[1] ?? "" } }
            return out
        }
    }

    // MARK: What only the SQLite store does (for now)

    /// The one-line refusal of a SQLite-only feature.
    static func needsSQLite(_ what: String) -> StoreError {
        .database("\(what) needs a SQLite database for now (this one is PostgreSQL; see docs/postgresql.md)")
    }

    public func writeBehind<T>(_ body: () throws -> T) throws -> T {
        bulkDepth += 1
        defer { bulkDepth -= 1 }
        return try body()
    }

    public func backup(to path: String) throws -> BackupSummary { throw PostgresStore.needsSQLite("backup") }
    public func restore(from path: String) throws -> BackupSummary { throw PostgresStore.needsSQLite("restore") }
    public func checkBackup(at path: String) throws -> BackupSummary { throw PostgresStore.needsSQLite("backup check") }

    public func recordTotal() throws -> Int {
        try reading {
            var total = 0
            for e in schema.entities {
                total += Int(try run("SELECT count(*) FROM \(PostgresDDL.quote(e.name))").value(0, 0) ?? "0") ?? 0
            }
            return total
        }
    }

    public func close() { connection.close() }

    /// Sets every entity's next id to one past its largest (for tests on a throw-away
    /// database: a sequence does not roll back, SQLite's ids do). Never for a live
    /// database: another client may be inserting.
    public func resetIdentities() throws {
        for e in schema.entities {
            let table = PostgresDDL.quote(e.name)
            try run("SELECT setval(pg_get_serial_sequence(?, 'id'), coalesce((SELECT max(id) FROM \(table)), 0) + 1, false)",
                    [table])
        }
    }
}

extension PostgresStore: AuditSummary {
    public func lastAuditID() throws -> Int64 {
        try reading { Int64(try run("SELECT coalesce(max(id), 0) FROM _crm_audit").value(0, 0) ?? "0") ?? 0 }
    }

    /// (Rows other clients committed meanwhile are counted too: ids are the only order.)
    public func changes(since auditID: Int64) throws -> [(action: String, entity: String, count: Int)] {
        try reading {
            try run("""
                SELECT action, entity, count(DISTINCT record_id) FROM _crm_audit
                WHERE id > ? GROUP BY action, entity ORDER BY min(id)
                """, [String(auditID)]).rows.map { ($0[0] ?? "", $0[1] ?? "", Int($0[2] ?? "0") ?? 0) }
        }
    }
}
