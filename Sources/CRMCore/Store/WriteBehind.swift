import Foundation
import GRDB
import GRDBSQLite

/// Executes prepared inserts on a second thread while the caller goes on with the next
/// records: a bulk import parses, validates and indexes on one core while SQLite stores
/// on the other.
///
/// The connection is never used by two threads at once: the store drains this writer
/// before every other use of the database (`SQLiteStore.access`), so a read or a write
/// outside it sees everything handed over before. The first failure stops the writer;
/// it is thrown by the next `add` or `drain`, and the caller rolls the transaction back.
///
/// The second thread pays only when a second core is free: every quarter second the
/// writer asks `CPUAvailability`, and while other processes take that core it executes
/// the inserts inline on the caller's thread (one thread doing the work, as sqlite3 does),
/// going back to two threads when the core is free again.
final class WriteBehind: @unchecked Sendable {
    /// One new record to store: its row, its find grams and its audit row, bound straight
    /// from its values by the thread that writes it (grams and the audit JSON, pure work,
    /// are made there too, in buffers reused from record to record).
    struct Record: @unchecked Sendable {
        var statements: SQLiteStore.BehindStatements
        var id: Int64
        var values: [Value]
        /// The created and updated time, the audit time, user and via.
        var born: DatabaseValue
        var at: DatabaseValue
        var user: DatabaseValue
        var via: DatabaseValue
        /// The grams and audit JSON when the caller's thread made them (the writer was behind).
        var prepared: (grams: [UInt8], json: [UInt8])?
    }

    /// Records handed over per wake-up of the writer thread.
    static let chunkSize = 128

    private let condition = NSCondition()
    /// Handed over, not yet taken by the writer (guarded by `condition`).
    private var handedOver: [Record] = []
    private var writing = false
    private var failure: DatabaseError?
    private var stopping = false
    private var started = false
    /// Collected on the caller's thread until a chunk is full.
    private var collecting: [Record] = []
    /// The buffers of records written on the caller's thread (inline, or prepared there).
    private var callerScratch = RecordScratch()
    /// True while inserts run on the caller's thread (no second core free). Caller's thread only.
    private(set) var inline = false
    /// Fixes `inline` instead of measuring (tests; nil measures).
    var forcedInline: Bool?
    private var availability = CPUAvailability()
    private var judgedAt: UInt64 = 0
    private var addsSinceJudged = 0
    /// How often (nanoseconds) the writer's mode is judged again.
    var judgeInterval: UInt64 = 250_000_000

    init() {
        collecting.reserveCapacity(WriteBehind.chunkSize)
        // CRM_WRITE_BEHIND=inline or =thread fixes the mode (to compare the two in the benchmark).
        switch ProcessInfo.processInfo.environment["CRM_WRITE_BEHIND"] {
        case "inline": forcedInline = true
        case "thread": forcedInline = false
        default: break
        }
    }

    /// Ends the writer thread (it holds this object until then); the store calls it
    /// when it closes.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// Whether the writer thread was ever started (it is not while every insert ran inline).
    var threadStarted: Bool {
        condition.lock()
        defer { condition.unlock() }
        return started
    }

    /// True when nothing is waiting or being written.
    var isIdle: Bool {
        guard collecting.isEmpty else { return false }
        condition.lock()
        defer { condition.unlock() }
        return handedOver.isEmpty && !writing && failure == nil
    }

    /// Queues one record; throws a failure of earlier records.
    func add(_ record: Record) throws {
        if try runsInline() { return try callerScratch.write(record) }
        collecting.append(record)
        if collecting.count >= WriteBehind.chunkSize { try handOver() }
    }

    /// Whether the next insert runs here, judging again after each interval. Switching to
    /// inline first waits for everything handed over (the connection has one user at a time).
    private func runsInline() throws -> Bool {
        addsSinceJudged += 1
        if addsSinceJudged >= WriteBehind.chunkSize || judgedAt == 0 {
            addsSinceJudged = 0
            let wasInline = inline
            let now = DispatchTime.now().uptimeNanoseconds
            if judgedAt == 0 {
                judgedAt = now
                availability.start()
                inline = forcedInline ?? (availability.cores < 2)
            } else if now - judgedAt >= judgeInterval {
                judgedAt = now
                let free = availability.secondCoreFree()
                if let forcedInline { inline = forcedInline } else if let free { inline = !free }
            }
            // Everything handed over (the chunk being written too) is written first.
            if inline && !wasInline { try drain() }
        }
        return inline
    }

    /// Waits until everything queued is written; throws the first failure.
    func drain() throws {
        if !collecting.isEmpty { try handOver() }
        condition.lock()
        defer { condition.unlock() }
        while (!handedOver.isEmpty || writing) && failure == nil { condition.wait() }
        if let failure = takeFailure() { throw failure }
    }

    /// Waits for the writer and forgets what it has not written and any failure: the
    /// caller is rolling back.
    func abandon() {
        collecting.removeAll(keepingCapacity: true)
        condition.lock()
        defer { condition.unlock() }
        handedOver.removeAll()
        while writing { condition.wait() }
        failure = nil
    }

