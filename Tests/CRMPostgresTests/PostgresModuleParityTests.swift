import CRMTestSupport
import Foundation
import XCTest

/// The modules and analyses give the same output on a PostgreSQL copy of a SQLite demo as
/// on the SQLite original (the clock pinned), through the real binary.
final class PostgresModuleParityTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox() }
    override func tearDown() { sandbox?.remove() }

    func crm(_ db: String, _ commands: String...) throws -> CommandResult {
        try sandbox.run(["--db", db] + commands.flatMap { ["-c", $0] }, environment: ["CRM_NOW": "2026-11-22T10:00:00Z"])
    }

    /// A SQLite demo and its PostgreSQL copy.
    func demoPair() throws -> (sqlite: String, postgres: String) {
        let url = try PostgresTestDatabase.make(self)
        let sqlite = sandbox.path("parity-demo.db")
        var r = try sandbox.run(["--db", sqlite, "demo", "300"], environment: ["CRM_NOW": "2026-11-22T10:00:00Z"])
        XCTAssertEqual(r.status, 0, r.description)
        r = try sandbox.run(["copy", sqlite, url])
        XCTAssertEqual(r.status, 0, r.description)
        return (sqlite, url)
    }

    func assertSame(_ pair: (sqlite: String, postgres: String), _ command: String, contains: String,
                    file: StaticString = #filePath, line: UInt = #line) throws {
        let s = try crm(pair.sqlite, command), p = try crm(pair.postgres, command)
        XCTAssertEqual(s.status, 0, "\(command) on SQLite: \(s.description)", file: file, line: line)
        XCTAssertEqual(p.status, 0, "\(command) on PostgreSQL: \(p.description)", file: file, line: line)
        XCTAssertFalse(s.stdout.isEmpty, "\(command) printed nothing", file: file, line: line)
        if !contains.isEmpty { XCTAssertTrue(s.stdout.contains(contains), "\(command): \(s.stdout)", file: file, line: line) }
        XCTAssertEqual(s.stdout, p.stdout, "\(command): SQLite and PostgreSQL differ", file: file, line: line)
    }

    func testHealthIsTheSameOnBothStores() throws {
        let pair = try demoPair()
        try assertSame(pair, "health", contains: "300 customers")
        try assertSame(pair, "health untouched_days=30 weeks=8 limit=5", contains: "Customers untouched for 30 days")
        // Bad input is refused in one line on both.
        for db in [pair.sqlite, pair.postgres] {
            let r = try crm(db, "health weeks=many")
            XCTAssertEqual(r.status, 1, r.description)
            XCTAssertEqual(r.stderrLines.count, 1, r.description)
        }
    }

    /// The analyses stream purchases from PostgreSQL (a cursor, batch by batch) and add them
    /// up exactly as SQLite does: the same classes, scores, stages and shares to the cent.
    func testAnalysesAreTheSameOnBothStores() throws {
        let pair = try demoPair()
        try assertSame(pair, "abc", contains: "ABC up to 2026-11-22")
        try assertSame(pair, "abc from=-365d", contains: "Value classes")
        try assertSame(pair, "rfm", contains: "RFM")
        try assertSame(pair, "stages", contains: "Lifecycle stages")
        try assertSame(pair, "churn-risk", contains: "churn-risk")
        try assertSame(pair, "satisfaction", contains: "satisfaction")
        try assertSame(pair, "tiers", contains: "Membership tiers")
        try assertSame(pair, "loyalty", contains: "Loyalty up to 2026-11-22")
        try assertSame(pair, "care today", contains: "upgrade  | 吴华您好")
        try assertSame(pair, "care templates", contains: "birthday")
    }

    /// `abc --apply` writes value_class through the store's updates on both: the same
    /// customers change, and the classes then listed are the same.
    func testAbcApplyWritesTheSameClassesOnBothStores() throws {
        let pair = try demoPair()
        try assertSame(pair, "abc --apply", contains: "value_class written")
        try assertSame(pair, "count customer where value_class = 'A'", contains: "")
        try assertSame(pair, "abc --apply", contains: "value_class written: 0 customers changed")
    }

    /// `crm demo` on a PostgreSQL --db fills the same records as on SQLite.
    func testDemoOnPostgresFillsWhatItFillsOnSQLite() throws {
        let url = try PostgresTestDatabase.make(self)
        let sqlite = sandbox.path("demo.db")
        for db in [sqlite, url] {
            let r = try sandbox.run(["--db", db, "demo", "300"], environment: ["CRM_NOW": "2026-11-22T10:00:00Z"])
            XCTAssertEqual(r.status, 0, r.description)
        }
        for entity in ["customer", "contact", "interaction", "task", "deal", "ticket", "user"] {
            try assertSame((sqlite, url), "count \(entity)", contains: "")
        }
        try assertSame((sqlite, url), "count customer where tier = 'gold'", contains: "")
    }

    /// `merge` moves the same records, fills the same fields and writes the same history
    /// on both stores; a dry run keeps nothing on either.
    func testMergeIsTheSameOnBothStores() throws {
        let pair = try demoPair()
        try assertSame(pair, "merge customer 300 into 1 --dry-run", contains: "dry run, nothing kept: merge customer 300 into 1")
        try assertSame(pair, "count customer", contains: "300")
        try assertSame(pair, "merge customer 300 into 1", contains: "merged customer 300 into 1")
        try assertSame(pair, "merge customer 299 into 2", contains: "merged customer 299 into 2")
        try assertSame(pair, "history customer 1", contains: "merge")
        try assertSame(pair, "count customer", contains: "298")
        try assertSame(pair, "count interaction where customer = 1", contains: "")
        try assertSame(pair, "find 王芳", contains: "王芳")
        for db in [pair.sqlite, pair.postgres] {
            let gone = try crm(db, "show customer 300")
            XCTAssertEqual(gone.status, 1, gone.description)
            let again = try crm(db, "merge customer 1 into 1")
            XCTAssertEqual(again.status, 1, again.description)
            XCTAssertTrue(again.stderr.contains("a record cannot be merged into itself"), again.stderr)
        }
    }
}
