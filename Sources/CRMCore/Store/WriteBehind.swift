import Foundation
import GRDB

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
    /// One statement to run: its values, or a function computing them on the writer's
    /// thread (find grams and audit JSON: pure work moved off the caller's path).
    struct Insert {
        var statement: Statement
        var values: [DatabaseValue]
        var late: (@Sendable () -> [DatabaseValue])?
    }

    /// Inserts handed over per wake-up of the writer thread.
    static let chunkSize = 384

    private let condition = NSCondition()
    /// Handed over, not yet taken by the writer (guarded by `condition`).
    private var handedOver: [Insert] = []
    private var writing = false
    private var failure: DatabaseError?
    private var stopping = false
    private var started = false
    /// Collected on the caller's thread until a chunk is full.
    private var collecting: [Insert] = []
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

    /// Queues one insert; throws a failure of earlier inserts.
    func add(_ statement: Statement, _ values: [DatabaseValue]) throws {
        if try runsInline() { return try RawStatement.execute(statement, values) }
        collecting.append(Insert(statement: statement, values: values, late: nil))
        if collecting.count >= WriteBehind.chunkSize { try handOver() }
    }

    /// Queues one insert whose values `late` computes on the writer's thread; it must only
    /// read what it captured.
    func add(_ statement: Statement, late: @escaping @Sendable () -> [DatabaseValue]) throws {
        if try runsInline() { return try RawStatement.execute(statement, late()) }
        collecting.append(Insert(statement: statement, values: [], late: late))
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
            // The writer is behind: rather than wait, compute this chunk's late values here.
            condition.unlock()
            for i in collecting.indices {
                if let late = collecting[i].late {
                    collecting[i].values = late()
                    collecting[i].late = nil
                }
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
        var chunk: [Insert] = []
        chunk.reserveCapacity(WriteBehind.chunkSize)
        condition.lock()
        while true {
            while handedOver.isEmpty && !stopping { condition.wait() }
            if stopping { break }
            swap(&chunk, &handedOver)
            writing = true
            condition.broadcast()
            condition.unlock()
            var failed: DatabaseError?
            for insert in chunk {
                do { try RawStatement.execute(insert.statement, insert.late?() ?? insert.values) } catch {
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
