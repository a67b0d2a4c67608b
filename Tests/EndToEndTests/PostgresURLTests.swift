import CRMTestSupport
import Foundation
import XCTest

/// Issue 19: a PostgreSQL URL given as the database is never taken for a file name.
final class PostgresURLTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox() }
    override func tearDown() { sandbox?.remove() }

    func testAServerURLIsRefusedInOneLine_withoutThePassword_andNoFolderCalledPostgresql() throws {
        for url in ["postgresql://crm:s3cret@127.0.0.1:5433/sales", "postgres://crm:s3cret@127.0.0.1:5433/sales"] {
            let r = try sandbox.run(["--db", url, "-c", "add customer name=张伟"])
            XCTAssertEqual(r.status, 1, r.description)
            XCTAssertEqual(r.stderrLines.count, 1, r.description)
            let line = r.stderr
            XCTAssertTrue(line.hasPrefix("crm: --db \(url.prefix(while: { $0 != ":" }))://crm:***@127.0.0.1:5433/sales names a PostgreSQL server"), line)
            XCTAssertFalse(line.contains("s3cret"), line)
            XCTAssertEqual(r.stdout, "")
        }
        let made = try FileManager.default.contentsOfDirectory(atPath: sandbox.workingDirectory)
        XCTAssertFalse(made.contains { $0.hasPrefix("postgres") }, "\(made)")
    }

    func testCRM_DBNamingAServerIsRefusedToo() throws {
        let r = try sandbox.run(["-c", "count customer"], environment: ["CRM_DB": "postgresql://127.0.0.1/crm"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertTrue(r.stderr.hasPrefix("crm: --db postgresql://127.0.0.1/crm names a PostgreSQL server"), r.stderr)
    }
}
