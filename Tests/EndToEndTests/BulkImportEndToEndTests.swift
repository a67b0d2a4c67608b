import CRMTestSupport
import Foundation
import XCTest

/// `import` through the binary with the writer on two threads and on one
/// (`CRM_WRITE_BEHIND`), and a large load into an empty table (indexes built after):
/// the same records, find index and audit rows either way, and every index in place.
final class BulkImportEndToEndTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    func customers(_ n: Int) -> String {
        "name,phone,city\n" + (1...n).map { "客户\($0),1390\(String(format: "%07d", $0)),城\($0 % 5)\n" }.joined()
    }

    func importAndRead(mode: String) throws -> (export: String, found: String, history: String) {
        let file = try sandbox.write(customers(2_500), to: "c.csv")
        try? FileManager.default.removeItem(atPath: sandbox.database)
        let r = try sandbox.crm(["--no-plugins", "-c", "import customer \(file)"], environment: ["CRM_WRITE_BEHIND": mode])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertEqual(r.stdout, "imported 2500 customer\n")
        let export = try sandbox.crm(["--no-plugins", "-c", "list customer where city = '城3' order by phone desc limit 3", "--format", "csv"])
        let found = try sandbox.crm(["--no-plugins", "-c", "find 客户2499", "--format", "csv"])
        let history = try sandbox.crm(["--no-plugins", "-c", "history customer 2500", "--format", "csv"])
        for result in [export, found, history] { XCTAssertEqual(result.status, 0, result.description) }
        return (export.stdout, found.stdout, history.stdout)
    }

    func testOneThreadAndTwo_storeTheSameRecordsGramsAndAudit() throws {
        let inline = try importAndRead(mode: "inline")
        let threaded = try importAndRead(mode: "thread")
        XCTAssertEqual(inline.export, threaded.export)
        XCTAssertTrue(inline.export.contains("客户2498"), inline.export)
        XCTAssertEqual(inline.found, threaded.found)
        XCTAssertTrue(inline.found.contains("客户2499"), inline.found)
        XCTAssertTrue(inline.history.contains("客户2500"), inline.history)
    }

    func testLargeLoadIntoAnEmptyTable_keepsEveryIndexUsable() throws {
        let file = try sandbox.write(customers(2_500), to: "c.csv")
        XCTAssertEqual(try sandbox.crm(["--no-plugins", "-c", "import customer \(file)"]).status, 0)
        let plan = try CommandRunner.run(executable: "/usr/bin/env", arguments: ["sqlite3", sandbox.database,
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customer' ORDER BY name; PRAGMA integrity_check"],
            environment: sandbox.environment, workingDirectory: sandbox.workingDirectory, stdin: nil, scratch: sandbox.root)
        XCTAssertEqual(plan.stdout, """
            idx_customer_city_name
            idx_customer_email
            idx_customer_owner
            idx_customer_phone
            idx_customer_stage
            ok

            """)
    }
}
