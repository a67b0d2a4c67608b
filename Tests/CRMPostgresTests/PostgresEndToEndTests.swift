import CRMTestSupport
import Foundation
import XCTest

/// The real binary with `--db postgresql://…` on the test server.
final class PostgresEndToEndTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox() }
    override func tearDown() { sandbox?.remove() }

    func crm(_ url: String, _ commands: String..., environment: [String: String?] = [:]) throws -> CommandResult {
        try sandbox.run(["--db", url] + commands.flatMap { ["-c", $0] },
                        environment: environment.merging(["CRM_NOW": "2026-11-22T10:00:00Z"]) { a, _ in a })
    }

    func testAddListFindHistoryAndTransactionsThroughTheBinary() throws {
        let url = try PostgresTestDatabase.make(self)
        var r = try crm(url, "add customer name=张伟 phone=13812345678 city=上海", "add customer name=王芳 city=北京")
        XCTAssertEqual(r.status, 0, r.description)
        r = try crm(url, "update customer 1 set city=深圳", "list customer where city = 深圳")
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertTrue(r.stdout.contains("张伟"), r.stdout)
        XCTAssertFalse(r.stdout.contains("王芳"), r.stdout)
        r = try crm(url, "find 张伟", "find 2345")
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertEqual(r.stdout.components(separatedBy: "13812345678").count - 1, 2, r.stdout)
        r = try crm(url, "history customer 1")
        XCTAssertTrue(r.stdout.contains("city") && r.stdout.contains("上海") && r.stdout.contains("深圳"), r.stdout)
        // A failing command in a batch: exit 1, one line, nothing of it kept.
        r = try crm(url, "add customer name=李四 phone=notaphone")
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stderrLines.count, 1, r.description)
        r = try crm(url, "begin", "add customer name=回滚", "rollback", "count customer")
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertTrue(r.stdout.contains("2"), r.stdout)
        // --atomic: a later failure undoes the earlier command.
        r = try sandbox.run(["--db", url, "--atomic", "-c", "add customer name=原子", "-c", "update customer 999 city=x"])
        XCTAssertEqual(r.status, 1, r.description)
        r = try crm(url, "count customer where name = 原子")
        XCTAssertTrue(r.stdout.contains("0"), r.stdout)
    }

    func testSQLiteOnlyVerbsSaySoInOneLine() throws {
        let url = try PostgresTestDatabase.make(self)
        for command in ["backup to x.sqlite", "restore from x.sqlite"] {
            let r = try crm(url, command)
            XCTAssertEqual(r.status, 1, "\(command): \(r.description)")
            XCTAssertEqual(r.stderrLines.count, 1, "\(command): \(r.description)")
            XCTAssertTrue(r.stderr.contains("needs a SQLite database for now"), "\(command): \(r.stderr)")
        }
    }

    func testAMissingDatabaseIsNamed() throws {
        guard let url = PostgresTestServer.url else { throw skipTest(PostgresTestServer.skipMessage) }
        let missing = PostgresTestDatabase.replacingDatabase(of: url, with: "no_such_db_here")
        let r = try sandbox.run(["-c", "count customer"], environment: ["CRM_DB": missing])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertTrue(r.stderr.contains("no_such_db_here") && r.stderr.contains("does not exist"), r.stderr)
    }
}

/// The bundled plugins' own tests (`crm test plugins/NAME`) on an empty PostgreSQL database.
/// utilities (series) needs SQLite for now.
final class PostgresPluginTests: XCTestCase {
    func testBundledPluginTestsPassOnPostgreSQL() throws {
        let sandbox = try CRMSandbox()
        defer { sandbox.remove() }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        for plugin in ["example", "realestate", "exams", "banking"] {
            let url = try PostgresTestDatabase.make(self)
            let r = try sandbox.run(["--db", url, "test", root + "/plugins/" + plugin], timeout: 600)
            XCTAssertEqual(r.status, 0, "\(plugin): \(r.description)")
            XCTAssertTrue(r.stdout.hasSuffix(" passed, 0 failed\n"), "\(plugin): \(r.stdout)")
        }
    }
}
