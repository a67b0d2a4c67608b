import Foundation
import GRDB
import GRDBSQLite

/// What `backup` or `restore` copied.
public struct BackupSummary: Equatable, Sendable {
    /// Records of every entity in the copy.
    public var records: Int
    /// The copy's size in bytes.
    public var bytes: Int
}

extension SQLiteStore {
    /// Checkpoints the WAL into the database file and closes the connection, so that the
    /// file alone holds everything (a plain copy of it is then complete). Called at exit.
    public func close() {
        writes.stop()
        behindStatements = [:]  // finalized while the connection is still open
        while transactionDepth > 0 { try? rollback() }
        try? queue.inDatabase { db in
            // What SQLite advises for short-lived connections: gather the statistics the
            // query planner lacked for this session's queries, so a rule's lookup uses the
            // selective index next time (analysis_limit keeps it to milliseconds on big
            // tables). Never waits: if another crm holds the write lock, it is skipped.
            sqlite3_busy_timeout(db.sqliteConnection, 0)
            try? db.execute(sql: "PRAGMA analysis_limit = 400; PRAGMA optimize")
            // PASSIVE: copies what it can without waiting for another crm's readers.
            _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")
        }
        try? queue.close()
    }

    /// Copies the whole database into `path` with SQLite's online backup API: a consistent
    /// picture of what is committed, while other processes go on writing. The copy is made
    /// beside `path` (mode 0600), checked, and renamed over it only when complete.
    public func backup(to path: String) throws -> BackupSummary {
        guard transactionDepth == 0 else {
            throw StoreError.transaction("backup: a transaction is open; commit or rollback first (a backup holds only what is committed)")
        }
        guard path != self.path, !samePath(path, self.path) else {
            throw StoreError.database("backup: \(path) is this database; choose another file")
        }
        let temporary = (path as NSString).deletingLastPathComponent
            .appendingPathComponentIfAny(".\((path as NSString).lastPathComponent).partial-\(getpid())")
        unlink(temporary)
        do {
            let fd = open(temporary, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw StoreError.database("backup: cannot create \(path): \(String(cString: strerror(errno)))") }
            Glibc.close(fd)
            defer { unlink(temporary); unlink(temporary + "-wal"); unlink(temporary + "-shm"); unlink(temporary + "-journal") }
            var config = Configuration()
            config.label = "crm-backup"
            let copy = try DatabaseQueue(path: temporary, configuration: config)
            try access { db in
                try copy.writeWithoutTransaction { target in try db.backup(to: target) }
            }
            let records = try copy.inDatabase { db -> Int in
                // A single file a plain copy can move: no WAL beside it.
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                let check = try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "?"
                guard check == "ok" else { throw StoreError.database("backup: the copy failed its check (\(check)); \(path) was not written") }
                return try SQLiteStore.recordCount(db)
            }
            try copy.close()
            guard rename(temporary, path) == 0 else {
                throw StoreError.database("backup: cannot write \(path): \(String(cString: strerror(errno)))")
            }
            return BackupSummary(records: records, bytes: SQLiteStore.fileSize(path))
        } catch let error as DatabaseError {
            throw StoreError.database("backup: \(SQLiteStore.describe(error)); \(path) was not written")
        }
    }

    /// Replaces everything in this database with the contents of a backup (or any crm
    /// database file), in one step: on failure the database is as it was. The backup is
    /// checked first. The entities are read again from the restored database.
    public func restore(from path: String) throws -> BackupSummary {
        guard transactionDepth == 0 else {
            throw StoreError.transaction("restore: a transaction is open; commit or rollback first")
        }
        do {
            let source = try openBackup(path)
            try access { db in
                try source.inDatabase { from in try from.backup(to: db) }
            }
            try source.close()
        } catch let error as DatabaseError {
            throw StoreError.database("restore: \(path): \(SQLiteStore.describe(error)); nothing was changed")
        }
        try reopenSchema()
        return BackupSummary(records: try access { try SQLiteStore.recordCount($0) }, bytes: SQLiteStore.fileSize(path))
    }

    /// Checks that `path` is a crm database a `restore` would accept, without changing
    /// anything here: what `--dry-run` of a restore reports. The records it holds.
    public func checkBackup(at path: String) throws -> BackupSummary {
        do {
            let source = try openBackup(path)
            defer { try? source.close() }
            let records = try source.inDatabase { try SQLiteStore.recordCount($0) }
            return BackupSummary(records: records, bytes: SQLiteStore.fileSize(path))
        } catch let error as DatabaseError {
            throw StoreError.database("restore: \(path): \(SQLiteStore.describe(error))")
        }
    }

    /// The records a backup taken now would hold (for `--dry-run`).
    public func recordTotal() throws -> Int { try access { try SQLiteStore.recordCount($0) } }

    /// Opens a backup read-only after checking it is a whole crm database.
    func openBackup(_ path: String) throws -> DatabaseQueue {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError.database("restore: \(path) does not exist")
        }
        guard !samePath(path, self.path) else { throw StoreError.database("restore: \(path) is this database") }
        var config = Configuration()
        config.readonly = true
        config.label = "crm-restore"
        let source = try DatabaseQueue(path: path, configuration: config)
        try source.inDatabase { db in
            guard try db.tableExists("_crm_schema"), try db.tableExists("_crm_audit") else {
                throw StoreError.database("restore: \(path) is not a crm database")
            }
            let check = try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "?"
            guard check == "ok" else { throw StoreError.database("restore: \(path) is damaged (\(check)); nothing was changed") }
        }
        return source
    }

    /// Forgets what was read of the schema and every cache built on it, then reads it anew.
    func reopenSchema() throws {
        schema = Schema()
        insertSQLCache = [:]
        behindStatements = [:]
        defaultValues = [:]
        knownReferences = [:]
        nextIDs = [:]
        try SQLiteStore.migrator.migrate(queue)
        try loadSchema()
        try install(CoreEntities.all)
    }

    /// Records of every entity the database's schema table names.
    static func recordCount(_ db: Database) throws -> Int {
        var total = 0
        for entity in try String.fetchAll(db, sql: "SELECT entity FROM _crm_schema") where try db.tableExists(entity) {
            total += try Int.fetchOne(db, sql: "SELECT count(*) FROM \(quoted(entity))") ?? 0
        }
        return total
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    func samePath(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }
}

extension String {
    /// `folder/name`, or `name` alone when the folder is empty.
    func appendingPathComponentIfAny(_ name: String) -> String {
        isEmpty ? name : (self as NSString).appendingPathComponent(name)
    }
}
