@testable import CRMCore
import CRMShell
import CRMTestSupport
import XCTest

/// What happens to a run when SQLite itself ends a transaction (a full disk), and when
/// another writer commits while a `begin` block is open. The full disk is SQLite's
/// `max_page_count`, which fails a write exactly as a full file system does (SQLITE_FULL,
/// and SQLite rolls the whole transaction back).
final class TransactionSafetyTests: XCTestCase {
    var folder: String!
    var path: String { folder + "/crm.sqlite" }

    override func setUp() {
        folder = TestSupport.temporaryFolder()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A store on a file whose database may grow by only a few pages.
    func fullStore(spare pages: Int = 4) throws -> SQLiteStore {
        let store = try SQLiteStore(path: path, user: "tester", clock: .fixed(TestSupport.now))
        try store.queue.inDatabase { db in
            let used = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(used + pages)")
        }
        return store
    }

    /// Runs lines through a BatchRunner; returns the exit code and what went to stderr.
    func run(_ store: SQLiteStore, _ lines: [String], keepGoing: Bool = false, atomic: Bool = false) -> (Int32, [String]) {
        var reports: [String] = []
        let session = Session(store: store, atomic: atomic)
        var options = BatchRunner.Options()
        options.keepGoing = keepGoing
        options.atomic = atomic
        let runner = BatchRunner(session: session, options: options, render: { _ in }, report: { reports.append($0) })
        var remaining = lines[...]
        let source = ScriptSource(name: "t.crm") { remaining.popFirst() }
        return (runner.run([source]), reports)
    }

    func count(_ entity: String = "customer") throws -> Int {
        try SQLiteStore(path: path, user: "checker").count(entity, where: nil)
    }

    let big = String(repeating: "备注", count: 2000)

    func testFullDiskInsideBeginEndsTheRunInsteadOfLooping() throws {
        let store = try fullStore()
        let lines = ["begin"] + (1...20).map { "add customer name=客户\($0) notes=\(big)" } + ["commit"]
        let (code, reports) = run(store, lines)
        XCTAssertEqual(code, 1)
        XCTAssertTrue(reports.contains { $0.contains("the disk is full; SQLite rolled back the whole transaction") }, "\(reports)")
        XCTAssertEqual(store.transactionDepth, 0)
        XCTAssertEqual(try count(), 0)
    }

    func testFullDiskInsideBeginWithKeepGoingRunsNothingOutsideTheTransaction() throws {
        let store = try fullStore()
        let lines = ["begin"] + (1...20).map { "add customer name=客户\($0) notes=\(big)" }
            + ["add user name=小李", "commit", "add user name=老王"]
        let (code, reports) = run(store, lines, keepGoing: true)
        XCTAssertEqual(code, 1)
        XCTAssertTrue(reports.contains { $0.contains("nothing runs until rollback ends it") }, "\(reports)")
        XCTAssertTrue(reports.contains { $0.contains("cannot commit") }, "\(reports)")
        // Nothing of the block was kept, and nothing after the failure ran outside it.
        XCTAssertEqual(try count(), 0)
        XCTAssertEqual(try count("user"), 0)
    }

    func testRollbackAfterFullDiskLetsLaterCommandsRun() throws {
        let store = try fullStore(spare: 8)
        let lines = ["begin"] + (1...20).map { "add customer name=客户\($0) notes=\(big)" }
            + ["rollback", "add user name=小李"]
        let (_, reports) = run(store, lines, keepGoing: true)
        XCTAssertEqual(store.transactionDepth, 0)
        XCTAssertFalse(reports.contains { $0.contains("t.crm:23") }, "the command after rollback ran: \(reports)")
        XCTAssertEqual(try count("user"), 1)
        XCTAssertEqual(try count(), 0)
    }

    func testAtomicKeepGoingOnAFullDiskKeepsNothing() throws {
        let store = try fullStore()
        let lines = (1...20).map { "add customer name=客户\($0) notes=\(big)" } + ["add user name=小李"]
        let (code, reports) = run(store, lines, keepGoing: true, atomic: true)
        XCTAssertEqual(code, 1)
        XCTAssertTrue(reports.contains { $0.contains("rolled back, the database is unchanged") }, "\(reports)")
        XCTAssertEqual(try count(), 0)
        XCTAssertEqual(try count("user"), 0)
    }

    func testPlainCommandsOnAFullDiskEachFailAlone() throws {
        let store = try fullStore()
        let lines = (1...20).map { "add customer name=客户\($0) notes=\(big)" }
        let (code, reports) = run(store, lines, keepGoing: true)
        XCTAssertEqual(code, 1)
        XCTAssertTrue(reports.allSatisfy { $0.hasSuffix("the disk is full; the command was rolled back") }, "\(reports)")
        XCTAssertEqual(try count() + reports.count, 20)
    }

    func testImportOnAFullDiskSaysWhatWentIn() throws {
        let store = try fullStore(spare: 30)
        let csv = folder + "/c.csv"
        try ("name,notes\n" + (1...200).map { "客户\($0),\(big)" }.joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let (code, reports) = run(store, ["import customer \(csv)", "add user name=小李"])
        XCTAssertEqual(code, 1)
        XCTAssertTrue(reports.contains { $0.contains("the disk is full") && $0.contains("nothing was imported") }, "\(reports)")
        XCTAssertEqual(try count(), 0)
    }

    func testImportThatCannotReadALineKeepsTheRowsBeforeAndSaysHowToContinue() throws {
        let store = try SQLiteStore(path: path, user: "tester", clock: .fixed(TestSupport.now))
        let csv = folder + "/c.csv"
        var rows = (2...150).map { "客户\($0)" }
        rows.append("\"unterminated")
        rows += (152...160).map { "客户\($0)" }
        try ("name\n" + rows.joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let (code, reports) = run(store, ["import customer \(csv)"])
        XCTAssertEqual(code, 1)
        XCTAssertEqual(reports, ["t.crm:1: \(csv):151: unterminated quoted field; 149 rows were imported (lines 2–150), none after; continue with: import customer \(csv) from-line 151"])
        XCTAssertEqual(try count(), 149)
        // Fixed, continued from the line it named: every row once.
        rows[149] = "客户151"
        try ("name\n" + rows.joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        XCTAssertEqual(run(store, ["import customer \(csv) from-line 151"]).0, 0)
        XCTAssertEqual(try count(), 159)
        XCTAssertEqual(try store.count("customer", where: Session.parseFilter("name = 客户151")), 1)
    }

    func testAtomicImportThatCannotReadALineKeepsNothing() throws {
        let store = try SQLiteStore(path: path, user: "tester", clock: .fixed(TestSupport.now))
        let csv = folder + "/c.csv"
        try "name\n甲\n乙\n\"丙\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let (code, reports) = run(store, ["import customer \(csv)"], atomic: true)
        XCTAssertEqual(code, 1)
        XCTAssertTrue(reports[0].hasSuffix("c.csv:4: unterminated quoted field; nothing was imported (--atomic)"), "\(reports)")
        XCTAssertEqual(try count(), 0)
    }

    func testImportOnConflictSkipAndUpdateMakeReimportingSafe() throws {
        let store = try SQLiteStore(path: path, user: "tester", clock: .fixed(TestSupport.now))
        let csv = folder + "/u.csv"
        try "name,team\n张伟,A\n李娜,B\n".write(toFile: csv, atomically: true, encoding: .utf8)
        XCTAssertEqual(run(store, ["import user \(csv)"]).0, 0)
        let (again, rejects) = run(store, ["import user \(csv)"])
        XCTAssertEqual(again, 1, "a second plain import rejects the taken names: \(rejects)")
        XCTAssertEqual(run(store, ["import user \(csv) on conflict skip"]).0, 0)
        try "name,team\n张伟,C\n李娜,B\n王五,A\n".write(toFile: csv, atomically: true, encoding: .utf8)
        XCTAssertEqual(run(store, ["import user \(csv) on conflict update"]).0, 0)
        XCTAssertEqual(try count("user"), 3)
        let zhang = try store.list(Query(entity: "user", filter: Session.parseFilter("name = 张伟")))
        XCTAssertEqual(zhang.rows.first?[zhang.columns.firstIndex { $0.name == "team" }!], .text("C"))
        let (noKey, messages) = run(store, ["import customer \(csv) map team=- on conflict skip"])
        XCTAssertEqual(noKey, 1)
        XCTAssertTrue(messages[0].contains("customer has no unique field"), "\(messages)")
    }

    func testBeginBlockWritesAfterAnotherProcessWroteSinceItsFirstRead() throws {
        let a = try SQLiteStore(path: path, user: "a", clock: .fixed(TestSupport.now), busyTimeout: 2)
        let b = try SQLiteStore(path: path, user: "b", clock: .fixed(TestSupport.now), busyTimeout: 2)
        try a.begin()
        XCTAssertEqual(try a.count("customer", where: nil), 0)
        _ = try b.create("customer", values: ["name": .text("乙")])
        // The block's first write takes the write lock and sees what b committed.
        _ = try a.create("customer", values: ["name": .text("甲")])
        XCTAssertEqual(try a.count("customer", where: nil), 2)
        try a.commit()
        XCTAssertEqual(try count(), 2)
    }

    func testBeginBlockThatHasWrittenMakesAnotherWriterWaitNotLoseWork() throws {
        let a = try SQLiteStore(path: path, user: "a", clock: .fixed(TestSupport.now), busyTimeout: 0.2)
        let b = try SQLiteStore(path: path, user: "b", clock: .fixed(TestSupport.now), busyTimeout: 0.2)
        try a.begin()
        _ = try a.create("customer", values: ["name": .text("甲")])
        XCTAssertThrowsError(try b.create("customer", values: ["name": .text("乙")])) { error in
            XCTAssertEqual("\(error)", "the database is busy (another crm is writing); try again")
        }
        try a.commit()
        _ = try b.create("customer", values: ["name": .text("乙")])
        XCTAssertEqual(try count(), 2)
    }

    func testNestedBeginsOpenedLazilyCommitAndRollBackByLevel() throws {
        let store = try SQLiteStore(path: path, user: "tester", clock: .fixed(TestSupport.now))
        try store.begin()
        _ = try store.create("customer", values: ["name": .text("外")])
        try store.begin()
        try store.begin()
        _ = try store.create("customer", values: ["name": .text("内")])
        try store.rollback()
        try store.commit()  // the middle level never wrote
        XCTAssertEqual(try store.count("customer", where: nil), 1)
        try store.commit()
        XCTAssertEqual(store.transactionDepth, 0)
        XCTAssertEqual(try count(), 1)
    }
}
