import CRMTestSupport
import Foundation
import XCTest

/// Issue 19: a PostgreSQL URL as the database opens the PostgreSQL store; one that cannot
/// be reached fails in one line naming the server, never the password, and is never taken
/// for a file name. (No server needed: port 1 refuses.)
final class PostgresURLTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    func testAnUnreachableServerIsOneLine_withoutThePassword_andNoFolderCalledPostgresql() throws {
        for url in ["postgresql://crm:s3cret@127.0.0.1:1/sales", "postgres://crm:s3cret@127.0.0.1:1/sales"] {
            let r = try sandbox.run(["--db", url, "-c", "add customer name=张伟"])
            XCTAssertEqual(r.status, 1, r.description)
            XCTAssertEqual(r.stderrLines.count, 1, r.description)
            XCTAssertTrue(r.stderr.hasPrefix("crm: cannot connect to PostgreSQL at 127.0.0.1:1/sales: "), r.stderr)
            XCTAssertFalse(r.stderr.contains("s3cret"), r.stderr)
            XCTAssertEqual(r.stdout, "")
        }
        let made = try FileManager.default.contentsOfDirectory(atPath: sandbox.workingDirectory)
        XCTAssertFalse(made.contains { $0.hasPrefix("postgres") }, "\(made)")
    }

    func testCRM_DBNamingAServerOpensItToo() throws {
        let r = try sandbox.run(["-c", "count customer"], environment: ["CRM_DB": "postgresql://127.0.0.1:1/crm"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertTrue(r.stderr.hasPrefix("crm: cannot connect to PostgreSQL at 127.0.0.1:1/crm"), r.stderr)
    }
}