    private func handOver() throws {
        condition.lock()
        defer { condition.unlock() }
        startIfNeeded()
        if !handedOver.isEmpty {
            // The writer is behind: rather than wait, make this chunk's grams and audit JSON here.
            condition.unlock()
            for i in collecting.indices where collecting[i].prepared == nil {
                collecting[i].prepared = callerScratch.prepare(collecting[i])
            }
            condition.lock()
        }
        // At most one chunk waits while another is written: memory stays flat.
        while !handedOver.isEmpty && failure == nil { condition.wait() }
        if let failure = takeFailure() { throw failure }
        swap(&handedOver, &collecting)
        condition.broadcast()
    }

    /// The failure, once; the rest of the queue is dropped with it. Called locked.
    private func takeFailure() -> DatabaseError? {
        guard let f = failure else { return nil }
        failure = nil
        handedOver.removeAll()
        collecting.removeAll(keepingCapacity: true)
        return f
    }

    private func startIfNeeded() {
        guard !started else { return }
        started = true
        let thread = Thread { self.run() }
        thread.name = "crm-write-behind"
        thread.start()
    }

    private func run() {
        var chunk: [Record] = []
        chunk.reserveCapacity(WriteBehind.chunkSize)
        var scratch = RecordScratch()
        condition.lock()
        while true {
            while handedOver.isEmpty && !stopping { condition.wait() }
            if stopping { break }
            swap(&chunk, &handedOver)
            writing = true
            condition.broadcast()
            condition.unlock()
            var failed: DatabaseError?
            for record in chunk {
                do { try scratch.write(record) } catch {
                    failed = (error as? DatabaseError) ?? DatabaseError(message: "\(error)")
                    break
                }
            }
            chunk.removeAll(keepingCapacity: true)
            condition.lock()
            writing = false
            if let failed { failure = failed; handedOver.removeAll() }
            condition.broadcast()
        }
        condition.unlock()
    }
}

/// What writing records needs on one thread: buffers for the grams and the audit JSON,
/// kept from record to record (no allocation per record once they have grown).
struct RecordScratch {
    var grams = FindIndex.GramBuilder()
    var json: [UInt8] = []

    init() { json.reserveCapacity(512) }

    /// Writes a record: its row, its grams (when the entity is searched) and its audit row.
    mutating func write(_ r: WriteBehind.Record) throws {
        let s = r.statements
        // The row: id, the fields, created and updated.
        var h = s.insert.sqliteStatement
        sqlite3_reset(h)
        var rc = sqlite3_bind_int64(h, 1, r.id)
        var column: Int32 = 2
        for i in r.values.indices where rc == SQLITE_OK {
            rc = RawStatement.bind(r.values[i], s.types[i], h, column)
            column += 1
        }
        if rc == SQLITE_OK { rc = RawStatement.bind(r.born, h, column) }
        if rc == SQLITE_OK { rc = RawStatement.bind(r.born, h, column + 1) }
        try RawStatement.step(h, rc)

        if let find = s.find {
            h = find.sqliteStatement
            sqlite3_reset(h)
            rc = sqlite3_bind_int64(h, 1, r.id)
            if let prepared = r.prepared {
                if rc == SQLITE_OK { rc = RawStatement.bindText(prepared.grams, h, 2) }
            } else {
                makeGrams(r)
                if rc == SQLITE_OK { rc = RawStatement.bindText(grams.out, h, 2) }
            }
            try RawStatement.step(h, rc)
        }

        h = s.audit.sqliteStatement
        sqlite3_reset(h)
        rc = RawStatement.bind(r.at, h, 1)
        if rc == SQLITE_OK { rc = RawStatement.bind(r.user, h, 2) }
        if rc == SQLITE_OK { rc = RawStatement.bind(r.via, h, 3) }
        if rc == SQLITE_OK { rc = RawStatement.bind(s.action, h, 4) }
        if rc == SQLITE_OK { rc = RawStatement.bind(s.entity, h, 5) }
        if rc == SQLITE_OK { rc = sqlite3_bind_int64(h, 6, r.id) }
        if rc == SQLITE_OK { rc = sqlite3_bind_null(h, 7) }
        if rc == SQLITE_OK { rc = sqlite3_bind_null(h, 8) }
        if let prepared = r.prepared {
            if rc == SQLITE_OK { rc = RawStatement.bindText(prepared.json, h, 9) }
        } else {
            makeJSON(r)
            if rc == SQLITE_OK { rc = RawStatement.bindText(json, h, 9) }
        }
        try RawStatement.step(h, rc)
    }

    /// The grams and the audit JSON as owned copies (the writer thread is behind: the
    /// caller's thread makes them instead of waiting).
    mutating func prepare(_ r: WriteBehind.Record) -> (grams: [UInt8], json: [UInt8]) {
        if r.statements.find != nil { makeGrams(r) } else { grams.reset() }
        makeJSON(r)
        return (grams.out, json)
    }

    mutating func makeGrams(_ r: WriteBehind.Record) {
        grams.reset()
        for i in r.statements.searched { grams.append(r.values[i].displayText) }
    }

    mutating func makeJSON(_ r: WriteBehind.Record) {
        json.removeAll(keepingCapacity: true)
        JSONText.appendObject(names: r.statements.names, values: r.values, to: &json)
    }
}
